"""The dashboard, the incident queue (filters, sort, keyset pages, saved views)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from opsdesk.accounts.choices import STAFF_ROLES
from opsdesk.accounts.models import Organisation, User, Workgroup
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.catalogue.models import Service
from opsdesk.cmdb.models import CI
from opsdesk.core.pagination import BadCursor, KeysetPage, keyset_page
from opsdesk.core.views import apply_errors, staff_only
from opsdesk.incidents import services
from opsdesk.incidents.choices import (
    OPEN_STATUSES,
    PRIORITY_LABELS,
    Status,
)
from opsdesk.incidents.filters import DATE_RANGE_SORT, DEFAULT_SORT, IncidentFilter
from opsdesk.incidents.forms import (
    UNACCEPTED,
    QueueFilterForm,
    SaveViewForm,
)
from opsdesk.incidents.models import Category, Incident, SavedView, format_number
from opsdesk.incidents.templatetags.incident_ui import due_cell, priority_badge, status_badge
from opsdesk.incidents.views.common import MAX_PAGE_SIZE, PAGE_SIZE

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
    "ci",
    "parent",
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


def expand_mine(query: QueryDict, user: User) -> QueryDict:
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


def owner_name(values: dict[str, Any]) -> str:
    """The owner's full name, else login, from a row with ``owner__first_name/last_name/username``
    (empty when nobody owns the incident)."""
    full = f"{values['owner__first_name'] or ''} {values['owner__last_name'] or ''}".strip()
    return full or values["owner__username"] or ""


def queue_row(values: dict[str, Any]) -> dict[str, Any]:
    """One queue row, ready to show, from a :meth:`IncidentQuerySet.queue_rows` row."""
    opened_iso, opened = _when(values["opened_at"])
    updated_iso, updated = _when(values["updated_at"], with_year=False)
    number = format_number(values["id"])
    owner = owner_name(values)
    return {
        "number": number,
        "url": f"/incidents/{number}/",
        "priority": priority_badge(values["priority"]),
        "status": status_badge(values["status"]),
        "title": values["title"],
        "organisation": values["organisation__name"],
        "requester": values["requester__full_name"],
        "workgroup": values["workgroup__name"] or "—",
        "owner": owner or "—",
        "due": due_cell(values),
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
        flt = IncidentFilter.from_query(expand_mine(request.GET, user), me_id=user.pk)
    except ValidationError as exc:
        errors = exc
    try:
        limit = min(max(int(request.GET.get("limit", PAGE_SIZE)), 1), MAX_PAGE_SIZE)
    except ValueError:
        limit = PAGE_SIZE
    limit_param = {"limit": limit} if limit != PAGE_SIZE else {}
    page = KeysetPage()
    if flt is not None:
        qs = flt.apply(Incident.objects.restrict(user)).queue_rows()
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
        "export_url": f"/incidents/export.csv?{current}" if current else "/incidents/export.csv",
        "saved_views": [
            {"view": v, "url": f"?{v.query}", "active": canonical_query(QueryDict(v.query)) == current}
            for v in saved
        ],
        "save_form": SaveViewForm(initial={"query": current}, prefix="save"),
        # Reached from a CI's page: the filter bar has no field for it, so it says so and keeps it.
        "filter_cis": list(CI.objects.restrict(user).filter(pk__in=flt.ci).only("id", "name"))
        if flt is not None and flt.ci
        else [],
        # Reached from a major incident's page, likewise.
        "filter_parents": list(
            Incident.objects.restrict(user).filter(pk__in=flt.parent).only("id", "title").order_by("id")
        )
        if flt is not None and flt.parent
        else [],
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
