"""API shapes for SLAs (``/api/v1/slas``)."""

import datetime as dt

from ninja import Field, Schema

from opsdesk.core.api import InputSchema
from opsdesk.sla.choices import ExceptionKind, NotifyRole, PendingReason


class TargetOut(Schema):
    priority: int
    response_minutes: int = Field(..., description="Business minutes until accepted by an owner")
    resolution_minutes: int = Field(..., description="Business minutes until completed")


class TargetIn(InputSchema):
    priority: int = Field(..., ge=0, le=4)
    response_minutes: int = Field(..., gt=0)
    resolution_minutes: int = Field(..., gt=0)


class SlaOut(Schema):
    id: int
    name: str
    organisation: int | None = Field(..., alias="organisation_id", description="Empty: provider-wide")
    organisation_name: str | None
    is_default: bool
    calendar: int = Field(..., alias="calendar_id")
    calendar_name: str = Field(..., alias="calendar.name")
    warning_thresholds: list[int]
    notify_roles: list[NotifyRole]
    pausing_reasons: list[PendingReason]
    is_active: bool
    notes: str
    targets: list[TargetOut] = Field(..., description="One per priority, P0 first")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_organisation_name(obj):
        return obj.organisation.name if obj.organisation_id else None

    @staticmethod
    def resolve_targets(obj):
        return sorted(obj.targets.all(), key=lambda t: t.priority)


class SlaIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    organisation: int | None = Field(None, description="Customer organisation id; empty: provider-wide")
    is_default: bool = False
    calendar: int = Field(..., description="Calendar id")
    warning_thresholds: list[int] = Field(default_factory=lambda: [75, 100])
    notify_roles: list[NotifyRole] = Field(default_factory=lambda: list(NotifyRole))
    pausing_reasons: list[PendingReason] = Field(default_factory=lambda: list(PendingReason))
    is_active: bool = True
    notes: str = ""
    targets: list[TargetIn] = Field(..., description="All five priorities, 0 to 4")


class SlaPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    is_default: bool | None = None
    calendar: int | None = Field(None, description="Calendar id")
    warning_thresholds: list[int] | None = None
    notify_roles: list[NotifyRole] | None = None
    pausing_reasons: list[PendingReason] | None = None
    is_active: bool | None = None
    notes: str | None = None
    targets: list[TargetIn] | None = Field(None, description="Replaces all five targets")


# --- calendars (``/api/v1/calendars``) -------------------------------------------------------------------


class HoursRow(Schema):
    weekday: int = Field(..., ge=0, le=6, description="0 is Monday, 6 is Sunday")
    start: dt.time = Field(..., description="Local time, HH:MM")
    end: dt.time = Field(..., description="Local time, HH:MM; 00:00 means midnight at the end of the day")


class HoursIn(InputSchema, HoursRow):
    pass


class ExceptionRow(Schema):
    date: dt.date
    kind: ExceptionKind = Field(ExceptionKind.CLOSED, description="closed all day, or open these hours")
    start: dt.time | None = Field(None, description="Open days only")
    end: dt.time | None = Field(None, description="Open days only; 00:00 means midnight")
    note: str = Field("", max_length=200)


class ExceptionIn(InputSchema, ExceptionRow):
    pass


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str = Field(..., description="IANA time zone, e.g. Europe/London")
    is_24x7: bool = Field(..., description="Every hour counts; hours, holidays and exceptions are ignored")
    holiday_country: str = Field(..., description="ISO 3166 country code for public holidays; empty: none")
    holiday_subdivision: str
    notes: str
    hours: list[HoursRow] = Field(..., description="Weekly opening intervals, Monday first")
    exceptions: list[ExceptionRow] = Field(..., description="Closed days and extra open days, by date")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_hours(obj):
        return sorted(obj.hours.all(), key=lambda h: (h.weekday, h.start))

    @staticmethod
    def resolve_exceptions(obj):
        return sorted(obj.exceptions.all(), key=lambda e: (e.date, e.start or dt.time(0)))


class CalendarIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    time_zone: str = Field("Europe/London", max_length=64)
    is_24x7: bool = False
    holiday_country: str = Field("", max_length=3)
    holiday_subdivision: str = Field("", max_length=32)
    notes: str = ""
    hours: list[HoursIn] = Field(default_factory=list)
    exceptions: list[ExceptionIn] = Field(default_factory=list)


class CalendarPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    time_zone: str | None = Field(None, max_length=64)
    is_24x7: bool | None = None
    holiday_country: str | None = Field(None, max_length=3, description="Empty: no public holidays")
    holiday_subdivision: str | None = Field(None, max_length=32)
    notes: str | None = None
    hours: list[HoursIn] | None = Field(None, description="Replaces all weekly hours")
    exceptions: list[ExceptionIn] | None = Field(None, description="Replaces all exceptions")


# --- a subscription's SLA (``/api/v1/services/{id}/subscriptions/{sid}/sla``) ---------------------------


class SubscriptionSlaOut(Schema):
    subscription: int
    service: int
    organisation: int
    sla: int | None = Field(..., description="The SLA the subscription names; empty: the default applies")
    sla_name: str | None
    effective_sla: int | None = Field(
        ..., description="The SLA its incidents count under: the named one, else the customer's default"
    )
    effective_sla_name: str | None
    version: int = Field(..., description="The subscription's version (its ETag)")


class SubscriptionSlaIn(InputSchema):
    sla: int | None = Field(
        ..., description="SLA id (provider-wide or the customer's own); null: the default"
    )
