"""Business-hours calendars as stored and edited; :meth:`Calendar.to_business_calendar` gives the pure value
that the arithmetic in :mod:`opsdesk.sla.calendars` works on."""

from __future__ import annotations

import functools
from collections import defaultdict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.db import models

from opsdesk.core.models import OpsdeskModel
from opsdesk.sla.calendars import BusinessCalendar, check_holiday_region, normalise_intervals
from opsdesk.sla.choices import ExceptionKind, Weekday


@functools.cache
def _known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    """An IANA time-zone name such as ``Europe/London``."""
    if value not in _known_time_zones():
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                "%(value)s is not a known time zone; use an IANA name such as Europe/London.",
                code="invalid_time_zone",
                params={"value": value},
            )


def _interval_error(intervals, where: str) -> str | None:
    try:
        normalise_intervals(intervals, where)
    except ValueError as exc:
        return str(exc)
    return None


class Calendar(OpsdeskModel):
    """When service-level clocks run: weekly hours, a time zone, public holidays, exceptions; or 24x7."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_time_zone],
        help_text="IANA time zone the opening hours are in, e.g. Europe/London.",
    )
    is_24x7 = models.BooleanField(
        "24x7", default=False, help_text="Every hour counts; hours, holidays and exceptions are ignored."
    )
    holiday_country = models.CharField(
        max_length=3,
        blank=True,
        help_text="ISO 3166 code of the country whose public holidays close the calendar, e.g. GB.",
    )
    holiday_subdivision = models.CharField(
        max_length=32, blank=True, help_text="Region within that country, e.g. ENG for England."
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        self.holiday_country = (self.holiday_country or "").strip().upper()
        self.holiday_subdivision = (self.holiday_subdivision or "").strip()
        if self.holiday_subdivision and not self.holiday_country:
            raise ValidationError({"holiday_subdivision": "Choose the holiday country first."})
        try:
            check_holiday_region(self.holiday_country)
        except ValueError as exc:
            raise ValidationError({"holiday_country": str(exc)})
        try:
            check_holiday_region(self.holiday_country, self.holiday_subdivision)
        except ValueError as exc:
            raise ValidationError({"holiday_subdivision": str(exc)})

    def to_business_calendar(self) -> BusinessCalendar:
        """The calendar as a pure value for :mod:`opsdesk.sla.calendars`.

        Public holidays are looked up for whichever years the arithmetic reaches, so no year range is
        needed here. Prefetch ``hours`` and ``exceptions`` when building many calendars.
        """
        weekly: dict[int, list] = defaultdict(list)
        for row in self.hours.all():
            weekly[row.weekday].append((row.start, row.end))
        closed = set()
        opened: dict = defaultdict(list)
        for row in self.exceptions.all():
            if row.kind == ExceptionKind.CLOSED:
                closed.add(row.date)
            else:
                opened[row.date].append((row.start, row.end))
        return BusinessCalendar(
            tz=self.time_zone,
            weekly=dict(weekly),
            closed_dates=frozenset(closed),
            open_dates=dict(opened),
            holiday_country=self.holiday_country,
            holiday_subdivision=self.holiday_subdivision,
            always_open=self.is_24x7,
        )


class CalendarHours(OpsdeskModel):
    """One opening interval on a weekday; several per day for breaks."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField(help_text="00:00 means midnight at the end of the day.")

    # Checked against the calendar's saved rows; an editor that validates all rows together turns it off.
    check_siblings = True

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = "opening hours"
        verbose_name_plural = "opening hours"
        constraints = [models.CheckConstraint(condition=models.Q(weekday__lte=6), name="sla_hours_weekday")]

    def __str__(self) -> str:
        return f"{Weekday(self.weekday).label} {self.start:%H:%M}-{self.end:%H:%M}"

    def clean(self):
        super().clean()
        if self.start is None or self.end is None or self.weekday is None:
            return
        label = Weekday(self.weekday).label
        error = _interval_error([(self.start, self.end)], label)
        if error:
            raise ValidationError({"end": "The end must be after the start (00:00 means midnight)."})
        if not self.check_siblings or self.calendar_id is None:
            return
        others = CalendarHours.objects.filter(calendar_id=self.calendar_id, weekday=self.weekday)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        for other in others:
            if _interval_error([(self.start, self.end), (other.start, other.end)], label):
                raise ValidationError(
                    {"start": f"Overlaps the opening hours {other.start:%H:%M}-{other.end:%H:%M} on {label}."}
                )


class CalendarException(OpsdeskModel):
    """A date that departs from the weekly hours: closed all day, or open with its own hours.

    Several open rows on one date give several intervals; they replace that weekday's usual hours and win
    over a public holiday.
    """

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    kind = models.CharField(max_length=8, choices=ExceptionKind.choices, default=ExceptionKind.CLOSED)
    start = models.TimeField(null=True, blank=True, help_text="Open days only.")
    end = models.TimeField(null=True, blank=True, help_text="Open days only; 00:00 means midnight.")
    note = models.CharField(max_length=200, blank=True)

    check_siblings = True

    class Meta:
        ordering = ["calendar", "date", "start"]
        indexes = [models.Index(fields=["calendar", "date"], name="sla_exception_date_idx")]

    def __str__(self) -> str:
        if self.kind == ExceptionKind.OPEN and self.start and self.end:
            return f"{self.date} open {self.start:%H:%M}-{self.end:%H:%M}"
        return f"{self.date} closed"

    def clean(self):
        super().clean()
        if self.kind == ExceptionKind.CLOSED:
            if self.start is not None or self.end is not None:
                raise ValidationError(
                    {"start": "A closed day has no hours; to open part of a day, add an open exception."}
                )
        else:
            errors = {}
            if self.start is None:
                errors["start"] = "Give the time the calendar opens on this day."
            if self.end is None:
                errors["end"] = "Give the time the calendar closes on this day."
            if errors:
                raise ValidationError(errors)
            if _interval_error([(self.start, self.end)], str(self.date)):
                raise ValidationError({"end": "The end must be after the start (00:00 means midnight)."})
        if not self.check_siblings or self.calendar_id is None or self.date is None:
            return
        others = CalendarException.objects.filter(calendar_id=self.calendar_id, date=self.date)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        error = exceptions_error([self, *others])
        if error:
            raise ValidationError({"date": error})


def exceptions_error(rows) -> str | None:
    """Why exception rows of one calendar cannot stand together (``None``: they can).

    A date is either closed (once) or open with non-overlapping intervals.
    """
    by_date = defaultdict(list)
    for row in rows:
        by_date[row.date].append(row)
    for day, group in sorted(by_date.items()):
        kinds = {row.kind for row in group}
        if len(kinds) > 1:
            return f"{day} cannot be both closed and open."
        if kinds == {ExceptionKind.CLOSED}:
            if len(group) > 1:
                return f"{day} is already a closed day."
            continue
        intervals = [(row.start, row.end) for row in group if row.start is not None and row.end is not None]
        error = _interval_error(intervals, str(day))
        if error:
            return error
    return None


def hours_error(rows) -> str | None:
    """Why weekly-hours rows of one calendar cannot stand together (``None``: they can)."""
    by_day = defaultdict(list)
    for row in rows:
        by_day[row.weekday].append((row.start, row.end))
    for weekday, intervals in sorted(by_day.items()):
        error = _interval_error(intervals, Weekday(weekday).label)
        if error:
            return error
    return None
