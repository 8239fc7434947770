"""The report pages: ``/reports/`` (what there is), ``/reports/sla/`` (compliance with charts, CSV at
``/reports/sla.csv``, the breaches behind a row at ``/reports/sla/breaches/``) and the monthly service
report per customer, ``/reports/service/<organisation>/<YYYY-MM>/``.

Provider staff read the customers in their scope; a customer manager reads their own organisation; any
other user gets a 404, as does a customer or service they may not see.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from opsdesk.core.pagination import BadCursor, keyset_page
from opsdesk.incidents.choices import PRIORITY_LABELS
from opsdesk.reports import compliance, csv_export, monthly
from opsdesk.reports.compliance import DIMENSION_LABELS, DIMENSIONS, NO_SERVICE
from opsdesk.reports.params import DEFAULT_BY, query_string, selection_from

BREACHES_PER_PAGE = 50


def reader_only(view):
    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not compliance.can_read(request.user):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapper


@reader_only
def index(request):
    now = timezone.now()
    context = {
        "customers": compliance.visible_customers(request.user),
        "last_month": compliance.add_months(compliance.this_month(now), -1).strftime("%Y-%m"),
    }
    return render(request, "reports/index.html", context)


def _form_context(request, error: ValidationError | None, selection=None) -> dict:
    params = request.GET
    chosen_by = selection.by if selection else tuple(params.getlist("by")) or DEFAULT_BY
    return {
        "customers": compliance.visible_customers(request.user),
        "services": compliance.visible_services(request.user),
        "priorities": sorted(PRIORITY_LABELS.items()),
        "dimensions": [(d, DIMENSION_LABELS[d], d in chosen_by) for d in DIMENSIONS],
        "values": {
            "organisation": params.get("organisation", ""),
            "service": params.get("service", ""),
            "priority": params.get("priority", ""),
            "from": selection.first.strftime("%Y-%m") if selection else params.get("from", ""),
            "to": selection.last.strftime("%Y-%m") if selection else params.get("to", ""),
        },
        "no_service": NO_SERVICE,
        "errors": error.message_dict if error is not None else {},
    }


def _chart(user, selection, now) -> dict:
    """Per month, over the whole selection: incidents and met percentages."""
    by_month = compliance.compliance(user, replace(selection, by=("month",)), now)
    found = {row.month: row for row in by_month.rows}
    months = compliance.months_between(selection.first, selection.last)
    rows = [
        found.get(m) or compliance.Row(month=m)
        for m in (compliance.add_months(selection.first, i) for i in range(months))
    ]
    return chart_data(rows)


def chart_data(rows) -> dict:
    return {
        "labels": [r.month.strftime("%b %Y") for r in rows],
        "incidents": [r.incidents for r in rows],
        "response": [r.response.met_percent for r in rows],
        "resolution": [r.resolution.met_percent for r in rows],
    }


@reader_only
def sla_report(request):
    now = timezone.now()
    try:
        selection = selection_from(request.GET, request.user, now)
    except ValidationError as exc:
        return render(request, "reports/sla.html", _form_context(request, exc), status=422)
    report = compliance.compliance(request.user, selection, now)
    rows = [
        {"row": row, "breaches_query": query_string(selection.narrowed(**row.cell(selection.by)), by=False)}
        for row in report.rows
    ]
    context = {
        **_form_context(request, None, selection),
        "report": report,
        "rows": rows,
        "by": selection.by,
        "by_labels": [DIMENSION_LABELS[d] for d in selection.by],
        "query": query_string(selection),
        "breaches_query": query_string(selection, by=False),
        "chart": _chart(request.user, selection, now),
        "time_zone": timezone.get_default_timezone_name(),
    }
    return render(request, "reports/sla.html", context)


@reader_only
def sla_csv(request):
    now = timezone.now()
    try:
        selection = selection_from(request.GET, request.user, now)
    except ValidationError as exc:
        return HttpResponse("; ".join(f"{k}: {v[0]}" for k, v in exc.message_dict.items()), status=422)
    report = compliance.compliance(request.user, selection, now)
    response = HttpResponse(csv_export.render(report), content_type="text/csv; charset=utf-8")
    name = f"sla-compliance-{selection.first:%Y-%m}-to-{selection.last:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@reader_only
def sla_breaches(request):
    now = timezone.now()
    try:
        selection = selection_from(request.GET, request.user, now)
    except ValidationError as exc:
        return render(request, "reports/breaches.html", _form_context(request, exc), status=422)
    qs = compliance.breaches(request.user, selection, now)
    try:
        page = keyset_page(qs, ["-id"], request.GET.get("cursor"), BREACHES_PER_PAGE)
    except BadCursor:
        return redirect(f"{request.path}?{query_string(selection, by=False)}")
    items = [(incident, compliance.breached_clocks(incident, now)) for incident in page.items]
    context = {
        "selection": selection,
        "items": items,
        "page": page,
        "query": query_string(selection, by=False),
    }
    return render(request, "reports/breaches.html", context)


@reader_only
def service_report_choose(request):
    organisation, month = request.GET.get("organisation", ""), request.GET.get("month", "")
    if organisation.isdigit() and month:
        return redirect(f"/reports/service/{organisation}/{month}/")
    return index(request)


@reader_only
def service_report(request, organisation_id: int, month: str):
    try:
        first = compliance.parse_month(month)
    except ValueError:
        raise Http404("No such month")
    organisation = compliance.visible_customers(request.user).filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404("No such organisation")
    data = monthly.build(request.user, organisation, first, timezone.now())
    context = {"report": data, "organisation": organisation, "trend_chart": chart_data(data.trend)}
    return render(request, "reports/service.html", context)
