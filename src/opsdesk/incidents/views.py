"""The agents' incident pages: dashboard, queue, create and edit, the detail page with its lifecycle
actions, timeline and attachments, and the history tab.

Views only parse input, call :mod:`opsdesk.incidents.services` and render. Every lookup goes through
``restrict(request.user)``; customer users never reach these pages (404, or the portal for ``/``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from opsdesk.accounts.choices import STAFF_ROLES
from opsdesk.accounts.models import Organisation, Person, User, Workgroup
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.catalogue.models import Service
from opsdesk.core.downloads import file_download
from opsdesk.core.errors import IllegalTransition, PermissionDenied, StaleObject
from opsdesk.core.models import AuditEntry
from opsdesk.core.pagination import BadCursor, KeysetPage, keyset_page
from opsdesk.core.views import apply_errors, staff_only
from opsdesk.incidents import clocks, services
from opsdesk.incidents.choices import (
    OPEN_STATUSES,
    PRIORITY_LABELS,
    Channel,
    Impact,
    PendingReason,
    ResolutionCode,
    Status,
    Urgency,
)
from opsdesk.incidents.filters import DATE_RANGE_SORT, DEFAULT_SORT, IncidentFilter
from opsdesk.incidents.forms import (
    ACTION_BUTTONS,
    ACTION_FORMS,
    ACTION_LEGENDS,
    UNACCEPTED,
    ActionForm,
    AttachmentForm,
    CommentForm,
    IncidentEditForm,
    IncidentForm,
    QueueFilterForm,
    SaveViewForm,
    people_of,
    services_of,
    subcategories_of,
)
from opsdesk.incidents.models import Attachment, Category, Comment, Incident, SavedView, parse_number
from opsdesk.incidents.templatetags.incident_ui import due_cell, person_name, priority_badge, status_badge
from opsdesk.incidents.workflow import INCIDENT_WORKFLOW
from opsdesk.sla.models import Sla

STALE_MESSAGE = (
    "This incident was changed by someone else after you opened it, so your change was not saved. "
    "Reload the page to see the current version, then try again."
)
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _incident_or_404(request, number: str) -> Incident:
    pk = parse_number(number)
    if pk is None:
        raise Http404("No such incident")
    incident = (
        Incident.objects.restrict(request.user)
        .select_related(
            "organisation", "requester", "workgroup", "owner", "category", "subcategory", "parent", "service"
        )
        .filter(pk=pk)
        .first()
    )
    if incident is None:
        raise Http404("No such incident")
    return incident


# --- dashboard --------------------------------------------------------------------------------------------


@staff_only(customers_to="/portal/")
@require_GET
def dashboard(request):
    user = request.user
    visible = Incident.objects.restrict(user)
    by_status = dict(
        visible.filter(status__in=[*OPEN_STATUSES, Status.COMPLETED])
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_priority = dict(visible.open().values_list("priority").annotate(n=Count("id")).order_by())
    context = {
        "my_open": list(
            visible.open().owned_by(user).for_list().order_by("priority", "opened_at", "id")[:15]
        ),
        "queue": list(
            visible.unaccepted()
            .for_workgroups_of(user)
            .for_list()
            .order_by("priority", "opened_at", "id")[:15]
        ),
        "oldest": list(visible.unaccepted().for_list().order_by("opened_at", "id")[:5]),
        "status_counts": [
            (value, label, by_status.get(value, 0), f"/incidents/?status={value}")
            for value, label in Status.choices
            if value != Status.CLOSED
        ],
        "priority_counts": [
            (p, PRIORITY_LABELS[p], by_priority.get(p, 0), f"/incidents/?status=open&priority={p}")
            for p in range(5)
        ],
        "open_total": sum(by_priority.values()),
    }
    return render(request, "incidents/dashboard.html", context)


# --- the queue --------------------------------------------------------------------------------------------

FILTER_KEYS = (
    "q",
    "status",
    "priority",
    "organisation",
    "workgroup",
    "owner",
    "channel",
    "category",
    "requester",
    "service",
    "sla",
    "opened_from",
    "opened_to",
    "sort",
)
BUILTIN_VIEWS = [
    ("My open", "owner=me&status=open"),
    ("My workgroups' queue", f"status={UNACCEPTED}&workgroup=mine"),
    ("Unassigned", "status=open&workgroup=none"),
    ("All open", "status=open"),
]


def canonical_query(query: QueryDict) -> str:
    """The filter part of a queue query string, in a stable order (no cursor, no empty values)."""
    pairs = []
    default_sort = DATE_RANGE_SORT if query.get("opened_from") or query.get("opened_to") else DEFAULT_SORT
    for key in FILTER_KEYS:
        for value in query.getlist(key):
            value = value.strip()
            if value and not (key == "sort" and value == default_sort):
                pairs.append((key, value))
    return urlencode(sorted(pairs), safe=",")


def _expand_mine(query: QueryDict, user: User) -> QueryDict:
    """``workgroup=mine`` means the workgroups the user is a member of."""
    values = [part for value in query.getlist("workgroup") for part in value.split(",")]
    if "mine" not in values:
        return query
    query = query.copy()
    mine = [str(pk) for pk in user.workgroups.values_list("id", flat=True)] or ["-1"]
    query.setlist("workgroup", [v for v in values if v != "mine"] + mine)
    return query


@dataclass
class Column:
    label: str
    key: str | None  # IncidentFilter sort key, None: not sortable
    first_desc: bool = False


QUEUE_COLUMNS = [
    Column("Number", "number", first_desc=True),
    Column("Priority", "priority"),
    Column("Status", "status"),
    Column("Title", "title"),
    Column("Organisation", "organisation"),
    Column("Requester", None),
    Column("Workgroup", "workgroup"),
    Column("Owner", "owner"),
    Column("Due", "due"),
    Column("Opened", "opened", first_desc=True),
    Column("Updated", "updated", first_desc=True),
]


def _headers(base: QueryDict, sort: str, limit_param: dict) -> list[dict[str, Any]]:
    current_key, current_desc = sort.lstrip("-"), sort.startswith("-")
    headers = []
    for column in QUEUE_COLUMNS:
        header: dict[str, Any] = {"label": column.label, "url": None, "aria_sort": None}
        if column.key:
            if column.key == current_key:
                desc = not current_desc
                header["aria_sort"] = "descending" if current_desc else "ascending"
            else:
                desc = column.first_desc
            query = base.copy()
            query.setlist("sort", [f"-{column.key}" if desc else column.key])
            header["url"] = f"?{canonical_query(query)}{_amp(limit_param)}"
        headers.append(header)
    return headers


def _when(value: dt.datetime | None, with_year: bool = True) -> tuple[str, str]:
    """(ISO instant, "3 Mar 2026 14:05" in the current time zone) for a ``<time>`` cell."""
    if value is None:
        return "", ""
    local = timezone.localtime(value)
    text = f"{local.day} {local:%b %Y %H:%M}" if with_year else f"{local.day} {local:%b %H:%M}"
    return local.isoformat(), text


def queue_row(incident: Incident) -> dict[str, Any]:
    """One queue row as plain values: rendering 50 rows by attribute lookups and date filters in the
    template cost several times the query behind them."""
    opened_iso, opened = _when(incident.opened_at)
    updated_iso, updated = _when(incident.updated_at, with_year=False)
    return {
        "number": incident.number,
        "url": incident.get_absolute_url(),
        "priority": priority_badge(incident.priority),
        "status": status_badge(incident.status),
        "title": incident.title,
        "organisation": incident.organisation.name,
        "requester": incident.requester.full_name,
        "workgroup": incident.workgroup.name if incident.workgroup_id else "—",
        "owner": person_name(incident.owner) if incident.owner_id else "—",
        "due": due_cell(incident),
        "opened_iso": opened_iso,
        "opened": opened,
        "updated_iso": updated_iso,
        "updated": updated,
    }


def _amp(params: dict) -> str:
    return f"&{urlencode(params)}" if params else ""


@staff_only
@require_GET
def incident_list(request):
    user = request.user
    errors: ValidationError | None = None
    flt: IncidentFilter | None = None
    try:
        flt = IncidentFilter.from_query(_expand_mine(request.GET, user), me_id=user.pk)
    except ValidationError as exc:
        errors = exc
    try:
        limit = min(max(int(request.GET.get("limit", PAGE_SIZE)), 1), MAX_PAGE_SIZE)
    except ValueError:
        limit = PAGE_SIZE
    limit_param = {"limit": limit} if limit != PAGE_SIZE else {}
    page = KeysetPage()
    if flt is not None:
        qs = flt.apply(Incident.objects.restrict(user)).for_list()
        try:
            page = keyset_page(qs, flt.order_fields(), request.GET.get("cursor"), limit)
        except BadCursor as exc:
            errors = ValidationError(str(exc))

    form = QueueFilterForm(
        request.GET,
        user=user,
        workgroups=Workgroup.objects.restrict(user).filter(is_active=True).only("id", "name"),
        owners=User.objects.restrict(user)
        .filter(role__in=STAFF_ROLES, is_active=True)
        .only("id", "username", "first_name", "last_name"),
        organisations=Organisation.objects.restrict(user).filter(is_active=True).only("id", "name"),
        categories=Category.objects.filter(parent__isnull=True, is_active=True).only("id", "name"),
        services=Service.objects.restrict(user).exclude(status=ServiceStatus.RETIRED).only("id", "name"),
    )
    form.full_clean()
    if errors is not None:
        apply_errors(form, errors)

    current = canonical_query(request.GET)
    sort = flt.sort if flt else DEFAULT_SORT
    base = QueryDict(current)
    saved = list(SavedView.objects.restrict(user))
    views = [{"name": name, "url": f"?{query}", "active": query == current} for name, query in BUILTIN_VIEWS]
    views.append({"name": "Everything", "url": "?", "active": current == ""})
    context = {
        "form": form,
        "errors": errors,
        "page": page,
        "rows": [queue_row(incident) for incident in page.items],
        "headers": _headers(base, sort, limit_param),
        "sort": sort,
        "limit": limit if limit_param else None,
        "prev_url": f"?{current}&cursor={page.prev_cursor}{_amp(limit_param)}" if page.prev_cursor else "",
        "next_url": f"?{current}&cursor={page.next_cursor}{_amp(limit_param)}" if page.next_cursor else "",
        "views": views,
        "saved_views": [
            {"view": v, "url": f"?{v.query}", "active": canonical_query(QueryDict(v.query)) == current}
            for v in saved
        ],
        "save_form": SaveViewForm(initial={"query": current}, prefix="save"),
    }
    return render(request, "incidents/list.html", context, status=400 if errors else 200)


@staff_only
@require_POST
def saved_view_create(request):
    form = SaveViewForm(request.POST, prefix="save")
    query = canonical_query(QueryDict(request.POST.get("save-query", "")))
    if form.is_valid():
        try:
            view = services.save_view(by=request.user, name=form.cleaned_data["name"], query=query)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Saved the view “{view.name}”.")
    else:
        messages.error(request, "Give the view a name (up to 80 characters).")
    return redirect(f"/incidents/?{query}" if query else "/incidents/")


@staff_only
@require_POST
def saved_view_delete(request, view_id: int):
    view = SavedView.objects.restrict(request.user).filter(pk=view_id).first()
    if view is None:
        raise Http404("No such saved view")
    services.delete_view(view, by=request.user)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("/incidents/")


# --- create and edit --------------------------------------------------------------------------------------


@staff_only
def incident_create(request):
    user = request.user
    status = 200
    if request.method == "POST":
        form = IncidentForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = services.create_incident(
                    by=user,
                    organisation=data["organisation"],
                    requester=data["requester"],
                    title=data["title"],
                    description=data["description"],
                    channel=data["channel"],
                    impact=data["impact"],
                    urgency=data["urgency"],
                    category=data["category"],
                    subcategory=data["subcategory"],
                    service=data["service"],
                    workgroup=data["workgroup"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except (PermissionDenied, Organisation.DoesNotExist) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Created {incident.number}.")
                return redirect(incident.get_absolute_url())
        status = 422
    else:
        # Without JavaScript the "Show people" button reloads the form with what was typed so far.
        initial = {k: v for k, v in request.GET.items() if k in IncidentForm.base_fields}
        form = IncidentForm(initial=initial, user=user)
    return render(request, "incidents/form.html", {"form": form, "incident": None}, status=status)


@staff_only
def incident_edit(request, number: str):
    incident = _incident_or_404(request, number)
    if incident.status == Status.CLOSED:
        messages.error(request, "A closed incident cannot be edited.")
        return redirect(incident.get_absolute_url())
    status = 200
    if request.method == "POST":
        form = IncidentEditForm(request.POST, incident=incident, user=request.user)
        if form.is_valid():
            changes = form.changes()
            if not changes:
                messages.info(request, "Nothing was changed.")
                return redirect(incident.get_absolute_url())
            try:
                services.update_incident(
                    incident, changes, by=request.user, expected_version=form.cleaned_data["version"]
                )
            except StaleObject:
                form.add_error(None, STALE_MESSAGE)
                status = 412
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                return HttpResponse(str(exc), status=403)
            else:
                messages.success(request, f"Saved {incident.number}.")
                return redirect(incident.get_absolute_url())
        status = status if status != 200 else 422
    else:
        form = IncidentEditForm(incident=incident, user=request.user)
    return render(request, "incidents/form.html", {"form": form, "incident": incident}, status=status)


@staff_only
@require_GET
def requester_options(request):
    organisation = request.GET.get("organisation", "")
    people = people_of(request.user, organisation if organisation.isdigit() else None)
    placeholder = "Choose the requester…" if organisation else "Choose the organisation first"
    return render(
        request,
        "incidents/_options.html",
        {"options": [(p.pk, p.full_name) for p in people], "placeholder": placeholder},
    )


@staff_only
@require_GET
def service_options(request):
    organisation = request.GET.get("organisation", "")
    services = services_of(organisation if organisation.isdigit() else None)
    return render(
        request,
        "incidents/_options.html",
        {"options": [(s.pk, s.name) for s in services], "placeholder": "None / not known"},
    )


@staff_only
@require_GET
def subcategory_options(request):
    category = request.GET.get("category", "")
    subs = subcategories_of(category if category.isdigit() else None)
    return render(
        request,
        "incidents/_options.html",
        {"options": [(c.pk, c.name) for c in subs], "placeholder": "None"},
    )


# --- the detail page --------------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # reply, note, attachment, status
    obj: Any


def _timeline(incident: Incident, user: User) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(c.created_at, "reply" if c.is_public else "note", c)
        for c in Comment.objects.restrict(user).filter(incident=incident).select_related("author")
    ]
    entries += [
        TimelineEntry(a.created_at, "attachment", a)
        for a in Attachment.objects.restrict(user).filter(incident=incident).select_related("uploaded_by")
    ]
    entries += [TimelineEntry(s.at, "status", s) for s in incident.status_changes.select_related("actor")]
    order = {"status": 0, "reply": 1, "note": 1, "attachment": 2}
    entries.sort(key=lambda e: (e.at, order[e.kind], e.obj.pk))
    return entries


def _action_panel(incident: Incident, user: User, bound: dict[str, ActionForm]) -> list[dict[str, Any]]:
    allowed = services.allowed_actions(incident, user)
    panel = []
    for action, (label, css) in ACTION_BUTTONS.items():
        if action not in allowed or action not in ACTION_FORMS:
            continue
        form = bound.get(action) or ACTION_FORMS[action](incident=incident, user=user)
        panel.append(
            {
                "action": action,
                "label": label,
                "legend": ACTION_LEGENDS.get(action, label),
                "css": css,
                "form": form,
                "url": f"/incidents/{incident.number}/actions/{action}/",
            }
        )
    return panel


def _render_detail(
    request,
    incident: Incident,
    *,
    status: int = 200,
    error: str = "",
    notice: str = "",
    action_forms: dict[str, ActionForm] | None = None,
    comment_form: CommentForm | None = None,
    attachment_form: AttachmentForm | None = None,
):
    user = request.user
    context = {
        "incident": incident,
        "timeline": _timeline(incident, user),
        "actions": _action_panel(incident, user, action_forms or {}),
        "comment_form": comment_form or CommentForm(prefix="comment"),
        "attachment_form": attachment_form or AttachmentForm(prefix="attachment"),
        "error": error,
        "stale": error == STALE_MESSAGE,
        "notice": notice,
        "priority_label": PRIORITY_LABELS.get(incident.priority, ""),
        "sla": clocks.panel(incident),
        "active_tab": "details",
    }
    template = "incidents/_detail.html" if request.htmx else "incidents/detail.html"
    return render(request, template, context, status=status)


@staff_only
@require_GET
def incident_detail(request, number: str):
    return _render_detail(request, _incident_or_404(request, number))


def _after_post(request, incident: Incident, notice: str):
    """HTMX gets the re-rendered detail region; a plain form post is redirected (POST/redirect/GET)."""
    if request.htmx:
        fresh = _incident_or_404(request, incident.number)
        return _render_detail(request, fresh, notice=notice)
    messages.success(request, notice)
    return redirect(incident.get_absolute_url())


def _illegal_message(action: str, incident: Incident, user: User) -> str:
    label = ACTION_BUTTONS.get(action, (action,))[0]
    allowed = [ACTION_BUTTONS[a][0] for a in ACTION_BUTTONS if a in services.allowed_actions(incident, user)]
    status = incident.get_status_display()
    if not allowed:
        return f"“{label}” is not possible: the incident is {status} and no further actions are allowed."
    return f"“{label}” is not possible while the incident is {status}. Allowed now: {', '.join(allowed)}."


class _NoteForm(ActionForm):
    """For lifecycle actions the agent pages do not offer (``reject`` is the customer's)."""

    action = "other"


@staff_only
@require_POST
def incident_action(request, number: str, action: str):
    incident = _incident_or_404(request, number)
    user = request.user
    if action not in INCIDENT_WORKFLOW.transitions:
        raise Http404("No such action")
    form_class = ACTION_FORMS.get(action, _NoteForm)
    form = form_class(request.POST, incident=incident, user=user, prefix=action)

    def fail(status: int, error: str = "", keep_form: bool = False):
        bound = {action: form} if keep_form else {}
        return _render_detail(request, incident, status=status, error=error, action_forms=bound)

    seen_version = request.POST.get(f"{action}-version", "")
    if seen_version.isdigit() and int(seen_version) != incident.version:
        return fail(412, STALE_MESSAGE)
    if action not in services.allowed_actions(incident, user):
        if (
            action in INCIDENT_WORKFLOW.transitions
            and incident.status in INCIDENT_WORKFLOW.transitions[action].sources
        ):
            # A legal step from this status that these pages may not take (the customer's "reject").
            return fail(403, f"Only the customer can {action} this incident; use Reopen instead.")
        return fail(409, _illegal_message(action, incident, user))
    if not form.is_valid():
        return fail(422, keep_form=True)
    try:
        done = services.transition(
            incident, action, by=user, expected_version=form.cleaned_data["version"], **form.params()
        )
    except StaleObject:
        return fail(412, STALE_MESSAGE)
    except IllegalTransition:
        incident = _incident_or_404(request, number)
        return fail(409, _illegal_message(action, incident, user))
    except ValidationError as exc:
        apply_errors(form, exc)
        return fail(422, keep_form=True)
    except PermissionDenied as exc:
        return fail(403, str(exc))
    return _after_post(request, incident, _done_message(action, done))


def _done_message(action: str, incident: Incident) -> str:
    number = incident.number
    return {
        "assign": f"{number} assigned to {incident.workgroup}.",
        "reassign": f"{number} reassigned to {incident.workgroup}.",
        "accept": f"{number} accepted; {incident.owner} owns it.",
        "pend": f"{number} is pending: {incident.get_pending_reason_display().lower()}.",
        "resume": f"{number}: work resumed.",
        "complete": f"{number} completed; the requester is asked to confirm.",
        "close": f"{number} closed.",
        "reopen": f"{number} reopened.",
    }.get(action, f"{number}: {action} done.")


@staff_only
@require_POST
def comment_create(request, number: str):
    incident = _incident_or_404(request, number)
    form = CommentForm(request.POST, prefix="comment")
    if form.is_valid():
        is_public = form.cleaned_data["is_public"]
        try:
            services.add_comment(incident, form.cleaned_data["body"], by=request.user, is_public=is_public)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            return _render_detail(request, incident, status=403, error=str(exc))
        else:
            return _after_post(request, incident, "Reply sent." if is_public else "Work note added.")
    return _render_detail(request, incident, status=422, comment_form=form)


@staff_only
@require_POST
def attachment_create(request, number: str):
    incident = _incident_or_404(request, number)
    form = AttachmentForm(request.POST, request.FILES, prefix="attachment")
    if form.is_valid():
        try:
            attachment = services.add_attachment(
                incident, form.cleaned_data["file"], by=request.user, is_public=form.cleaned_data["is_public"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _after_post(request, incident, f"Attached {attachment.filename}.")
    return _render_detail(request, incident, status=422, attachment_form=form)


@staff_only
@require_GET
def attachment_download(request, number: str, attachment_id: int):
    incident = _incident_or_404(request, number)
    attachment = Attachment.objects.restrict(request.user).filter(incident=incident, pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment")
    return file_download(attachment.file, attachment.filename, attachment.content_type)


# --- history ----------------------------------------------------------------------------------------------

CHOICE_LABELS = {
    "status": dict(Status.choices),
    "impact": dict(Impact.choices),
    "urgency": dict(Urgency.choices),
    "channel": dict(Channel.choices),
    "pending_reason": dict(PendingReason.choices),
    "resolution_code": dict(ResolutionCode.choices),
}
HIDDEN_HISTORY_FIELDS = frozenset({"file", "sha256"})
HISTORY_VERBS = {"create": "created", "update": "edited", "transition": "status change", "delete": "deleted"}


def _reference_names(entries: list[AuditEntry], user: User) -> dict[str, dict[Any, str]]:
    """Names for the ids in the diffs (workgroup 3 -> "Network"), one query per kind, within tenancy."""
    lookups = {
        "workgroup": lambda ids: Workgroup.objects.restrict(user).filter(pk__in=ids),
        "owner": lambda ids: User.objects.restrict(user).filter(pk__in=ids),
        "author": lambda ids: User.objects.restrict(user).filter(pk__in=ids),
        "uploaded_by": lambda ids: User.objects.restrict(user).filter(pk__in=ids),
        "organisation": lambda ids: Organisation.objects.restrict(user).filter(pk__in=ids),
        "requester": lambda ids: Person.objects.restrict(user).filter(pk__in=ids),
        "category": lambda ids: Category.objects.filter(pk__in=ids),
        "subcategory": lambda ids: Category.objects.filter(pk__in=ids),
        "parent": lambda ids: Incident.objects.restrict(user).filter(pk__in=ids),
        "service": lambda ids: Service.objects.filter(pk__in=ids),
        "sla": lambda ids: Sla.objects.filter(pk__in=ids),
    }
    wanted: dict[str, set] = {}
    for entry in entries:
        for name, pair in entry.changes.items():
            if name in lookups and isinstance(pair, list):
                wanted.setdefault(name, set()).update(v for v in pair if isinstance(v, int))
    names: dict[str, dict[Any, str]] = {}
    for name, ids in wanted.items():
        names[name] = {obj.pk: (obj.number if name == "parent" else str(obj)) for obj in lookups[name](ids)}
    return names


def _display(name: str, value: Any, names: dict[str, dict[Any, str]]) -> str:
    if value in (None, ""):
        return "—"
    if name in names:
        return names[name].get(value, f"#{value}")
    if name in CHOICE_LABELS:
        return CHOICE_LABELS[name].get(value, str(value))
    if name == "priority":
        return f"P{value}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        parsed = parse_datetime(value)
        if parsed is not None:
            return timezone.localtime(parsed).strftime("%d %b %Y %H:%M")
    return str(value)


@staff_only
@require_GET
def incident_history(request, number: str):
    incident = _incident_or_404(request, number)
    user = request.user
    comment_ids = [
        str(pk)
        for pk in Comment.objects.restrict(user).filter(incident=incident).values_list("pk", flat=True)
    ]
    attachment_ids = [
        str(pk)
        for pk in Attachment.objects.restrict(user).filter(incident=incident).values_list("pk", flat=True)
    ]
    types = ContentType.objects.get_for_models(Incident, Comment, Attachment)
    entries = list(
        AuditEntry.objects.filter(
            Q(content_type=types[Incident], object_id=str(incident.pk))
            | Q(content_type=types[Comment], object_id__in=comment_ids)
            | Q(content_type=types[Attachment], object_id__in=attachment_ids)
        )
        .select_related("actor")
        .order_by("at", "id")[:1000]
    )
    kinds = {types[Comment].pk: "Comment", types[Attachment].pk: "Attachment"}
    names = _reference_names(entries, user)
    rows = []
    for entry in entries:
        kind = kinds.get(entry.content_type_id, "Incident")
        diffs = []
        for name, pair in entry.changes.items():
            if (
                name in HIDDEN_HISTORY_FIELDS
                or name == "incident"
                or not isinstance(pair, list)
                or len(pair) != 2
            ):
                continue
            old, new = pair
            if entry.action == "create" and new in (None, "", False, 0) and name != "priority":
                continue
            diffs.append(
                {
                    "field": name.replace("_", " "),
                    "old": _display(name, old, names),
                    "new": _display(name, new, names),
                    "created": entry.action == "create",
                }
            )
        what = HISTORY_VERBS.get(entry.action, entry.action)
        rows.append({"entry": entry, "what": f"{kind} {what}", "diffs": diffs})
    context = {"incident": incident, "rows": rows, "active_tab": "history"}
    return render(request, "incidents/history.html", context)
