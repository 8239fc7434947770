"""The incident queue as a CSV download: the same filters, sort and tenancy as ``/incidents/``, streamed in
keyset chunks so that a million rows cost one chunk of memory and one query per chunk.

Descriptions, resolution notes and work notes are left out: a spreadsheet travels further than the
service desk (mail, shared drives), and internal notes must never reach a customer by that road.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from opsdesk.core.downloads import csv_download
from opsdesk.core.pagination import keyset_chunks
from opsdesk.core.views import staff_only
from opsdesk.incidents import clocks
from opsdesk.incidents.choices import Channel, Status
from opsdesk.incidents.filters import IncidentFilter
from opsdesk.incidents.models import Category, Incident, format_number
from opsdesk.incidents.views.queue import expand_mine, owner_name

CHUNK_SIZE = 2000
HEADER = (
    "Number",
    "Title",
    "Organisation",
    "Requester",
    "Channel",
    "Category",
    "Subcategory",
    "Priority",
    "Status",
    "Workgroup",
    "Owner",
    "Service",
    "Opened",
    "Accepted",
    "Completed",
    "Closed",
    "Response due",
    "Response state",
    "Resolution due",
    "Resolution state",
    "Reopen count",
)
# One query per chunk: the incident row and the names it shows, joined; categories come from one lookup.
EXPORT_VALUES = (
    "id",
    "title",
    "organisation__name",
    "requester__full_name",
    "channel",
    "category_id",
    "subcategory_id",
    "priority",
    "status",
    "workgroup__name",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "service__name",
    "opened_at",
    "accepted_at",
    "completed_at",
    "closed_at",
    "updated_at",  # a sort column
    "next_due_at",  # a sort column
    "response_state",
    "response_due_at",
    "response_warn_at",
    "response_breached",
    "resolution_state",
    "resolution_due_at",
    "resolution_warn_at",
    "resolution_breached",
    "reopen_count",
)
CLOCK_WORDS = {"none": "", "running": "Running", "paused": "Paused", "met": "Met", "breached": "Breached"}


def _when(value: dt.datetime | None) -> str:
    """``2026-03-03 14:05`` in the current time zone: a form every spreadsheet reads as a date."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _clock(row: SimpleNamespace, clock: str, now: dt.datetime) -> str:
    if clocks.at_risk(row, clock, now):
        return "At risk"
    return CLOCK_WORDS[clocks.status(row, clock, now)]


def export_row(values: dict[str, Any], categories: dict[int, str], now: dt.datetime) -> list[Any]:
    row = SimpleNamespace(**values)
    return [
        format_number(row.id),
        row.title,
        row.organisation__name,
        row.requester__full_name,
        Channel(row.channel).label,
        categories.get(row.category_id, ""),
        categories.get(row.subcategory_id, ""),
        row.priority,
        Status(row.status).label,
        row.workgroup__name or "",
        owner_name(values),
        row.service__name or "",
        _when(row.opened_at),
        _when(row.accepted_at),
        _when(row.completed_at),
        _when(row.closed_at),
        _when(row.response_due_at),
        _clock(row, "response", now),
        _when(row.resolution_due_at),
        _clock(row, "resolution", now),
        row.reopen_count,
    ]


def _rows(qs, order: list[str]) -> Iterator[list[list[Any]]]:
    categories = dict(Category.objects.values_list("id", "name"))
    now = timezone.now()
    for chunk in keyset_chunks(qs, order, CHUNK_SIZE):
        yield [export_row(values, categories, now) for values in chunk]


@staff_only
@require_GET
def incident_export(request):
    """``/incidents/export.csv?<the queue's query>``: every incident the queue would list, in its order."""
    user = request.user
    try:
        flt = IncidentFilter.from_query(expand_mine(request.GET, user), me_id=user.pk)
    except ValidationError as exc:
        lines = [f"{name}: {message}" for name, messages in exc.message_dict.items() for message in messages]
        return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")
    qs = flt.apply(Incident.objects.restrict(user)).values(*EXPORT_VALUES)
    filename = f"incidents-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_download(HEADER, _rows(qs, flt.order_fields()), filename)
