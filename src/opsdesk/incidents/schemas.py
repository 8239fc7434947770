"""API shapes for incidents and their timeline (``/api/v1/incidents`` ...)."""

import datetime as dt
from typing import Annotated, Any

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import BaseModel, StringConstraints

from opsdesk.core.api import InputSchema
from opsdesk.incidents import clocks
from opsdesk.incidents.choices import Channel, Impact, PendingReason, ResolutionCode, Status, Urgency
from opsdesk.incidents.cis import affected_cis
from opsdesk.incidents.filters import SLA_STATES, SORTABLE
from opsdesk.incidents.models import format_number
from opsdesk.incidents.services import allowed_actions

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=20000)]
NUMBER_EXAMPLE = "INC-000042"


def _name(obj) -> str | None:
    return str(obj) if obj is not None else None


CLOCK_STATE_TEXT = "none (no SLA), running, paused, met or breached"


class IncidentOut(BaseModel):
    """An incident as the API shows it. Built as a plain dict by :func:`incident_out` (validating dicts is
    done in pydantic's core; resolving attributes object by object cost more than the query of a page)."""

    number: str = Field(..., examples=[NUMBER_EXAMPLE])
    id: int
    title: str
    description: str
    status: Status
    priority: int = Field(..., ge=0, le=4, description="0 (highest) to 4")
    impact: Impact
    urgency: Urgency
    channel: Channel
    organisation: int
    organisation_name: str
    requester: int = Field(..., description="Person id")
    requester_name: str
    category: int | None = None
    category_name: str | None = None
    subcategory: int | None = None
    subcategory_name: str | None = None
    workgroup: int | None = None
    workgroup_name: str | None = None
    owner: int | None = Field(None, description="User id")
    owner_name: str | None = None
    pending_reason: PendingReason | None = None
    resolution_code: ResolutionCode | None = None
    resolution_notes: str
    parent: str | None = Field(None, description="Number of the major incident this one belongs to")
    service: int | None = Field(None, description="The affected service")
    service_name: str | None = None
    cis: list[int] = Field(..., description="Affected configuration items (ids, see /cis)")
    ci_names: list[str] = Field(..., description="Their names, in the same order")
    sla: int | None = Field(None, description="The SLA the clocks count under (see /sla)")
    response_state: str = Field(..., description=CLOCK_STATE_TEXT)
    response_due_at: dt.datetime | None = Field(None, description="When the incident must be accepted")
    response_target_minutes: int | None = Field(None, description="Business minutes")
    resolution_state: str = Field(..., description=CLOCK_STATE_TEXT)
    resolution_due_at: dt.datetime | None = Field(
        None, description="When it must be completed (none while paused)"
    )
    resolution_target_minutes: int | None = Field(None, description="Business minutes")
    opened_at: dt.datetime
    assigned_at: dt.datetime | None
    accepted_at: dt.datetime | None
    completed_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopen_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    allowed_actions: list[str] = Field(..., description="Lifecycle actions you may take now")


def incident_out(incident, user) -> dict[str, Any]:
    """The :class:`IncidentOut` fields of ``incident`` as seen by ``user``. Related rows are read from the
    instance's cache (``IncidentQuerySet.for_list`` fills it), so a page costs no query per row; the CIs
    from ``incidents.cis.attach_cis`` (one query for a page)."""
    now = timezone.now()
    cis = affected_cis(incident)
    return {
        "number": incident.number,
        "id": incident.pk,
        "title": incident.title,
        "description": incident.description,
        "status": incident.status,
        "priority": incident.priority,
        "impact": incident.impact,
        "urgency": incident.urgency,
        "channel": incident.channel,
        "organisation": incident.organisation_id,
        "organisation_name": incident.organisation.name,
        "requester": incident.requester_id,
        "requester_name": incident.requester.full_name,
        "category": incident.category_id,
        "category_name": incident.category.name if incident.category_id else None,
        "subcategory": incident.subcategory_id,
        "subcategory_name": incident.subcategory.name if incident.subcategory_id else None,
        "workgroup": incident.workgroup_id,
        "workgroup_name": incident.workgroup.name if incident.workgroup_id else None,
        "owner": incident.owner_id,
        "owner_name": _name(incident.owner) if incident.owner_id else None,
        "pending_reason": incident.pending_reason or None,
        "resolution_code": incident.resolution_code or None,
        "resolution_notes": incident.resolution_notes,
        "parent": format_number(incident.parent_id) if incident.parent_id else None,
        "service": incident.service_id,
        "service_name": incident.service.name if incident.service_id else None,
        "cis": [ci.pk for ci in cis],
        "ci_names": [ci.name for ci in cis],
        "sla": incident.sla_id,
        "response_state": clocks.status(incident, "response", now),
        "response_due_at": incident.response_due_at,
        "response_target_minutes": incident.response_target_minutes,
        "resolution_state": clocks.status(incident, "resolution", now),
        "resolution_due_at": incident.resolution_due_at,
        "resolution_target_minutes": incident.resolution_target_minutes,
        "opened_at": incident.opened_at,
        "assigned_at": incident.assigned_at,
        "accepted_at": incident.accepted_at,
        "completed_at": incident.completed_at,
        "closed_at": incident.closed_at,
        "reopen_count": incident.reopen_count,
        "created_at": incident.created_at,
        "updated_at": incident.updated_at,
        "version": incident.version,
        "allowed_actions": allowed_actions(incident, user),
    }


class IncidentCreate(InputSchema):
    organisation: int | None = Field(None, description="Required for staff; customers: their own")
    requester: int | None = Field(None, description="Person id; required for staff; customers: themselves")
    title: Title
    description: Text = ""
    impact: Impact | None = None
    urgency: Urgency | None = None
    channel: Channel | None = Field(None, description="Default: api for staff, portal for customers")
    category: int | None = None
    subcategory: int | None = None
    workgroup: int | None = Field(None, description="Assign at once to this workgroup")
    service: int | None = Field(None, description="Affected service (one the organisation subscribes to)")
    cis: list[int] = Field(
        default_factory=list,
        max_length=100,
        description="Affected configuration items: the organisation's or the provider's shared ones",
    )


BATCH_MAX = 100


class IncidentBatch(InputSchema):
    incidents: list[IncidentCreate] = Field(..., min_length=1, max_length=BATCH_MAX)


class IncidentBatchOut(BaseModel):
    results: list[IncidentOut]


class IncidentPatch(InputSchema):
    """Descriptive fields are edited in place; ``status`` (with its parameters) and ``workgroup`` move the
    incident through its lifecycle."""

    title: Title | None = None
    description: Text | None = None
    impact: Impact | None = None
    urgency: Urgency | None = None
    channel: Channel | None = None
    category: int | None = None
    subcategory: int | None = None
    requester: int | None = Field(None, description="Person id")
    parent: str | None = Field(None, description="Number of the major incident; null to detach")
    service: int | None = Field(None, description="Affected service; null for none")
    cis: list[int] | None = Field(
        None, max_length=100, description="Affected configuration items (replaces the list; [] for none)"
    )
    status: Status | None = Field(None, description="Target status: runs the lifecycle action leading there")
    workgroup: int | None = Field(None, description="Assign / reassign to this workgroup")
    owner: int | None = Field(None, description="User id taking ownership (accept); default: you")
    pending_reason: PendingReason | None = None
    resolution_code: ResolutionCode | None = None
    resolution_notes: Text | None = None
    note: Text | None = Field(
        None,
        description="How and when the customer was contacted (accept), why (reopen / reject) or the "
        "customer's agreement (close by staff); required for each of these",
    )


class IncidentQuery(Schema):
    """Filters of the incident queue (one definition: ``incidents.filters.IncidentFilter``). Lists are
    comma-separated or repeated parameters."""

    status: str | None = Field(None, description="new, assigned, accepted, pending, completed, closed, open")
    priority: str | None = Field(None, description="0-4")
    organisation: str | None = Field(None, description="Organisation ids")
    workgroup: str | None = Field(None, description="Workgroup ids; 'none' for unassigned")
    owner: str | None = Field(None, description="User ids; 'me'; 'none' for unowned")
    channel: str | None = None
    category: str | None = Field(None, description="Category ids")
    requester: str | None = Field(None, description="Person ids")
    service: str | None = Field(None, description="Service ids; 'none' for no service")
    ci: str | None = Field(None, description="Configuration item ids: incidents naming any of them")
    parent: str | None = Field(None, description="Major incident numbers (or ids): their child incidents")
    sla: str | None = Field(None, description=f"SLA state of any clock: {', '.join(SLA_STATES)}")
    opened_from: str | None = Field(None, description="YYYY-MM-DD")
    opened_to: str | None = Field(None, description="YYYY-MM-DD")
    q: str | None = Field(None, description="Text in title or description, or a number")
    sort: str | None = Field(
        None,
        description=f"One of {', '.join(sorted(SORTABLE))}; '-' prefix for descending. "
        "Default -number; with opened_from/opened_to, -opened",
    )


# --- the timeline ------------------------------------------------------------------------------------------


class CommentOut(Schema):
    id: int
    body: str
    public: bool = Field(..., alias="is_public")
    author: int | None = Field(None, alias="author_id")
    author_name: str | None = None
    created_at: dt.datetime

    @staticmethod
    def resolve_author_name(obj):
        return _name(obj.author) if obj.author_id else None


class CommentIn(InputSchema):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
    public: bool = Field(True, description="false: an internal work note (staff only)")


class HistoryOut(Schema):
    at: dt.datetime
    actor: str | None
    channel: str
    action: str
    object: str = Field(..., description="incident, comment or attachment")
    source: str = Field(..., description="audit (field changes) or status (lifecycle step)")
    changes: dict[str, Any]
    summary: str
    note: str = ""


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    public: bool = Field(..., alias="is_public")
    uploaded_by: int | None = Field(None, alias="uploaded_by_id")
    uploaded_by_name: str | None = None
    created_at: dt.datetime
    download: str

    @staticmethod
    def resolve_uploaded_by_name(obj):
        return _name(obj.uploaded_by) if obj.uploaded_by_id else None

    @staticmethod
    def resolve_download(obj):
        return reverse("api:api-root") + f"incidents/{format_number(obj.incident_id)}/attachments/{obj.pk}"


# --- service-level clocks -----------------------------------------------------------------------------------


class ClockOut(Schema):
    clock: str = Field(..., description="response (to accepted) or resolution (to completed)")
    state: str = Field(..., alias="status", description=CLOCK_STATE_TEXT)
    at_risk: bool = Field(..., description="Running and past the first warning threshold")
    target_minutes: int | None = Field(None, description="Business minutes")
    due_at: dt.datetime | None = None
    used_minutes: int | None = Field(None, description="Business minutes counted so far")
    remaining_minutes: int | None = None


class ClockEventOut(Schema):
    at: dt.datetime
    clock: str
    kind: str = Field(..., description="started, paused, resumed, target_changed, warned, breached, met")
    due_at: dt.datetime | None = Field(None, description="The due time after this event")
    target_minutes: int | None = None
    used_minutes: int | None = Field(None, description="Business minutes counted up to this event")
    reason: str
    details: dict[str, Any]
    actor: str | None = None

    @staticmethod
    def resolve_used_minutes(obj):
        return obj.used_seconds // 60 if obj.used_seconds is not None else None

    @staticmethod
    def resolve_actor(obj):
        return _name(obj.actor) if obj.actor_id else None


class IncidentSlaOut(Schema):
    sla: int | None = Field(None, alias="sla_id")
    sla_name: str | None = None
    calendar_name: str | None = None
    clocks: list[ClockOut]
    events: list[ClockEventOut]
