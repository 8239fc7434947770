"""The one write path for business-hours calendars: a calendar, its weekly hours and its exceptions are
written together, in one transaction, validated as a whole and audited (``core.crud`` / ``core.audit``).

Rows are given as mappings (times as ``datetime.time`` or ``"HH:MM"``, dates as ``datetime.date`` or
``"YYYY-MM-DD"``)::

    hours=[{"weekday": 0, "start": "09:00", "end": "12:30"}, {"weekday": 0, "start": "13:30", "end": "17:30"}]
    exceptions=[{"date": "2026-12-24", "kind": "open", "start": "09:00", "end": "13:00", "note": "Xmas Eve"},
                {"date": "2026-12-29", "kind": "closed"}]

Hours and exceptions given to :func:`update_calendar` replace the calendar's rows wholesale. After an
edit that changed anything but the notes, :data:`opsdesk.sla.signals.calendar_changed` is sent once,
inside the transaction, so the clocks counting in the calendar follow it. Only administrators and
managers change calendars; ``by=None`` is the system (demo, commands).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from opsdesk.accounts.models import User
from opsdesk.accounts.services import is_manager, require_manager
from opsdesk.core import crud
from opsdesk.core.audit import record
from opsdesk.sla.choices import ExceptionKind, Weekday
from opsdesk.sla.models import Calendar, CalendarException, CalendarHours, exceptions_error, hours_error
from opsdesk.sla.signals import calendar_changed

Rows = Iterable[Mapping[str, Any]]
FIELDS = {"name", "time_zone", "is_24x7", "holiday_country", "holiday_subdivision", "notes"}

can_manage = is_manager


def check_can_manage(user: User | None) -> None:
    require_manager(user, "change calendars")


# --- parsing and validating rows ------------------------------------------------------------------------


def _time(value: Any) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _field_errors(row, exclude: list[str]) -> list[str]:
    try:
        row.full_clean(exclude=exclude)
    except ValidationError as exc:
        return [message for messages in exc.message_dict.values() for message in messages]
    return []


def clean_hours(rows: Rows) -> list[CalendarHours]:
    """Unsaved opening-hours rows, checked together; a ValidationError on ``hours`` otherwise."""
    result, problems = [], []
    for number, row in enumerate(rows, start=1):
        weekday, start, end = row.get("weekday"), _time(row.get("start")), _time(row.get("end"))
        if isinstance(weekday, bool) or weekday not in Weekday.values:
            problems.append(f"Row {number}: the weekday is 0 (Monday) to 6 (Sunday).")
            continue
        label = Weekday(weekday).label
        if start is None or end is None:
            problems.append(f"{label}: give the start and end as HH:MM.")
            continue
        hours = CalendarHours(weekday=weekday, start=start, end=end)
        hours.check_siblings = False
        problems += [f"{label} {start:%H:%M}-{end:%H:%M}: {m}" for m in _field_errors(hours, ["calendar"])]
        result.append(hours)
    if not problems:
        error = hours_error(result)
        if error:
            problems.append(error)
    if problems:
        raise ValidationError({"hours": list(dict.fromkeys(problems))})
    return sorted(result, key=lambda h: (h.weekday, h.start))


def clean_exceptions(rows: Rows) -> list[CalendarException]:
    """Unsaved exception rows, checked together; a ValidationError on ``exceptions`` otherwise."""
    result, problems = [], []
    for number, row in enumerate(rows, start=1):
        day = _date(row.get("date"))
        kind = row.get("kind") or ExceptionKind.CLOSED
        if day is None:
            problems.append(f"Row {number}: give the date as YYYY-MM-DD.")
            continue
        if kind not in ExceptionKind.values:
            problems.append(f"{day}: the kind is 'closed' or 'open'.")
            continue
        start, end = row.get("start"), row.get("end")
        start_time, end_time = _time(start), _time(end)
        if (start not in (None, "") and start_time is None) or (end not in (None, "") and end_time is None):
            problems.append(f"{day}: give the hours as HH:MM.")
            continue
        exception = CalendarException(
            date=day, kind=kind, start=start_time, end=end_time, note=(row.get("note") or "").strip()
        )
        exception.check_siblings = False
        problems += [f"{day}: {m}" for m in _field_errors(exception, ["calendar"])]
        result.append(exception)
    if not problems:
        error = exceptions_error(result)
        if error:
            problems.append(error)
    if problems:
        raise ValidationError({"exceptions": list(dict.fromkeys(problems))})
    return sorted(result, key=lambda e: (e.date, e.start or dt.time(0)))


def hours_table(rows: Iterable[CalendarHours]) -> list[list[Any]]:
    """Weekly hours as ``[[weekday, "HH:MM", "HH:MM"], ...]`` (for the audit and comparisons)."""
    return sorted([r.weekday, f"{r.start:%H:%M}", f"{r.end:%H:%M}"] for r in rows)


def exceptions_table(rows: Iterable[CalendarException]) -> list[list[Any]]:
    """Exceptions as ``[[date, kind, start, end, note], ...]``."""
    return sorted(
        [
            r.date.isoformat(),
            str(r.kind),
            f"{r.start:%H:%M}" if r.start else "",
            f"{r.end:%H:%M}" if r.end else "",
            r.note,
        ]
        for r in rows
    )


def _check_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in sorted(unknown)})


def _normalised(fields: Mapping[str, Any]) -> dict[str, Any]:
    """As :meth:`Calendar.clean` would store them, so that an unchanged value is not a change."""
    result = dict(fields)
    for name in ("holiday_country", "holiday_subdivision"):
        if isinstance(result.get(name), str):
            result[name] = result[name].strip()
    if isinstance(result.get("holiday_country"), str):
        result["holiday_country"] = result["holiday_country"].upper()
    return result


def _replace_rows(calendar: Calendar, hours, exceptions) -> dict[str, list]:
    """Write the given rows (``None``: keep) and return the audit diff of what changed."""
    changes: dict[str, list] = {}
    if hours is not None:
        before, after = hours_table(calendar.hours.all()), hours_table(hours)
        if before != after:
            calendar.hours.all().delete()
            for row in hours:
                row.calendar = calendar
            CalendarHours.objects.bulk_create(hours)
            changes["hours"] = [before, after]
    if exceptions is not None:
        before, after = exceptions_table(calendar.exceptions.all()), exceptions_table(exceptions)
        if before != after:
            calendar.exceptions.all().delete()
            for row in exceptions:
                row.calendar = calendar
            CalendarException.objects.bulk_create(exceptions)
            changes["exceptions"] = [before, after]
    return changes


# --- writes ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_calendar(
    *, by: User | None = None, hours: Rows = (), exceptions: Rows = (), **fields: Any
) -> Calendar:
    """A new calendar with its weekly hours and exceptions (no clock counts in it yet: no signal)."""
    check_can_manage(by)
    _check_fields(fields)
    errors: dict[str, list[str]] = {}
    hour_rows = exception_rows = None
    try:
        hour_rows = clean_hours(hours)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        exception_rows = clean_exceptions(exceptions)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        calendar = crud.create(Calendar, **fields)
    except ValidationError as exc:
        raise ValidationError({**exc.message_dict, **errors})
    if errors:
        raise ValidationError(errors)
    changes = _replace_rows(calendar, hour_rows, exception_rows)
    if changes:
        record(calendar, "update", changes, summary="hours and exceptions set")
    return calendar


@transaction.atomic
def update_calendar(
    calendar: Calendar,
    changes: Mapping[str, Any],
    *,
    by: User | None = None,
    expected_version: int | None = None,
    hours: Rows | None = None,
    exceptions: Rows | None = None,
) -> Calendar:
    """Change fields and, if given, replace the weekly hours and/or the exceptions; one version check and
    one version bump cover all of it, and ``calendar_changed`` is sent once (notes alone concern no
    clock)."""
    check_can_manage(by)
    _check_fields(changes)
    errors: dict[str, list[str]] = {}
    hour_rows = exception_rows = None
    if hours is not None:
        try:
            hour_rows = clean_hours(hours)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if exceptions is not None:
        try:
            exception_rows = clean_exceptions(exceptions)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    fresh = crud.lock(calendar, expected_version)
    version = fresh.version
    changes = {k: v for k, v in _normalised(changes).items() if getattr(fresh, k) != v}
    affects_clocks = any(name != "notes" for name in changes)
    if changes:
        try:
            fresh = crud.update(fresh, changes)
        except ValidationError as exc:
            raise ValidationError({**exc.message_dict, **errors})
    if errors:
        raise ValidationError(errors)
    rows_changed = _replace_rows(fresh, hour_rows, exception_rows)
    if rows_changed:
        if fresh.version == version:
            fresh.version += 1
            fresh.save(update_fields=["version", "updated_at"])
        record(fresh, "update", rows_changed, summary="hours or exceptions changed")
    if affects_clocks or rows_changed:
        calendar_changed.send(sender=Calendar, calendar=fresh, by=by, reason=f"Calendar {fresh.name} edited")
    return fresh
