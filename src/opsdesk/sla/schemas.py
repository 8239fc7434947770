"""API shapes for SLAs (``/api/v1/slas``)."""

import datetime as dt

from ninja import Field, Schema

from opsdesk.core.api import InputSchema
from opsdesk.sla.choices import NotifyRole, PendingReason


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
