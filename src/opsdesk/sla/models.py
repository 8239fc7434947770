"""Business-hours calendars as stored and edited; :meth:`Calendar.to_business_calendar` gives the pure value
that the arithmetic in :mod:`opsdesk.sla.calendars` works on."""

from __future__ import annotations

import functools
from collections import defaultdict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.db import models

from opsdesk.accounts.choices import OrganisationKind
from opsdesk.accounts.models import Organisation
from opsdesk.core.models import OpsdeskModel
from opsdesk.core.tenancy import RestrictedQuerySet
from opsdesk.sla.calendars import BusinessCalendar, check_holiday_region, normalise_intervals
from opsdesk.sla.choices import (
    DEFAULT_WARNING_THRESHOLDS,
    PRIORITIES,
    ExceptionKind,
    NotifyRole,
    PendingReason,
    Weekday,
)


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

    def get_absolute_url(self) -> str:
        return f"/slas/calendars/{self.pk}/"

    @classmethod
    def restrict_extra(cls, qs, user):
        # Calendars are the provider's; a customer sees those their visible SLAs count in.
        if user.is_provider_staff:
            return qs
        slas = Sla.objects.restrict(user).filter(is_active=True).values("calendar_id")
        return qs.filter(pk__in=slas)

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


# --- service-level agreements ---------------------------------------------------------------------------


def default_warning_thresholds() -> list[int]:
    return list(DEFAULT_WARNING_THRESHOLDS)


def default_notify_roles() -> list[str]:
    return list(NotifyRole.values)


def default_pausing_reasons() -> list[str]:
    return list(PendingReason.values)


def _choice_list_error(value, allowed: list[str], what: str) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return f"Give a list of {what}."
    unknown = [v for v in value if v not in allowed]
    if unknown:
        return f"Unknown {what}: {', '.join(unknown)} (choose from {', '.join(allowed)})."
    if len(set(value)) != len(value):
        return f"Each of the {what} may appear only once."
    return None


def thresholds_error(value) -> str | None:
    """Why ``value`` is not a list of warning thresholds (``None``: it is)."""
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return "Give at least one threshold, as whole percentages."
    if any(v < 1 or v > 100 for v in value):
        return "Every threshold is a percentage from 1 to 100."
    if any(b <= a for a, b in zip(value, value[1:], strict=False)):
        return "List the thresholds in ascending order, each once."
    return None


class SlaQuerySet(RestrictedQuerySet):
    def defaults(self) -> SlaQuerySet:
        return self.filter(is_default=True, is_active=True)


class Sla(OpsdeskModel):
    """A service-level agreement: response and resolution targets per priority, counted in a calendar.

    An SLA without an organisation is provider-wide; the provider-wide default applies to every customer
    without an SLA of its own. An organisation has at most one default SLA; others it has are used where a
    subscription names them.
    """

    name = models.CharField(max_length=100)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slas",
        help_text="Empty: provider-wide.",
    )
    is_default = models.BooleanField(
        "default",
        default=False,
        help_text="The organisation's default SLA (provider-wide: the default for every customer).",
    )
    calendar = models.ForeignKey(
        Calendar, on_delete=models.PROTECT, related_name="slas", help_text="When the SLA clocks run."
    )
    warning_thresholds = models.JSONField(
        default=default_warning_thresholds, help_text="Percentages of a target at which people are warned."
    )
    notify_roles = models.JSONField(default=default_notify_roles, help_text="Who is warned.", blank=True)
    pausing_reasons = models.JSONField(
        default=default_pausing_reasons, blank=True, help_text="Pending reasons that stop the clock."
    )
    is_active = models.BooleanField("active", default=True)
    notes = models.TextField(blank=True)

    objects = SlaQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "SLA"
        verbose_name_plural = "SLAs"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="sla_unique_name_per_organisation",
                condition=models.Q(organisation__isnull=False),
                violation_error_message="This organisation already has an SLA of that name.",
            ),
            models.UniqueConstraint(
                fields=["name"],
                name="sla_unique_provider_wide_name",
                condition=models.Q(organisation__isnull=True),
                violation_error_message="There is already a provider-wide SLA of that name.",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                name="sla_one_default_per_organisation",
                condition=models.Q(is_default=True, organisation__isnull=False),
                violation_error_message="This organisation already has a default SLA.",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                name="sla_one_provider_wide_default",
                condition=models.Q(is_default=True, organisation__isnull=True),
                violation_error_message="There is already a provider-wide default SLA.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/slas/{self.pk}/"

    @classmethod
    def restrict_extra(cls, qs, user):
        # Provider-wide SLAs are visible to everyone; an organisation's own only within the user's scope.
        scope = user.organisation_scope()
        if scope is None:
            return qs
        return qs.filter(models.Q(organisation__isnull=True) | models.Q(organisation_id__in=list(scope)))

    def clean(self):
        super().clean()
        errors = {}
        error = thresholds_error(self.warning_thresholds)
        if error:
            errors["warning_thresholds"] = error
        error = _choice_list_error(self.notify_roles, NotifyRole.values, "roles")
        if error:
            errors["notify_roles"] = error
        error = _choice_list_error(self.pausing_reasons, PendingReason.values, "pending reasons")
        if error:
            errors["pausing_reasons"] = error
        if self.organisation_id:
            org = Organisation.objects.filter(pk=self.organisation_id).first()
            if org is not None and org.kind != OrganisationKind.CUSTOMER:
                errors["organisation"] = "Only customer organisations have SLAs of their own."
        if self.is_default and not self.is_active:
            errors["is_active"] = "A default SLA must stay active; make another SLA the default first."
        others = Sla.objects.filter(organisation_id=self.organisation_id)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        if self.name and others.filter(name=self.name).exists():
            errors["name"] = (
                "This organisation already has an SLA of that name."
                if self.organisation_id
                else "There is already a provider-wide SLA of that name."
            )
        if self.is_default and others.filter(is_default=True).exists():
            errors["is_default"] = (
                "This organisation already has a default SLA."
                if self.organisation_id
                else "There is already a provider-wide default SLA."
            )
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # The uniqueness rules are checked in clean() with the field named; the database still enforces them.
        super().validate_constraints(exclude={*(exclude or ()), "organisation", "name", "is_default"})

    @property
    def is_provider_wide(self) -> bool:
        return self.organisation_id is None


class SlaTarget(models.Model):
    """Response (to Accepted) and resolution (to Completed) targets of one priority, in business minutes."""

    sla = models.ForeignKey(Sla, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(choices=[(p, f"P{p}") for p in PRIORITIES])
    response_minutes = models.PositiveIntegerField(help_text="Business minutes until accepted by an owner.")
    resolution_minutes = models.PositiveIntegerField(help_text="Business minutes until completed.")

    class Meta:
        ordering = ["sla", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["sla", "priority"], name="sla_target_unique_priority"),
            models.CheckConstraint(condition=models.Q(priority__lte=4), name="sla_target_priority"),
            models.CheckConstraint(
                condition=models.Q(response_minutes__gt=0)
                & models.Q(resolution_minutes__gte=models.F("response_minutes")),
                name="sla_target_positive_and_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"P{self.priority}: {self.response_minutes} / {self.resolution_minutes} min"


class SubscriptionSla(OpsdeskModel):
    """Which SLA a subscription is under. Kept here, not on the subscription: the catalogue sits below the
    SLAs and knows nothing of them."""

    subscription = models.OneToOneField(
        "catalogue.Subscription", on_delete=models.CASCADE, related_name="sla_link"
    )
    sla = models.ForeignKey(Sla, on_delete=models.PROTECT, related_name="subscription_links")

    class Meta:
        verbose_name = "subscription SLA"

    def __str__(self) -> str:
        return f"{self.subscription}: {self.sla}"

    def clean(self):
        super().clean()
        if self.sla_id and self.subscription_id:
            sla_org = Sla.objects.filter(pk=self.sla_id).values_list("organisation_id", flat=True).first()
            if sla_org is not None and sla_org != self.subscription.organisation_id:
                raise ValidationError({"sla": "Choose a provider-wide SLA or one of the subscriber's own."})
