"""API shapes for the service catalogue (``/api/v1/services``)."""

import datetime as dt

from ninja import Field, Schema

from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.core.api import InputSchema


class ParameterOut(Schema):
    name: str
    value: str


class ParameterIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    value: str = Field(..., min_length=1, max_length=500)


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    owner: int = Field(..., alias="owner_id")
    owner_name: str = Field(..., alias="owner.name")
    status: ServiceStatus
    service_hours: str
    parameters: list[ParameterOut] = Field(..., description="In table order")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_parameters(obj):
        return list(obj.parameters.all())


class ServiceIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=150)
    description: str = ""
    owner: int = Field(..., description="Workgroup id")
    status: ServiceStatus = ServiceStatus.PIPELINE
    service_hours: str = Field("", max_length=200)
    parameters: list[ParameterIn] = Field(default_factory=list)


class ServicePatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=150)
    description: str | None = None
    owner: int | None = Field(None, description="Workgroup id")
    status: ServiceStatus | None = Field(None, description="pipeline -> live -> retired only")
    service_hours: str | None = Field(None, max_length=200)
    parameters: list[ParameterIn] | None = Field(None, description="Replaces the whole table")


class SubscriptionOut(Schema):
    id: int
    service: int = Field(..., alias="service_id")
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str = Field(..., alias="organisation.name")
    start_date: dt.date
    end_date: dt.date | None
    sla_notes: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class SubscriptionIn(InputSchema):
    organisation: int = Field(..., description="Customer organisation id")
    start_date: dt.date
    end_date: dt.date | None = None
    sla_notes: str = Field("", max_length=200)
