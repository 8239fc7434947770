"""The calendar pages under ``/slas/calendars/``: the list, the detail (weekly hours, exceptions, the next
public holidays, the SLAs counting in it) and the forms to create and edit a calendar.

Staff read every calendar; a customer reads the calendars their visible SLAs count in (else 404);
administrators and managers write, through ``sla.calendar_services``.
"""

from __future__ import annotations

import functools
from zoneinfo import available_timezones

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from opsdesk.core.history import render_history
from opsdesk.core.views import apply_errors, save_form, staff_only
from opsdesk.sla import calendar_services as services
from opsdesk.sla.choices import ExceptionKind, Weekday
from opsdesk.sla.forms import CalendarForm, subdivision_options
from opsdesk.sla.holiday_info import country_choices, subdivision_choices, upcoming_holidays
from opsdesk.sla.models import Calendar, Sla
from opsdesk.sla.parsing import format_intervals
from opsdesk.sla.views import forbidden


@functools.cache
def _time_zones() -> list[str]:
    return sorted(available_timezones())


def _calendar_or_404(request, calendar_id: int) -> Calendar:
    calendar = (
        Calendar.objects.restrict(request.user)
        .prefetch_related("hours", "exceptions")
        .filter(pk=calendar_id)
        .first()
    )
    if calendar is None:
        raise Http404("No such calendar")
    return calendar


def _weekly(calendar: Calendar) -> list[dict]:
    return [
        {
            "day": day.label,
            "hours": format_intervals(
                (h.start, h.end) for h in calendar.hours.all() if h.weekday == day
            ).replace("-", "–"),
        }
        for day in Weekday
    ]


def _exceptions(calendar: Calendar, today) -> list[dict]:
    by_date: dict = {}
    for row in calendar.exceptions.all():
        entry = by_date.setdefault(
            row.date,
            {"date": row.date, "closed": False, "intervals": [], "note": "", "past": row.date < today},
        )
        entry["closed"] = entry["closed"] or row.kind == ExceptionKind.CLOSED
        if row.start and row.end:
            entry["intervals"].append((row.start, row.end))
        entry["note"] = entry["note"] or row.note
    for entry in by_date.values():
        entry["hours"] = format_intervals(entry["intervals"]).replace("-", "–")
    return [by_date[day] for day in sorted(by_date)]


@login_required
def calendar_list(request):
    calendars = Calendar.objects.restrict(request.user).prefetch_related("hours").order_by("name", "id")
    names = dict(country_choices())
    rows = [
        {
            "calendar": c,
            "days": sum(1 for day in Weekday if any(h.weekday == day for h in c.hours.all())),
            "holidays": names.get(c.holiday_country, c.holiday_country),
        }
        for c in calendars
    ]
    context = {"rows": rows, "can_manage": services.can_manage(request.user)}
    return render(request, "sla/calendar_list.html", context)


@login_required
def calendar_detail(request, calendar_id: int):
    calendar = _calendar_or_404(request, calendar_id)
    today = timezone.localdate()
    exceptions = _exceptions(calendar, today)
    opened = {e["date"]: e for e in exceptions}
    holidays = [
        {"date": h.date, "name": h.name, "exception": opened.get(h.date)}
        for h in upcoming_holidays(calendar.holiday_country, calendar.holiday_subdivision, today)
    ]
    context = {
        "calendar": calendar,
        "weekly": _weekly(calendar),
        "exceptions": exceptions,
        "holidays": holidays,
        "country": dict(country_choices()).get(calendar.holiday_country, calendar.holiday_country),
        "region": dict(subdivision_choices(calendar.holiday_country)).get(
            calendar.holiday_subdivision, calendar.holiday_subdivision
        ),
        "slas": Sla.objects.restrict(request.user).filter(calendar=calendar).select_related("organisation"),
        "can_manage": services.can_manage(request.user),
    }
    return render(request, "sla/calendar_detail.html", context)


@staff_only
@require_GET
def calendar_history(request, calendar_id: int):
    calendar = _calendar_or_404(request, calendar_id)
    context = {
        "section": "Calendars",
        "section_url": "/slas/calendars/",
        "base_url": calendar.get_absolute_url(),
    }
    return render_history(request, calendar, "history.html", context)


def _render_form(request, form, calendar, status):
    context = {"form": form, "calendar": calendar, "time_zones": _time_zones()}
    return render(request, "sla/calendar_form.html", context, status=status)


@staff_only
def calendar_create(request):
    user = request.user
    if not services.can_manage(user):
        return forbidden()
    if request.method != "POST":
        return _render_form(request, CalendarForm(), None, 200)
    form = CalendarForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            calendar = services.create_calendar(
                by=user, hours=data["hours"], exceptions=data["exceptions"], **form.fields_for_service()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Created the calendar “{calendar.name}”.")
            return redirect(calendar.get_absolute_url())
    return _render_form(request, form, None, 422)


@staff_only
def calendar_edit(request, calendar_id: int):
    user = request.user
    calendar = _calendar_or_404(request, calendar_id)
    if not services.can_manage(user):
        return forbidden()
    if request.method != "POST":
        return _render_form(request, CalendarForm(calendar=calendar), calendar, 200)
    form = CalendarForm(request.POST, calendar=calendar)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        status = save_form(
            form,
            lambda: services.update_calendar(
                calendar,
                form.fields_for_service(),
                by=user,
                expected_version=data["version"],
                hours=data["hours"],
                exceptions=data["exceptions"],
            ),
        )
        if status is None:
            messages.success(request, f"Saved the calendar “{calendar.name}”.")
            return redirect(calendar.get_absolute_url())
    return _render_form(request, form, calendar, status)


@staff_only
@require_GET
def subdivision_list(request):
    country = request.GET.get("holiday_country", "")
    valid = {code for code, _name in country_choices()}
    options = subdivision_options(country if country in valid else "")
    return render(request, "sla/_options.html", {"options": options})
