"""``/api/v1/reports/sla`` (compliance rows, the same figures as the page and the CSV) and
``/api/v1/reports/sla/breaches`` (the incidents behind a breach count, paginated).

Provider staff and customer managers only (anyone else: 403); an organisation or service the caller may
not see is a 404. Query parameters as on the page: organisation, service (id or ``none``), priority,
``from``/``to`` (YYYY-MM) and ``by``.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router

from opsdesk.core.api import ERRORS, ApiError, page_of, page_size_default, page_size_max, paginate
from opsdesk.reports import compliance
from opsdesk.reports.compliance import Report, Row
from opsdesk.reports.params import query_string, selection_from
from opsdesk.reports.schemas import BreachOut, SlaReportOut

router = Router(tags=["reports"])

PARAMS = {
    "organisation": "Customer organisation id",
    "service": "Service id, or 'none' for incidents without a service",
    "priority": "0-4",
    "from": "First month, YYYY-MM (default: five months before 'to')",
    "to": "Last month, YYYY-MM, inclusive (default: this month)",
    "by": "Group rows by any of month, organisation, service, priority (comma-separated)",
}


def _selection(request):
    if not compliance.can_read(request.auth):
        raise ApiError(403, "Only service-desk staff and customer managers may read reports.")
    try:
        return selection_from(request.GET, request.auth, timezone.now())
    except Http404 as exc:
        raise ApiError(404, str(exc) + ".") from exc


def _ref(pk, name):
    return None if pk is None else {"id": pk, "name": name}


def _row(request, report: Report, row: Row, by) -> dict:
    narrowed = report.selection.narrowed(**row.cell(by))
    return {
        "month": row.month.strftime("%Y-%m") if row.month else None,
        "organisation": _ref(row.organisation_id, row.organisation),
        "service": _ref(row.service_id, row.service),
        "priority": row.priority,
        "incidents": row.incidents,
        "breaches": row.breaches,
        "breaches_url": request.build_absolute_uri(
            f"/api/v1/reports/sla/breaches?{query_string(narrowed, by=False)}"
        ),
        "response": row.response.as_dict(),
        "resolution": row.resolution.as_dict(),
    }


@router.get("/sla", response={200: SlaReportOut, **ERRORS}, by_alias=True)
def sla_report(
    request,
    organisation: int | None = Query(None, description=PARAMS["organisation"]),
    service: str | None = Query(None, description=PARAMS["service"]),
    priority: int | None = Query(None, ge=0, le=4, description=PARAMS["priority"]),
    from_: str | None = Query(None, alias="from", description=PARAMS["from"]),
    to: str | None = Query(None, description=PARAMS["to"]),
    by: str | None = Query(None, description=PARAMS["by"]),
):
    selection = _selection(request)
    report = compliance.compliance(request.auth, selection)
    return {
        "from": selection.first.strftime("%Y-%m"),
        "to": selection.last.strftime("%Y-%m"),
        "by": list(selection.by),
        "time_zone": timezone.get_default_timezone_name(),
        "as_of": report.now,
        "rows": [_row(request, report, row, selection.by) for row in report.rows],
        "total": _row(request, report, report.total, ()),
    }


@router.get("/sla/breaches", response={200: page_of(BreachOut), **ERRORS})
def sla_breaches(
    request,
    organisation: int | None = Query(None, description=PARAMS["organisation"]),
    service: str | None = Query(None, description=PARAMS["service"]),
    priority: int | None = Query(None, ge=0, le=4, description=PARAMS["priority"]),
    from_: str | None = Query(None, alias="from", description=PARAMS["from"]),
    to: str | None = Query(None, description=PARAMS["to"]),
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = None,
):
    selection = _selection(request)
    now = timezone.now()
    page = paginate(
        request, compliance.breaches(request.auth, selection, now), ["-id"], limit=limit, cursor=cursor
    )
    page["results"] = [
        {
            "number": incident.number,
            "title": incident.title,
            "url": request.build_absolute_uri(f"/api/v1/incidents/{incident.number}"),
            "organisation": _ref(incident.organisation_id, incident.organisation.name),
            "service": _ref(incident.service_id, incident.service.name if incident.service_id else ""),
            "priority": incident.priority,
            "opened_at": incident.opened_at,
            "breached": compliance.breached_clocks(incident, now),
        }
        for incident in page["results"]
    ]
    return page
