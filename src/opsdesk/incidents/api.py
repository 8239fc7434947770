"""``/api/v1/incidents``: the queue (same filters as the web page), records, their lifecycle, comments,
history and attachments.

Every lookup goes through ``.restrict(user)`` (another tenant's incident is a 404) and every write through
``incidents.services``; a status change in a PATCH becomes the lifecycle action that leads there.
"""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from ninja import File, Form, Query, Router, Status, UploadedFile

from opsdesk.accounts.models import Organisation, Person, User, Workgroup
from opsdesk.catalogue.models import Service
from opsdesk.cmdb.models import CI
from opsdesk.core.api import (
    ERRORS,
    ApiError,
    Conflict,
    check_version,
    created,
    expected_version,
    get_visible,
    page_of,
    page_size_default,
    page_size_max,
    paginate,
    reference,
    set_etag,
)
from opsdesk.core.audit import history_for
from opsdesk.core.downloads import file_download
from opsdesk.core.errors import PermissionDenied
from opsdesk.core.models import AuditEntry
from opsdesk.incidents import clocks, services
from opsdesk.incidents.choices import Status as IncidentStatus
from opsdesk.incidents.cis import attach_cis
from opsdesk.incidents.filters import IncidentFilter
from opsdesk.incidents.models import Attachment, Category, Comment, Incident, parse_number
from opsdesk.incidents.querysets import attach_categories, attach_services
from opsdesk.incidents.schemas import (
    AttachmentOut,
    CommentIn,
    CommentOut,
    HistoryOut,
    IncidentBatch,
    IncidentBatchOut,
    IncidentCreate,
    IncidentOut,
    IncidentPatch,
    IncidentQuery,
    IncidentSlaOut,
    incident_out,
)
from opsdesk.incidents.workflow import INCIDENT_WORKFLOW

router = Router(tags=["incidents"])


def _incidents(user):
    return Incident.objects.restrict(user).for_list()


def _incident(user, number: str) -> Incident:
    pk = parse_number(number)
    if pk is None:
        raise ApiError(404, "No such incident.")
    return get_visible(_incidents(user), "incident", pk=pk)


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "Some fields are not valid.", {field: [message]})


# --- the queue and the records -----------------------------------------------------------------------------


@router.get("", response={200: page_of(IncidentOut), **ERRORS})
def list_incidents(
    request,
    filters: Query[IncidentQuery],
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = Query(None, description="From the previous page's 'next'"),
    count: bool = Query(False, description="Also count all matching incidents (slower)"),
):
    user = request.auth
    incident_filter = IncidentFilter.from_query(request.GET, me_id=user.pk)
    qs = incident_filter.apply(_incidents(user))
    page = paginate(request, qs, incident_filter.order_fields(), limit=limit, cursor=cursor, count=count)
    attach_categories(page["results"])
    attach_services(page["results"])
    attach_cis(page["results"])
    page["results"] = [incident_out(incident, user) for incident in page["results"]]
    return page


# Body field -> (service parameter, what it names, queryset of what the user may name).
REFERENCES = {
    "organisation": ("organisation", lambda user: Organisation.objects.restrict(user)),
    "requester": ("person", lambda user: Person.objects.restrict(user)),
    "category": ("category", lambda user: Category.objects.restrict(user)),
    "subcategory": ("category", lambda user: Category.objects.restrict(user)),
    "workgroup": ("workgroup", lambda user: Workgroup.objects.restrict(user)),
    "service": ("service", lambda user: Service.objects.restrict(user)),
}


def _create_specs(user, items: list[dict[str, Any]], prefix) -> list[dict[str, Any]]:
    """``services.create_incidents`` arguments from request bodies: ids become the objects the user may
    see, one query per kind of reference however many items; errors are keyed by ``prefix(i) + field``."""
    errors: dict[str, list[str]] = {}
    for index, data in enumerate(items):
        if user.is_customer:
            data["organisation"] = data["organisation"] or user.organisation_id
            data["requester"] = data["requester"] or user.person_id
        for name in ("organisation", "requester"):
            if not data[name]:
                errors[prefix(index) + name] = ["This field is required."]
    if errors:
        raise ApiError(422, "Some fields are not valid.", errors)
    found: dict[str, dict[int, Any]] = {}
    for field, (_what, queryset) in REFERENCES.items():
        wanted = {data[field] for data in items if data[field] is not None}
        found[field] = {obj.pk: obj for obj in queryset(user).filter(pk__in=wanted)} if wanted else {}
    specs = []
    for index, data in enumerate(items):
        spec = dict(data)
        for field, (what, _queryset) in REFERENCES.items():
            if data[field] is None:
                continue
            spec[field] = found[field].get(data[field])
            if spec[field] is None:
                errors[prefix(index) + field] = [f"No such {what}: {data[field]}."]
        specs.append(spec)
    wanted_cis = {pk for data in items for pk in data["cis"]}
    visible_cis = (
        {ci.pk: ci for ci in CI.objects.restrict(user).filter(pk__in=wanted_cis)} if wanted_cis else {}
    )
    for index, spec in enumerate(specs):
        missing = [pk for pk in spec["cis"] if pk not in visible_cis]
        if missing:
            errors[prefix(index) + "cis"] = [f"No such configuration item: {pk}." for pk in missing]
        spec["cis"] = [visible_cis[pk] for pk in spec["cis"] if pk in visible_cis]
    if errors:
        raise ApiError(422, "Some fields are not valid.", errors)
    return specs


@router.post("", response={201: IncidentOut, **ERRORS})
def create_incident(request, payload: IncidentCreate, response: HttpResponse):
    user = request.auth
    [spec] = _create_specs(user, [payload.model_dump()], prefix=lambda _index: "")
    [incident] = services.create_incidents([spec], by=user)
    return created(response, incident, f"incidents/{incident.number}", body=incident_out(incident, user))


@router.post("/batch", response={201: IncidentBatchOut, **ERRORS})
def create_incidents(request, payload: IncidentBatch):
    """Open up to 100 incidents in one request, all or none: for integrations that report many at once
    (a monitoring flood, an import). Errors name the item and field: ``incidents.3.title``."""
    user = request.auth
    prefix = "incidents.{}.".format
    specs = _create_specs(user, [item.model_dump() for item in payload.incidents], prefix=prefix)
    try:
        incidents = services.create_incidents(specs, by=user)
    except ValidationError as exc:  # keyed "field" for one item, "<index>.field" for several
        single = len(specs) == 1
        raise ValidationError(
            {(prefix(0) if single else "incidents.") + name: msgs for name, msgs in exc.message_dict.items()}
        )
    return Status(201, {"results": [incident_out(incident, user) for incident in incidents]})


@router.get("/{number}", response={200: IncidentOut, **ERRORS})
def get_incident(request, number: str, response: HttpResponse):
    incident = _incident(request.auth, number)
    set_etag(response, incident)
    return incident_out(incident, request.auth)


LIFECYCLE_FIELDS = (
    "status",
    "workgroup",
    "owner",
    "pending_reason",
    "resolution_code",
    "resolution_notes",
    "note",
)
NOT_NULL = ("title", "description", "impact", "urgency", "channel", "requester")
# Which body fields each lifecycle action reads (and under which service parameter).
ACTION_PARAMS = {
    "assign": {"workgroup": "workgroup"},
    "reassign": {"workgroup": "workgroup"},
    "accept": {"owner": "owner", "note": "note"},
    "pend": {"pending_reason": "reason"},
    "resume": {},
    "complete": {"resolution_code": "resolution_code", "resolution_notes": "resolution_notes"},
    "close": {"note": "note"},
    "reject": {"note": "note"},
    "reopen": {"note": "note"},
}


def _allowed_text(incident: Incident, user) -> str:
    mine = services.allowed_actions(incident, user)
    steps = [
        f"{t.target} ({t.action})"
        for t in INCIDENT_WORKFLOW.allowed_actions(incident.status)
        if t.action in mine
    ]
    return ", ".join(steps) if steps else "none"


def _choose_action(incident: Incident, lifecycle: dict[str, Any], user) -> str | None:
    """The lifecycle action a PATCH asks for: a new ``status``, or a new ``workgroup`` (assign/reassign)."""
    current = incident.status
    target = lifecycle.get("status")
    wants_workgroup = (
        lifecycle.get("workgroup") is not None and lifecycle["workgroup"] != incident.workgroup_id
    )
    if "workgroup" in lifecycle and lifecycle["workgroup"] is None:
        raise _invalid("workgroup", "An incident cannot be unassigned; reassign it to another workgroup.")
    if target is None or target == current:
        if not wants_workgroup:
            return None
        candidates = ["assign"] if current == IncidentStatus.NEW else ["reassign"]
        if candidates[0] not in {t.action for t in INCIDENT_WORKFLOW.allowed_actions(current)}:
            candidates = []
        target_text = "assigned"
    else:
        candidates = [t.action for t in INCIDENT_WORKFLOW.actions_to(current, target)]
        target_text = str(target)
    mine = services.allowed_actions(incident, user)
    actions = [a for a in candidates if a in mine]
    if not actions:
        if candidates:
            raise PermissionDenied(f"You may not {candidates[0]} this incident.")
        message = (
            f"Cannot change status from '{current}' to '{target_text}'. "
            f"Allowed from '{current}': {_allowed_text(incident, user)}."
        )
        raise Conflict(message, {"status": [message]})
    action = actions[0]
    if wants_workgroup and action not in ("assign", "reassign"):
        raise _invalid("workgroup", f"Change the workgroup on its own (a reassignment), not with '{action}'.")
    return action


def _transition_params(incident: Incident, action: str | None, lifecycle: dict[str, Any], user) -> dict:
    used = ACTION_PARAMS.get(action, {}) if action else {}
    stray = [
        name
        for name, value in lifecycle.items()
        if name not in used
        and name != "status"
        and value is not None
        and not (name == "workgroup" and value == incident.workgroup_id)
    ]
    if stray:
        what = f"with '{action}'" if action else "without a status change"
        raise ApiError(
            422, "Some fields are not valid.", {name: [f"Not used {what}."] for name in sorted(stray)}
        )
    params: dict[str, Any] = {}
    for field, param in used.items():
        value = lifecycle.get(field)
        if field == "workgroup":
            value = reference(Workgroup.objects.restrict(user), value, "workgroup", "workgroup")
        elif field == "owner":
            value = reference(User.objects.restrict(user), value, "owner", "user")
        elif value is None:
            value = ""
        params[param] = value
    return params


def _descriptive_changes(incident: Incident, data: dict[str, Any], user) -> dict[str, Any]:
    changes = dict(data)
    nulls = [name for name in NOT_NULL if name in changes and changes[name] is None]
    if nulls:
        raise ApiError(
            422, "Some fields are not valid.", {name: ["This field cannot be null."] for name in nulls}
        )
    categories = Category.objects.restrict(user)
    if "category" in changes:
        changes["category"] = reference(categories, changes["category"], "category", "category")
    if "subcategory" in changes:
        changes["subcategory"] = reference(categories, changes["subcategory"], "subcategory", "category")
    if "requester" in changes:
        changes["requester"] = reference(
            Person.objects.restrict(user), changes["requester"], "requester", "person"
        )
    if "service" in changes:
        changes["service"] = reference(
            Service.objects.restrict(user), changes["service"], "service", "service"
        )
    if "cis" in changes:
        wanted = changes["cis"] or []
        found = {ci.pk: ci for ci in CI.objects.restrict(user).filter(pk__in=wanted)}
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            raise _invalid("cis", " ".join(f"No such configuration item: {pk}." for pk in missing))
        changes["cis"] = [found[pk] for pk in wanted]
    if "parent" in changes and changes["parent"] is not None:
        pk = parse_number(changes["parent"])
        parent = _incidents(user).filter(pk=pk).first() if pk else None
        if parent is None:
            raise _invalid("parent", f"No such incident: {changes['parent']}.")
        changes["parent"] = parent
    return changes


@router.patch("/{number}", response={200: IncidentOut, **ERRORS})
def update_incident(request, number: str, payload: IncidentPatch, response: HttpResponse):
    user = request.auth
    incident = _incident(user, number)
    data = payload.model_dump(exclude_unset=True)
    lifecycle = {name: data.pop(name) for name in LIFECYCLE_FIELDS if name in data}
    version = expected_version(request, incident)
    with transaction.atomic():
        changes = _descriptive_changes(incident, data, user)
        action = _choose_action(incident, lifecycle, user)
        params = _transition_params(incident, action, lifecycle, user)
        if changes:
            incident = services.update_incident(incident, changes, by=user, expected_version=version)
            version = incident.version
        if action:
            try:
                incident = services.transition(incident, action, by=user, expected_version=version, **params)
            except ValidationError as exc:
                raise ValidationError(
                    {("pending_reason" if k == "reason" else k): v for k, v in exc.message_dict.items()}
                )
        if not changes and not action:
            check_version(request, incident)
    set_etag(response, incident)
    return incident_out(incident, user)


@router.get("/{number}/sla", response={200: IncidentSlaOut, **ERRORS})
def incident_sla(request, number: str):
    """The SLA the incident's clocks count under, each clock's target, due time and state, and the clock
    events that explain them (oldest first)."""
    incident = _incident(request.auth, number)
    panel = clocks.panel(incident)
    return {
        "sla_id": panel.sla_id,
        "sla_name": panel.sla_name or None,
        "calendar_name": panel.calendar_name or None,
        "clocks": panel.clocks,
        "events": panel.events,
    }


# --- comments ----------------------------------------------------------------------------------------------


@router.get("/{number}/comments", response={200: page_of(CommentOut), **ERRORS})
def list_comments(
    request,
    number: str,
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = None,
):
    user = request.auth
    incident = _incident(user, number)
    qs = Comment.objects.restrict(user).filter(incident=incident).select_related("author")
    return paginate(request, qs, ["created_at", "id"], limit=limit, cursor=cursor)


@router.post("/{number}/comments", response={201: CommentOut, **ERRORS})
def create_comment(request, number: str, payload: CommentIn, response: HttpResponse):
    user = request.auth
    incident = _incident(user, number)
    comment = services.add_comment(incident, payload.body, by=user, is_public=payload.public)
    set_etag(response, comment)
    return Status(201, comment)


# --- history -----------------------------------------------------------------------------------------------


def _entry(entry: AuditEntry, kind: str) -> dict[str, Any]:
    return {
        "at": entry.at,
        "actor": entry.actor_name or None,
        "channel": entry.channel,
        "action": entry.action,
        "object": kind,
        "source": "audit",
        "changes": entry.changes,
        "summary": entry.summary,
    }


@router.get("/{number}/history", response={200: page_of(HistoryOut), **ERRORS})
def incident_history(request, number: str):
    """Field changes (the audit log) of the incident and of the comments and attachments you may see, and
    every lifecycle step, oldest first."""
    user = request.auth
    incident = _incident(user, number)
    rows: list[tuple] = [(e.at, 0, e.pk, _entry(e, "incident")) for e in history_for(incident)]
    for model, kind in ((Comment, "comment"), (Attachment, "attachment")):
        visible = [
            str(pk)
            for pk in model.objects.restrict(user).filter(incident=incident).values_list("pk", flat=True)
        ]
        if visible:
            entries = AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=visible
            )
            rows += [(e.at, 0, e.pk, _entry(e, kind)) for e in entries]
    for change in incident.status_changes.select_related("actor"):
        changes: dict[str, Any] = {"status": [change.from_status or None, change.to_status]}
        changes.update({k: [None, v] for k, v in change.details.items()})
        rows.append(
            (
                change.at,
                1,
                change.pk,
                {
                    "at": change.at,
                    "actor": str(change.actor) if change.actor_id else None,
                    "channel": change.channel,
                    "action": change.action,
                    "object": "incident",
                    "source": "status",
                    "changes": changes,
                    "summary": f"{change.from_status or '-'} → {change.to_status}",
                    "note": change.note,
                },
            )
        )
    rows.sort(key=lambda row: row[:3])
    return {"results": [row[3] for row in rows], "next": None, "count": len(rows)}


# --- attachments -------------------------------------------------------------------------------------------


@router.get("/{number}/attachments", response={200: page_of(AttachmentOut), **ERRORS})
def list_attachments(
    request,
    number: str,
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = None,
):
    user = request.auth
    incident = _incident(user, number)
    qs = Attachment.objects.restrict(user).filter(incident=incident).select_related("uploaded_by")
    return paginate(request, qs, ["created_at", "id"], limit=limit, cursor=cursor)


@router.post("/{number}/attachments", response={201: AttachmentOut, **ERRORS})
def upload_attachment(
    request,
    number: str,
    response: HttpResponse,
    file: File[UploadedFile],
    public: Form[bool] = True,
):
    """Multipart upload (field ``file``; ``public=false`` for a staff-only attachment)."""
    user = request.auth
    incident = _incident(user, number)
    if file.size is not None and file.size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // 1024
        raise ApiError(
            413,
            "The file is too large.",
            {"file": [f"The file is {file.size // 1024} KiB; the limit is {limit} KiB."]},
        )
    attachment = services.add_attachment(incident, file, by=user, is_public=public)
    return created(response, attachment, f"incidents/{incident.number}/attachments/{attachment.pk}")


@router.get("/{number}/attachments/{attachment_id}", response={200: None, **ERRORS})
def download_attachment(request, number: str, attachment_id: int):
    """The file itself, always as a download (``Content-Disposition: attachment``), never rendered inline."""
    user = request.auth
    incident = _incident(user, number)
    attachment = get_visible(
        Attachment.objects.restrict(user), "attachment", pk=attachment_id, incident=incident
    )
    response = file_download(attachment.file, attachment.filename, attachment.content_type)
    set_etag(response, attachment)
    return response
