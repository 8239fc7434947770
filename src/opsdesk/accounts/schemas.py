"""API shapes for organisations, people and workgroups (``/api/v1/organisations`` ...)."""

import datetime as dt
import zoneinfo

from ninja import Field, Schema
from pydantic import field_validator

from opsdesk.accounts.choices import OrganisationKind, Role
from opsdesk.core.api import InputSchema


def _viewer(context):
    request = (context or {}).get("request")
    return getattr(request, "auth", None) or getattr(request, "user", None)


def _check_zone(value: str | None) -> str | None:
    if value is not None:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"Unknown time zone '{value}' (use an IANA name such as Europe/London).")
    return value


# --- organisations ---------------------------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: OrganisationKind
    time_zone: str
    email_domain: str
    phone: str
    is_active: bool
    notes: str | None = Field(None, description="Staff only")
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_notes(obj, context):
        viewer = _viewer(context)
        return obj.notes if viewer is not None and viewer.is_provider_staff else None


class OrganisationIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=150)
    short_name: str = Field(..., min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    kind: OrganisationKind = OrganisationKind.CUSTOMER
    time_zone: str = "Europe/London"
    email_domain: str = Field("", max_length=150)
    phone: str = Field("", max_length=50)
    is_active: bool = True
    notes: str = ""

    _zone = field_validator("time_zone")(_check_zone)


class OrganisationPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=150)
    short_name: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    time_zone: str | None = None
    email_domain: str | None = Field(None, max_length=150)
    phone: str | None = Field(None, max_length=50)
    is_active: bool | None = None
    notes: str | None = None

    _zone = field_validator("time_zone")(_check_zone)


# --- people ------------------------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str = Field(..., alias="organisation.name")
    site: int | None = Field(None, alias="site_id")
    full_name: str
    email: str
    phone: str
    mobile: str
    job_title: str
    is_active: bool
    username: str | None = Field(None, description="The person's login, if they have one")
    role: Role | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_username(obj):
        login = getattr(obj, "user", None)
        return login.username if login is not None else None

    @staticmethod
    def resolve_role(obj):
        login = getattr(obj, "user", None)
        return login.role if login is not None else None


class PersonIn(InputSchema):
    organisation: int
    site: int | None = None
    full_name: str = Field(..., min_length=1, max_length=150)
    email: str | None = Field(None, max_length=254)
    phone: str = Field("", max_length=50)
    mobile: str = Field("", max_length=50)
    job_title: str = Field("", max_length=100)
    is_active: bool = True
    username: str | None = Field(None, min_length=1, max_length=150, description="Create a login")
    password: str | None = Field(None, description="Write-only: the new login's password")
    role: Role | None = Field(None, description="The login's role")


class PersonPatch(InputSchema):
    site: int | None = None
    full_name: str | None = Field(None, min_length=1, max_length=150)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=50)
    mobile: str | None = Field(None, max_length=50)
    job_title: str | None = Field(None, max_length=100)
    is_active: bool | None = None
    role: Role | None = Field(None, description="Change the login's role")


# --- workgroups --------------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(obj):
        return str(obj)


class WorkgroupOut(Schema):
    id: int
    name: str
    email: str
    description: str
    lead: int | None = Field(None, alias="lead_id")
    lead_name: str | None = None
    members: list[MemberOut]
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @staticmethod
    def resolve_lead_name(obj):
        return str(obj.lead) if obj.lead_id else None

    @staticmethod
    def resolve_members(obj):
        return list(obj.members.all())


class WorkgroupIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    email: str | None = Field(None, max_length=254)
    description: str = ""
    lead: int | None = Field(None, description="User id of the lead")
    members: list[int] = Field(default_factory=list, description="User ids")
    is_active: bool = True


class WorkgroupPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    email: str | None = Field(None, max_length=254)
    description: str | None = None
    lead: int | None = None
    members: list[int] | None = None
    is_active: bool | None = None
