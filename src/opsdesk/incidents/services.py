"""The one write path for incidents. The web views, the portal, the API (and later e-mail and events)
all call these functions; each runs in one transaction, checks the lifecycle and permissions, writes the
audit trail and the timeline, and leaves notifications to the outbox.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from opsdesk.accounts.choices import OrganisationKind
from opsdesk.accounts.models import Organisation, Person, User, Workgroup
from opsdesk.catalogue.models import Service
from opsdesk.cmdb.choices import CIStatus
from opsdesk.cmdb.models import CI
from opsdesk.core import crud
from opsdesk.core.audit import diff, record, record_create, record_creates, snapshot
from opsdesk.core.context import current_actor
from opsdesk.core.errors import PermissionDenied
from opsdesk.core.models import AuditEntry
from opsdesk.incidents import clocks, notify
from opsdesk.incidents.choices import Channel, Impact, PendingReason, ResolutionCode, Status, Urgency
from opsdesk.incidents.models import (
    CLOCK_FIELDS,
    Attachment,
    Category,
    Comment,
    Incident,
    SavedView,
    StatusChange,
    format_number,
)
from opsdesk.incidents.priority import priority_for
from opsdesk.incidents.workflow import CUSTOMER_ACTIONS, INCIDENT_WORKFLOW

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "category",
        "subcategory",
        "impact",
        "urgency",
        "parent",
        "requester",
        "channel",
        "service",
        "cis",
    }
)
# Accepted means a workgroup member owns the incident and the customer has been contacted: the note on
# the accept step says how and when.
CONTACT_REQUIRED = "Say how and when you contacted the customer (for example: phoned Alice at 10:20)."
# A CI in one of these states is no longer in service: new incidents cannot name it.
UNUSABLE_CI_STATUSES = frozenset({CIStatus.RETIRED, CIStatus.DISPOSED})


# --- permissions ------------------------------------------------------------------------------------------


def _is_system(user: User | None) -> bool:
    return user is None


def can_see(user: User | None, incident: Incident) -> bool:
    return _is_system(user) or Incident.objects.restrict(user).filter(pk=incident.pk).exists()


def allowed_actions(incident: Incident, user: User | None) -> list[str]:
    """The lifecycle actions ``user`` may take on ``incident`` right now (drives buttons and 409 text)."""
    actions = [t.action for t in INCIDENT_WORKFLOW.allowed_actions(incident.status)]
    if user is not None and user.is_customer:
        return [a for a in actions if a in CUSTOMER_ACTIONS]
    return [a for a in actions if a != "reject"]


def _ensure_may_act(user: User | None, incident: Incident, action: str) -> None:
    if _is_system(user):
        return
    if not can_see(user, incident):
        raise Incident.DoesNotExist(f"No incident {incident.number}")
    if user.is_customer and action not in CUSTOMER_ACTIONS:
        raise PermissionDenied(f"Customers cannot {action} an incident.")
    if not user.is_customer and action == "reject":
        raise PermissionDenied("Only the customer rejects a completion; agents use 'reopen'.")


def _ensure_staff(user: User | None, what: str) -> None:
    if user is not None and not user.is_provider_staff:
        raise PermissionDenied(f"Only service-desk staff can {what}.")


def _validate_fields(incident: Incident) -> None:
    """Field validation without re-reading related rows: the services receive those as loaded objects
    (and check how they fit together themselves), so Django's per-foreign-key existence queries are waste."""
    incident.full_clean(exclude=_RELATIONS, validate_unique=False, validate_constraints=False)


_RELATIONS = [f.name for f in Incident._meta.concrete_fields if f.is_relation]


# --- categories -------------------------------------------------------------------------------------------


def create_category(*, name: str, parent: Category | None = None, **fields: Any) -> Category:
    """Add a category, or a subcategory when ``parent`` is given (one level deep; the model checks)."""
    return crud.create(Category, name=name, parent=parent, **fields)


# --- create and edit ---------------------------------------------------------------------------------------


def _validate_classification(
    organisation: Organisation, requester: Person, category: Category | None, subcategory: Category | None
) -> None:
    errors: dict[str, list[str]] = {}
    if requester.organisation_id != organisation.pk:
        errors["requester"] = [f"{requester} does not belong to {organisation}."]
    if category is not None and category.parent_id is not None:
        errors["category"] = ["Choose a top-level category; subcategories go in the subcategory field."]
    if subcategory is not None:
        if category is None:
            errors["subcategory"] = ["A subcategory needs its category."]
        elif subcategory.parent_id != category.pk:
            errors["subcategory"] = [f"{subcategory.name} is not a subcategory of {category.name}."]
    if errors:
        raise ValidationError(errors)


def _validate_parent(incident: Incident | None, organisation: Organisation, parent: Incident | None) -> None:
    """A child incident names its major incident: one of the same organisation, still open to new children
    (not closed), and one level deep — a major incident is no one's child and a child has no children, so
    the links never form a chain or a cycle. ``incident`` is None for one being opened."""
    if parent is None:
        return
    message = ""
    if incident is not None and parent.pk == incident.pk:
        message = "An incident cannot be its own major incident."
    elif parent.organisation_id != organisation.pk:
        message = "A major incident and its children belong to one organisation."
    elif parent.parent_id is not None:
        message = (
            f"{parent.number} is itself part of major incident {format_number(parent.parent_id)}; "
            "link to that one."
        )
    elif parent.status == Status.CLOSED:
        message = f"{parent.number} is closed; a closed major incident takes no new child incidents."
    elif incident is not None and incident.children.exists():
        message = f"{incident.number} has child incidents of its own: it is a major incident."
    if message:
        raise ValidationError({"parent": [message]})


def _validate_service(organisation: Organisation, service: Service | None, opened_at, seen=None) -> None:
    """The affected service must be one the organisation subscribes to on the day the incident opened
    (``seen``: answers already looked up in this batch)."""
    if service is None:
        return
    day = timezone.localdate(opened_at)
    key = ("subscribed", organisation.pk, service.pk, day)
    if seen is None or key not in seen:
        subscribed = Service.objects.subscribed_by(organisation, on=day).filter(pk=service.pk).exists()
        if seen is None:
            seen = {}
        seen[key] = subscribed
    if not seen[key]:
        raise ValidationError(
            {"service": [f"{organisation} does not subscribe to {service} on {day:%d %b %Y}."]}
        )


def _provider_ids(seen: dict | None = None) -> frozenset[int]:
    key = ("provider",)
    if seen is None or key not in seen:
        ids = frozenset(
            Organisation.objects.filter(kind=OrganisationKind.PROVIDER).values_list("id", flat=True)
        )
        if seen is None:
            return ids
        seen[key] = ids
    return seen[key]


def _visible_ci_ids(by: User | None, cis: Sequence[CI]) -> set[int] | None:
    """Which of ``cis`` ``by`` may see (None: the system sees all)."""
    if _is_system(by) or not cis:
        return None
    return set(CI.objects.restrict(by).filter(pk__in={ci.pk for ci in cis}).values_list("pk", flat=True))


def _validate_cis(
    organisation: Organisation,
    cis: Sequence[CI],
    *,
    by: User | None,
    visible: set[int] | None,
    seen: dict | None = None,
) -> None:
    """The affected CIs must be the organisation's own (or the provider's shared kit), visible to ``by``
    and still in service. A CI ``by`` may not see is reported exactly like one that does not exist."""
    messages = []
    for ci in cis:
        if visible is not None and ci.pk not in visible:
            messages.append(f"No such configuration item: {ci.pk}.")
        elif ci.organisation_id != organisation.pk and ci.organisation_id not in _provider_ids(seen):
            messages.append(f"{ci.name} belongs to another organisation than {organisation}.")
        elif ci.status in UNUSABLE_CI_STATUSES:
            messages.append(f"{ci.name} is {ci.get_status_display().lower()}; it takes no new incidents.")
    if len({ci.pk for ci in cis}) != len(cis):
        messages.append("A configuration item is named twice.")
    if messages:
        raise ValidationError({"cis": messages})


def _ci_ids(cis: Sequence[CI]) -> list[int]:
    return sorted(ci.pk for ci in cis)


def create_incident(*, by: User | None, **spec: Any) -> Incident:
    """Open one incident. ``spec`` is one item of :func:`create_incidents`: ``organisation``,
    ``requester`` and ``title``, and optionally ``description``, ``channel``, ``impact``, ``urgency``,
    ``category``, ``subcategory``, ``workgroup`` (assign at once), ``parent``, ``service``, ``cis``
    (the affected configuration items), ``opened_at``."""
    return create_incidents([spec], by=by)[0]


@transaction.atomic
def create_incidents(specs: Sequence[Mapping[str, Any]], *, by: User | None) -> list[Incident]:
    """Open incidents, all or none, in one transaction: each is validated, saved, audited, gets its
    "opened" timeline entry and the requester's acknowledgement; those given a workgroup are assigned.

    ``specs`` hold the keyword arguments of :func:`create_incident` (without ``by``). A ValidationError
    for a batch names the item: ``{"2.title": [...]}``; for a single incident the field alone.
    """
    incidents: list[Incident] = []
    errors: dict[str, list[str]] = {}
    seen: dict = {}  # lookups shared by the batch: subscriptions and SLA policies
    visible = _visible_ci_ids(by, [ci for spec in specs for ci in spec.get("cis") or ()])
    for index, spec in enumerate(specs):
        try:
            incidents.append(_new_incident(by, seen=seen, visible_cis=visible, **spec))
        except ValidationError as exc:
            if len(specs) == 1:
                raise
            for name, messages in exc.message_dict.items():
                errors[f"{index}.{name}"] = messages
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    clock_events = [event for inc in incidents for event in clocks.start(inc, now=now, by=by, seen=seen)]
    Incident.objects.bulk_create(incidents)
    clocks.save_events(clock_events)
    affected = [list(spec.get("cis") or ()) for spec in specs]
    through = Incident.cis.through
    through.objects.bulk_create(
        [through(incident=inc, ci=ci) for inc, cis in zip(incidents, affected, strict=True) for ci in cis]
    )
    record_creates(
        incidents,
        [f"Incident opened via {incident.channel}" for incident in incidents],
        extra=[{"cis": [None, _ci_ids(cis)]} if cis else {} for cis in affected],
    )
    StatusChange.objects.bulk_create(
        [_status_change(inc, "open", "", Status.NEW, by, at=inc.opened_at) for inc in incidents]
    )
    notify.acknowledged(*incidents)
    for index, spec in enumerate(specs):
        if spec.get("workgroup") is not None:
            incidents[index] = transition(incidents[index], "assign", by=by, workgroup=spec["workgroup"])
    return incidents


def _new_incident(
    by: User | None,
    *,
    seen: dict | None = None,
    visible_cis: set[int] | None = None,
    organisation: Organisation,
    requester: Person,
    title: str,
    description: str = "",
    channel: str | None = None,
    impact: str | None = None,
    urgency: str | None = None,
    category: Category | None = None,
    subcategory: Category | None = None,
    workgroup: Workgroup | None = None,
    parent: Incident | None = None,
    service: Service | None = None,
    cis: Sequence[CI] = (),
    opened_at=None,
) -> Incident:
    """A validated, unsaved incident, or the reason why not (``workgroup`` is assigned once it is saved)."""
    if by is not None:
        scope = by.organisation_scope()
        if scope is not None and organisation.pk not in scope:
            raise Organisation.DoesNotExist("No such organisation")
        if by.is_customer:
            if by.role == "customer" and requester.pk != by.person_id:
                raise PermissionDenied("Customers raise incidents for themselves.")
            if workgroup is not None or category is not None:
                raise PermissionDenied("Customers do not classify or assign incidents.")
    if channel is None:
        channel = Channel.PORTAL if by is not None and by.is_customer else _channel_from_context()
    if channel == Channel.EMAIL:
        # The manual: a call placed through e-mail defaults to priority 4 (none x negotiated).
        impact = impact or Impact.NONE
        urgency = urgency or Urgency.NEGOTIATED
    impact = impact or Impact.LOW
    urgency = urgency or Urgency.NORMAL
    _validate_classification(organisation, requester, category, subcategory)
    _validate_parent(None, organisation, parent)

    incident = Incident(
        title=title.strip(),
        description=description,
        organisation=organisation,
        requester=requester,
        channel=channel,
        impact=impact,
        urgency=urgency,
        category=category,
        subcategory=subcategory,
        parent=parent,
        service=service,
        status=Status.NEW,
        opened_at=opened_at or timezone.now(),
    )
    incident.priority = priority_for(incident.impact, incident.urgency) if impact in Impact.values else 3
    _validate_fields(incident)
    _validate_service(organisation, service, incident.opened_at, seen)
    _validate_cis(organisation, list(cis), by=by, visible=visible_cis, seen=seen)
    return incident


def _channel_from_context() -> str:
    channel = current_actor().channel
    return {"api": Channel.API, "email": Channel.EMAIL, "event": Channel.MONITORING}.get(
        channel, Channel.PHONE
    )


@transaction.atomic
def update_incident(
    incident: Incident, changes: dict[str, Any], *, by: User | None, expected_version: int | None = None
) -> Incident:
    """Edit descriptive fields. Status, workgroup and owner change only through :func:`transition`."""
    _ensure_staff(by, "edit an incident")
    if not _is_system(by) and not can_see(by, incident):
        raise Incident.DoesNotExist(f"No incident {incident.number}")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    incident = crud.lock(incident, expected_version)
    if incident.status == Status.CLOSED:
        raise ValidationError({"status": ["A closed incident cannot be edited."]})
    before = snapshot(incident)
    old_priority = incident.priority
    changes = dict(changes)
    old_cis = list(incident.cis.all()) if "cis" in changes else []
    new_cis = list(changes.pop("cis", None) or ()) if "cis" in changes else old_cis
    added = [ci for ci in new_cis if ci.pk not in {old.pk for old in old_cis}]
    _validate_cis(incident.organisation, added, by=by, visible=_visible_ci_ids(by, added))
    if len({ci.pk for ci in new_cis}) != len(new_cis):
        raise ValidationError({"cis": ["A configuration item is named twice."]})
    for name, value in changes.items():
        setattr(incident, name, value)
    if "service" in changes and incident.service_id != before.get("service"):
        _validate_service(incident.organisation, incident.service, incident.opened_at)
    _validate_classification(
        incident.organisation, incident.requester, incident.category, incident.subcategory
    )
    if "parent" in changes and incident.parent_id != before.get("parent"):
        _validate_parent(incident, incident.organisation, incident.parent if incident.parent_id else None)
    if "impact" in changes or "urgency" in changes:
        incident.priority = priority_for(incident.impact, incident.urgency)
    _validate_fields(incident)
    clock_events = []
    if incident.service_id != before.get("service"):
        clock_events += clocks.after_service_change(incident, now=timezone.now(), by=by)
    if incident.priority != old_priority:
        clock_events += clocks.after_priority_change(incident, old_priority, now=timezone.now(), by=by)
    field_changes = diff(before, snapshot(incident))
    if _ci_ids(old_cis) != _ci_ids(new_cis):
        incident.cis.set(new_cis)
        field_changes["cis"] = [_ci_ids(old_cis), _ci_ids(new_cis)]
    incident.version += 1
    incident.save()
    clocks.save_events(clock_events)
    if field_changes:
        record(incident, AuditEntry.Action.UPDATE, field_changes)
    return incident


# --- the lifecycle ----------------------------------------------------------------------------------------


def _status_row(
    incident: Incident,
    action: str,
    source: str,
    target: str,
    by: User | None,
    note: str = "",
    at=None,
    **details,
) -> StatusChange:
    change = _status_change(incident, action, source, target, by, note, at, **details)
    change.save()
    return change


def _status_change(
    incident: Incident,
    action: str,
    source: str,
    target: str,
    by: User | None,
    note: str = "",
    at=None,
    **details,
) -> StatusChange:
    return StatusChange(
        incident=incident,
        action=action,
        from_status=source,
        to_status=target,
        at=at or timezone.now(),
        actor=by,
        channel=current_actor().channel,
        note=note,
        details={k: v for k, v in details.items() if v not in (None, "")},
    )


def _require(errors: dict[str, list[str]], field: str, value: Any, message: str) -> None:
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        errors.setdefault(field, []).append(message)


@transaction.atomic
def transition(
    incident: Incident,
    action: str,
    *,
    by: User | None,
    expected_version: int | None = None,
    workgroup: Workgroup | None = None,
    owner: User | None = None,
    reason: str = "",
    note: str = "",
    resolution_code: str = "",
    resolution_notes: str = "",
) -> Incident:
    """Move ``incident`` through its lifecycle. Raises IllegalTransition (409), ValidationError (422),
    PermissionDenied (403) or StaleObject (412); on any of them nothing is saved."""
    incident = crud.lock(incident, expected_version)
    step = INCIDENT_WORKFLOW.check(action, incident.status)
    _ensure_may_act(by, incident, action)
    before = snapshot(incident)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    details: dict[str, Any] = {}

    if action in ("assign", "reassign"):
        _require(errors, "workgroup", workgroup, "Choose the workgroup to assign to.")
        if workgroup is not None and not workgroup.is_active:
            errors["workgroup"] = [f"{workgroup} is not an active workgroup."]
        if action == "reassign" and workgroup is not None and workgroup.pk == incident.workgroup_id:
            errors["workgroup"] = [f"The incident is already with {workgroup}."]
        if not errors:
            incident.workgroup = workgroup
            incident.owner = None
            incident.pending_reason = ""
            incident.assigned_at = incident.assigned_at or now
            details["workgroup"] = workgroup.name
    elif action == "accept":
        owner = owner or by
        _require(errors, "owner", owner, "Name the workgroup member who takes ownership.")
        if owner is not None and not incident.workgroup.members.filter(pk=owner.pk).exists():
            errors["owner"] = [f"{owner} is not a member of {incident.workgroup}."]
        _require(errors, "note", note, CONTACT_REQUIRED)
        if not errors:
            incident.owner = owner
            incident.accepted_at = incident.accepted_at or now
            details["owner"] = str(owner)
            details["customer_contacted"] = True
    elif action == "pend":
        _require(errors, "reason", reason, "Say what the incident is waiting for.")
        if reason and reason not in PendingReason.values:
            errors["reason"] = [f"Unknown pending reason; use one of {', '.join(PendingReason.values)}."]
        if not errors:
            incident.pending_reason = reason
            details["reason"] = reason
    elif action == "resume":
        incident.pending_reason = ""
    elif action == "complete":
        _require(errors, "resolution_code", resolution_code, "Choose a resolution code.")
        _require(errors, "resolution_notes", resolution_notes, "Describe how service was restored.")
        if resolution_code and resolution_code not in ResolutionCode.values:
            errors["resolution_code"] = [
                f"Unknown resolution code; use one of {', '.join(ResolutionCode.values)}."
            ]
        if not errors:
            incident.resolution_code = resolution_code
            incident.resolution_notes = resolution_notes.strip()
            incident.pending_reason = ""
            incident.completed_at = now
    elif action == "close":
        if by is not None and by.is_customer:
            details["agreement"] = "confirmed by the customer"
        else:
            _require(
                errors, "note", note, "Record the customer's agreement to closure (who agreed, and how)."
            )
            details["agreement"] = "recorded by the service desk"
        if not errors:
            incident.closed_at = now
    elif action in ("reject", "reopen"):
        _require(errors, "note", note, "Say why the resolution did not work.")
        if not errors:
            incident.reopen_count += 1
            incident.completed_at = None
    if errors:
        raise ValidationError(errors)

    source = incident.status
    incident.status = step.target
    _validate_fields(incident)
    clock_events = clocks.after_transition(incident, action, source, now=now, by=by, note=note)
    incident.version += 1
    incident.save()
    clocks.save_events(clock_events)
    _status_row(incident, action, source, step.target, by, note=note.strip(), at=now, **details)
    record(
        incident,
        "transition",
        {k: v for k, v in record_changes(before, incident).items()},
        summary=f"{step.label}: {source} → {step.target}",
    )
    if action in ("assign", "reassign"):
        notify.assigned(incident)
    elif action == "complete":
        notify.completed(incident)
    return incident


@transaction.atomic
def rebuild_clocks(incident: Incident) -> Incident:
    """Recompute an incident's SLA clocks from its opening and its recorded status history (for history
    written with times set afterwards, such as the demo's or an import's). System use only."""
    incident = crud.lock(incident)
    clocks.replay(incident)
    Incident.objects.filter(pk=incident.pk).update(
        sla_id=incident.sla_id, **{name: getattr(incident, name) for name in CLOCK_FIELDS}
    )
    return incident


def record_changes(before: dict[str, Any], incident: Incident) -> dict[str, list[Any]]:
    after = snapshot(incident)
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


# --- the timeline -----------------------------------------------------------------------------------------


@transaction.atomic
def add_comment(incident: Incident, body: str, *, by: User | None, is_public: bool = True) -> Comment:
    if not _is_system(by) and not can_see(by, incident):
        raise Incident.DoesNotExist(f"No incident {incident.number}")
    if not body or not body.strip():
        raise ValidationError({"body": ["Write something."]})
    if by is not None and by.is_customer and not is_public:
        raise PermissionDenied("Customers cannot write internal notes.")
    if incident.status == Status.CLOSED and by is not None and by.is_customer:
        raise ValidationError({"body": ["This incident is closed; raise a new one."]})
    comment = Comment.objects.create(incident=incident, author=by, body=body.strip(), is_public=is_public)
    record_create(comment, summary="Reply" if is_public else "Work note")
    if is_public:
        notify.public_reply(incident, comment.body, by_customer=by is not None and by.is_customer)
    return comment


def _check_upload(upload: UploadedFile) -> str:
    name = PurePath(upload.name or "").name.replace("\x00", "")[:255]
    errors = []
    if not name:
        errors.append("The file has no name.")
    if upload.size is None or upload.size == 0:
        errors.append("The file is empty.")
    elif upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // 1024
        errors.append(f"The file is {upload.size // 1024} KiB; the limit is {limit} KiB.")
    suffix = PurePath(name).suffix.lower()
    if suffix not in settings.ATTACHMENT_ALLOWED_TYPES:
        errors.append(
            f"Files of type '{suffix or 'none'}' are not accepted; allowed: "
            f"{', '.join(settings.ATTACHMENT_ALLOWED_TYPES)}."
        )
    if errors:
        raise ValidationError({"file": errors})
    return name


@transaction.atomic
def add_attachment(
    incident: Incident, upload: UploadedFile, *, by: User | None, is_public: bool = True
) -> Attachment:
    if not _is_system(by) and not can_see(by, incident):
        raise Incident.DoesNotExist(f"No incident {incident.number}")
    if by is not None and by.is_customer:
        is_public = True
        if incident.status == Status.CLOSED:
            # As for replies: the customer's side of a closed incident is final; staff may still file.
            raise ValidationError({"file": ["This incident is closed; raise a new one."]})
    name = _check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    attachment = Attachment(
        incident=incident,
        filename=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        is_public=is_public,
        uploaded_by=by,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    record_create(attachment, summary=f"Attachment {name}")
    return attachment


# --- saved queue views ------------------------------------------------------------------------------------

SAVED_VIEWS_PER_USER = 30


@transaction.atomic
def save_view(*, by: User, name: str, query: str) -> SavedView:
    """Save (or overwrite, by name) one of ``by``'s own incident-queue views."""
    name = (name or "").strip()
    query = (query or "").strip().lstrip("?")
    if not name:
        raise ValidationError({"name": ["Give the view a name."]})
    if len(name) > 80:
        raise ValidationError({"name": ["Keep the name under 80 characters."]})
    if len(query) > 1000:
        raise ValidationError({"query": ["This filter is too long to save."]})
    existing = SavedView.objects.select_for_update().filter(user=by, name=name).first()
    if existing is not None:
        return crud.update(existing, {"query": query})
    if SavedView.objects.filter(user=by).count() >= SAVED_VIEWS_PER_USER:
        raise ValidationError({"name": [f"You can keep at most {SAVED_VIEWS_PER_USER} saved views."]})
    return crud.create(SavedView, user=by, name=name, query=query)


@transaction.atomic
def delete_view(view: SavedView, *, by: User) -> None:
    if view.user_id != by.pk:
        raise SavedView.DoesNotExist("No such saved view")
    crud.delete(view)
