"""The incident page: timeline, SLA panel, the lifecycle actions allowed now, replies, work notes and
attachments, and the history tab."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from opsdesk.accounts.models import Organisation, Person, User, Workgroup
from opsdesk.catalogue.models import Service
from opsdesk.cmdb.models import CI
from opsdesk.core.downloads import file_download
from opsdesk.core.errors import IllegalTransition, PermissionDenied, StaleObject
from opsdesk.core.models import AuditEntry
from opsdesk.core.views import apply_errors, focus_first_error, staff_only
from opsdesk.incidents import clocks, services
from opsdesk.incidents.choices import (
    PRIORITY_LABELS,
    Channel,
    Impact,
    PendingReason,
    ResolutionCode,
    Status,
    Urgency,
)
from opsdesk.incidents.forms import (
    ACTION_BUTTONS,
    ACTION_FORMS,
    ACTION_LEGENDS,
    ActionForm,
    AttachmentForm,
    CommentForm,
)
from opsdesk.incidents.models import Attachment, Category, Comment, Incident
from opsdesk.incidents.views.common import STALE_MESSAGE, incident_or_404
from opsdesk.incidents.workflow import INCIDENT_WORKFLOW
from opsdesk.sla.models import Sla

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


CHILDREN_SHOWN = 50


def _children(incident: Incident, user: User) -> tuple[list[Incident], bool]:
    """The child incidents of a major incident, newest first: one query, at most CHILDREN_SHOWN rows
    (and whether there are more)."""
    rows = list(
        Incident.objects.restrict(user)
        .filter(parent=incident)
        .select_related("owner", "workgroup")
        .order_by("-id")[: CHILDREN_SHOWN + 1]
    )
    return rows[:CHILDREN_SHOWN], len(rows) > CHILDREN_SHOWN


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
    for form in [*(action_forms or {}).values(), comment_form, attachment_form]:
        if form is not None and form.is_bound:
            focus_first_error(form)
    children, more_children = _children(incident, user)
    context = {
        "incident": incident,
        "parent": Incident.objects.restrict(user).filter(pk=incident.parent_id).first()
        if incident.parent_id
        else None,
        "children": children,
        "more_children": more_children,
        "children_shown": CHILDREN_SHOWN,
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
    return _render_detail(request, incident_or_404(request, number))


def _after_post(request, incident: Incident, notice: str):
    """HTMX gets the re-rendered detail region; a plain form post is redirected (POST/redirect/GET)."""
    if request.htmx:
        fresh = incident_or_404(request, incident.number)
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
    incident = incident_or_404(request, number)
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
        incident = incident_or_404(request, number)
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
    incident = incident_or_404(request, number)
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
    incident = incident_or_404(request, number)
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
    incident = incident_or_404(request, number)
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
        "cis": lambda ids: CI.objects.restrict(user).filter(pk__in=ids),
    }
    wanted: dict[str, set] = {}
    for entry in entries:
        for name, pair in entry.changes.items():
            if name in lookups and isinstance(pair, list):
                # The CIs are lists of ids on both sides.
                flat = [i for v in pair for i in (v if isinstance(v, list) else [v])]
                wanted.setdefault(name, set()).update(v for v in flat if isinstance(v, int))
    names: dict[str, dict[Any, str]] = {}
    for name, ids in wanted.items():
        names[name] = {obj.pk: (obj.number if name == "parent" else str(obj)) for obj in lookups[name](ids)}
    return names


def _display(name: str, value: Any, names: dict[str, dict[Any, str]]) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(_display(name, v, names) for v in value)
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
    incident = incident_or_404(request, number)
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
                    "field": "configuration items" if name == "cis" else name.replace("_", " "),
                    "old": _display(name, old, names),
                    "new": _display(name, new, names),
                    "created": entry.action == "create",
                }
            )
        what = HISTORY_VERBS.get(entry.action, entry.action)
        rows.append({"entry": entry, "what": f"{kind} {what}", "diffs": diffs})
    context = {"incident": incident, "rows": rows, "active_tab": "history"}
    return render(request, "incidents/history.html", context)
