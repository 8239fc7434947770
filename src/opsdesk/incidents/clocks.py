"""The service-level clocks of incidents: what each lifecycle step does to them, stored on the incident
row (due times, state) and explained by :class:`~opsdesk.incidents.models.ClockEvent` rows.

Only :mod:`opsdesk.incidents.services` calls these helpers, inside its transaction; the arithmetic is the
pure :mod:`opsdesk.sla.clocks`, and the SLA comes from :mod:`opsdesk.sla.policies`.

- Response clock: from opening to the first acceptance (met or breached then). It never pauses.
- Resolution clock: from opening to completion. Pending with a reason the SLA lists in its pausing
  reasons pauses it, leaving pending resumes it; completing stops it, and reopening (or the customer
  rejecting the completion) resumes it, the time in between not counting.
- A priority change, or an edit of the SLA or of its calendar, recomputes the targets from the opening
  with the current rules, keeping paused time paused. A clock that has stopped keeps its outcome.

Helpers that change an incident set its fields (the caller saves it) and return unsaved events, which
the caller stores with :func:`save_events` after saving the incident.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.utils import timezone

from opsdesk.incidents.choices import Clock, ClockEventKind, ClockState, PendingReason
from opsdesk.incidents.models import CLOCK_FIELDS, NEVER_DUE, ClockEvent, Incident
from opsdesk.sla import policies
from opsdesk.sla.clocks import Policy, Reading, minutes, read, threshold_at
from opsdesk.sla.signals import calendar_changed, sla_changed

RESPONSE, RESOLUTION = Clock.RESPONSE.value, Clock.RESOLUTION.value
CLOCKS = (RESPONSE, RESOLUTION)
K = ClockEventKind
STOP_KINDS = (K.MET, K.BREACHED)
RECOMPUTE_BATCH = 500  # incidents per statement when an SLA or calendar edit recomputes many


# --- reading the row --------------------------------------------------------------------------------------


def field(incident: Incident, clock: str, name: str):
    return getattr(incident, f"{clock}_{name}")


def _put(incident: Incident, clock: str, **values) -> None:
    for name, value in values.items():
        setattr(incident, f"{clock}_{name}", value)


def status(incident: Incident, clock: str, now: dt.datetime | None = None) -> str:
    """What a person is told: ``none``, ``running``, ``paused``, ``met`` or ``breached``."""
    state = field(incident, clock, "state")
    if not state:
        return "none"
    breached = field(incident, clock, "breached")
    if state == ClockState.STOPPED:
        return "breached" if breached else "met"
    if state == ClockState.PAUSED:
        return "paused"
    due = field(incident, clock, "due_at")
    if breached or (due is not None and due < (now or timezone.now())):
        return "breached"
    return "running"


def at_risk(incident: Incident, clock: str, now: dt.datetime | None = None) -> bool:
    """Running, past the first warning threshold, not yet breached."""
    if field(incident, clock, "state") != ClockState.RUNNING:
        return False
    warn, now = field(incident, clock, "warn_at"), now or timezone.now()
    return warn is not None and warn <= now and status(incident, clock, now) == "running"


# --- pauses from the events ----------------------------------------------------------------------------


def pauses_from(events: Iterable[ClockEvent]) -> list[tuple[dt.datetime, dt.datetime | None]]:
    """The resolution clock's stretches that do not count: pending (with a pausing reason) and the time
    between a completion and a reopening. ``end=None``: still paused (or stopped)."""
    spans: list[tuple[dt.datetime, dt.datetime | None]] = []
    opened: dt.datetime | None = None
    for event in events:
        if event.clock != RESOLUTION:
            continue
        stops = event.kind == K.PAUSED or _stops(event)
        if stops and opened is None:
            opened = event.at
        elif event.kind == K.RESUMED and opened is not None:
            spans.append((opened, event.at))
            opened = None
    if opened is not None:
        spans.append((opened, None))
    return spans


def _stops(event: ClockEvent) -> bool:
    return event.kind in STOP_KINDS and bool(event.details.get("stopped"))


def resolution_pauses(incident: Incident) -> list[tuple[dt.datetime, dt.datetime | None]]:
    events = incident.clock_events.filter(clock=RESOLUTION).order_by("at", "id")
    return pauses_from(events.only("clock", "kind", "at", "details"))


def _pauses_of_many(ids: list[int]) -> dict[int, list]:
    by_incident: dict[int, list[ClockEvent]] = defaultdict(list)
    rows = ClockEvent.objects.filter(incident_id__in=ids, clock=RESOLUTION).order_by("at", "id")
    for event in rows.only("incident_id", "clock", "kind", "at", "details"):
        by_incident[event.incident_id].append(event)
    return {pk: pauses_from(events) for pk, events in by_incident.items()}


def _close(pauses, at: dt.datetime):
    return [(s, at if e is None else e) for s, e in pauses]


# --- writing the row --------------------------------------------------------------------------------------


def _event(incident, clock, kind, at, by, reason="", reading: Reading | None = None, **details):
    return ClockEvent(
        incident=incident,
        clock=clock,
        kind=kind,
        at=at,
        due_at=reading.due_at if reading else None,
        target_minutes=int(reading.target.total_seconds() // 60) if reading else None,
        used_seconds=int(reading.used.total_seconds()) if reading else None,
        reason=reason[:300],
        details={k: v for k, v in details.items() if v not in (None, "")},
        actor=by,
    )


def _apply(incident: Incident, clock: str, policy: Policy, reading: Reading, pauses) -> None:
    """Put a reading on the row (target, due and warning instants, business time used, state)."""
    warn = None
    if reading.state == ClockState.RUNNING:
        warn = threshold_at(
            policy.calendar, reading.target, policy.first_threshold, incident.opened_at, pauses
        )
    _put(
        incident,
        clock,
        state=reading.state,
        due_at=reading.due_at,
        target_minutes=int(reading.target.total_seconds() // 60),
        warn_at=warn,
        used_seconds=int(reading.used.total_seconds()),
    )
    if reading.state == ClockState.STOPPED:
        _put(incident, clock, breached=reading.breached)


def refresh_next(incident: Incident) -> None:
    running = [c for c in CLOCKS if field(incident, c, "state") == ClockState.RUNNING]
    dues = [field(incident, c, "due_at") for c in running if field(incident, c, "due_at")]
    warns = [field(incident, c, "warn_at") for c in running if field(incident, c, "warn_at")]
    incident.next_due_at = min(dues, default=NEVER_DUE)
    incident.next_warn_at = min(warns, default=None)


def _read(incident, clock, policy, pauses, now, target_minutes=None, stopped_at=None) -> Reading:
    target = target_minutes or field(incident, clock, "target_minutes")
    return read(policy.calendar, minutes(target), incident.opened_at, pauses, at=now, stopped_at=stopped_at)


def save_events(events: list[ClockEvent]) -> None:
    if events:
        ClockEvent.objects.bulk_create(events)


# --- what the SLA panel shows ---------------------------------------------------------------------------


@dataclass
class ClockView:
    clock: str
    label: str
    status: str  # none, running, paused, met, breached
    at_risk: bool
    target_minutes: int | None
    due_at: dt.datetime | None
    used_minutes: int | None
    remaining_minutes: int | None


@dataclass
class SlaPanel:
    sla_id: int | None
    sla_name: str
    calendar_name: str
    clocks: list[ClockView]
    events: list[ClockEvent] = dataclass_field(default_factory=list)

    @property
    def has_sla(self) -> bool:
        return self.sla_id is not None


def panel(incident: Incident, now: dt.datetime | None = None) -> SlaPanel:
    """The SLA, each clock's target, due time, state and business time used, and the events that
    explain them (for the agent's and the customer's incident pages and the API)."""
    now = now or timezone.now()
    events = list(incident.clock_events.select_related("actor").order_by("at", "id"))
    policy = _policy(incident)
    views = []
    pauses = pauses_from(events)
    for clock in CLOCKS:
        target = field(incident, clock, "target_minutes")
        used = remaining = None
        if policy is not None and target and field(incident, clock, "state"):
            stop = None
            if field(incident, clock, "state") == ClockState.STOPPED:
                stop = next((e.at for e in reversed(events) if e.clock == clock and _stops(e)), now)
            reading = _read(
                incident, clock, policy, pauses if clock == RESOLUTION else [], now, stopped_at=stop
            )
            used = int(reading.used.total_seconds() // 60)
            remaining = int(reading.remaining.total_seconds() // 60)
        views.append(
            ClockView(
                clock=clock,
                label=Clock(clock).label,
                status=status(incident, clock, now),
                at_risk=at_risk(incident, clock, now),
                target_minutes=target,
                due_at=field(incident, clock, "due_at"),
                used_minutes=used,
                remaining_minutes=remaining,
            )
        )
    return SlaPanel(
        sla_id=incident.sla_id,
        sla_name=policy.name if policy else "",
        calendar_name=policy.calendar_name if policy else "",
        clocks=views,
        events=events,
    )


# --- the lifecycle ----------------------------------------------------------------------------------------


def start(incident: Incident, *, now: dt.datetime, by, seen: dict | None = None) -> list[ClockEvent]:
    """Both clocks of a new (unsaved) incident, from its opening, under the SLA that applies
    (``seen``: policies already looked up for this batch of incidents)."""
    opened = incident.opened_at
    key = ("policy", incident.organisation_id, incident.service_id, timezone.localdate(opened))
    if seen is not None and key in seen:
        policy = seen[key]
    else:
        policy = policies.policy_for(incident.organisation_id, incident.service_id, on=key[3])
        if seen is not None:
            seen[key] = policy
    if policy is None:
        return []
    incident.sla_id = policy.sla_id
    events = []
    for clock in CLOCKS:
        target = policy.target_minutes(clock, incident.priority)
        if not target:
            continue
        reading = _read(incident, clock, policy, (), max(now, opened), target_minutes=target)
        _apply(incident, clock, policy, reading, ())
        reason = f"SLA {policy.name} in {policy.calendar_name}, priority P{incident.priority}"
        events.append(_event(incident, clock, K.STARTED, opened, by, reason, reading))
    refresh_next(incident)
    return events


def _policy(incident: Incident) -> Policy | None:
    return policies.policy(incident.sla_id) if incident.sla_id else None


def after_transition(
    incident: Incident,
    action: str,
    source: str,
    *,
    now: dt.datetime,
    by,
    note: str = "",
    owner_name: str = "",
) -> list[ClockEvent]:
    """What the lifecycle step ``action`` (already applied to ``incident``, not yet saved) does to its
    clocks."""
    if not incident.sla_id:
        return []
    response, resolution = incident.response_state, incident.resolution_state
    wants = (
        (action == "accept" and response in (ClockState.RUNNING, ClockState.PAUSED))
        or (action == "pend" and resolution == ClockState.RUNNING)
        or (resolution == ClockState.PAUSED and action in ("resume", "reassign", "complete"))
        or (action == "complete" and resolution == ClockState.RUNNING)
        or (action in ("reopen", "reject") and resolution == ClockState.STOPPED)
    )
    if not wants:
        return []
    policy = _policy(incident)
    if policy is None:
        return []
    events: list[ClockEvent] = []
    if action == "accept":
        reading = _read(incident, RESPONSE, policy, (), now, stopped_at=now)
        _apply(incident, RESPONSE, policy, reading, ())
        owner_name = owner_name or (str(incident.owner) if incident.owner_id else "")
        who = f"Accepted by {owner_name}" if owner_name else "Accepted"
        kind = K.BREACHED if reading.breached else K.MET
        events.append(_event(incident, RESPONSE, kind, now, by, who, reading, stopped=True))
    elif action == "pend":
        reason = incident.pending_reason
        label = PendingReason(reason).label if reason in PendingReason.values else reason
        if policy.pauses_for(reason):
            pauses = resolution_pauses(incident)
            paused = _read(incident, RESOLUTION, policy, [*pauses, (now, None)], now)
            _apply(incident, RESOLUTION, policy, paused, [*pauses, (now, None)])
            events.append(
                _event(
                    incident,
                    RESOLUTION,
                    K.PAUSED,
                    now,
                    by,
                    f"Pending: {label}",
                    paused,
                    pending_reason=reason,
                )
            )
    elif action in ("resume", "reassign", "reopen", "reject"):
        pauses = _close(resolution_pauses(incident), now)
        reading = _read(incident, RESOLUTION, policy, pauses, now)
        _apply(incident, RESOLUTION, policy, reading, pauses)
        why = {
            "resume": "Pending ended: work resumed",
            "reassign": "Pending ended: passed to another workgroup",
            "reopen": "Reopened by the service desk",
            "reject": "The customer reported it is not fixed",
        }[action]
        if note and action == "reject":  # the customer's own words; an agent's note stays internal
            why = f"{why}: {note.strip()}"
        events.append(_event(incident, RESOLUTION, K.RESUMED, now, by, why, reading))
    elif action == "complete":
        pauses = _close(resolution_pauses(incident), now)
        reading = _read(incident, RESOLUTION, policy, pauses, now, stopped_at=now)
        _apply(incident, RESOLUTION, policy, reading, pauses)
        kind = K.BREACHED if reading.breached else K.MET
        events.append(_event(incident, RESOLUTION, kind, now, by, "Completed", reading, stopped=True))
    refresh_next(incident)
    return events


def retarget(
    incident: Incident,
    policy: Policy,
    *,
    now: dt.datetime,
    by,
    reason: str,
    pauses=None,
    always: bool = False,
) -> list[ClockEvent]:
    """Recompute the targets of the clocks that have not stopped, from the opening, with the incident's
    current priority and ``policy``; paused time stays paused. An event for each clock that changed."""
    events = []
    for clock in CLOCKS:
        state = field(incident, clock, "state")
        if state not in (ClockState.RUNNING, ClockState.PAUSED):
            continue
        target = policy.target_minutes(clock, incident.priority)
        if not target:
            continue
        clock_pauses = []
        if clock == RESOLUTION:
            clock_pauses = resolution_pauses(incident) if pauses is None else pauses
        reading = _read(incident, clock, policy, clock_pauses, now, target_minutes=target)
        before = (field(incident, clock, "target_minutes"), field(incident, clock, "due_at"))
        if before == (target, reading.due_at) and not always:
            continue
        _apply(incident, clock, policy, reading, clock_pauses)
        if before[0] != target:
            _put(incident, clock, warned=0)
        events.append(
            _event(
                incident,
                clock,
                K.TARGET_CHANGED,
                now,
                by,
                reason,
                reading,
                previous_target_minutes=before[0],
                previous_due_at=before[1].isoformat() if before[1] else None,
            )
        )
    refresh_next(incident)
    return events


def after_priority_change(incident: Incident, old: int, *, now: dt.datetime, by) -> list[ClockEvent]:
    policy = _policy(incident)
    if policy is None:
        return []
    reason = f"Priority changed from P{old} to P{incident.priority}"
    return retarget(incident, policy, now=now, by=by, reason=reason)


def replay(incident: Incident) -> list[ClockEvent]:
    """Rebuild the clocks of a saved incident from its opening and its status history, as if each step
    had happened at its recorded time (for records whose times were set afterwards, such as the demo's
    backdated stories or imported history). Returns the new events, already stored; the caller saves
    the incident's clock fields."""
    ClockEvent.objects.filter(incident=incident).delete()
    for clock in CLOCKS:
        _put(
            incident,
            clock,
            state="",
            due_at=None,
            target_minutes=None,
            warn_at=None,
            breached=False,
            warned=0,
            used_seconds=None,
        )
    incident.sla_id = None
    events = start(incident, now=incident.opened_at, by=None)
    save_events(events)
    pending_reason = incident.pending_reason
    for change in incident.status_changes.order_by("at", "id"):
        if change.action == "open":
            continue
        incident.pending_reason = change.details.get("reason", "") if change.action == "pend" else ""
        step = after_transition(
            incident,
            change.action,
            change.from_status,
            now=change.at,
            by=change.actor,
            note=change.note,
            owner_name=change.details.get("owner", ""),
        )
        save_events(step)
        events += step
    incident.pending_reason = pending_reason
    refresh_next(incident)
    return events


def after_service_change(incident: Incident, *, now: dt.datetime, by) -> list[ClockEvent]:
    """The affected service decides the SLA (through the organisation's subscription to it): when a new
    service brings another SLA, the clocks that still run count under that one, from the opening."""
    moving = [c for c in CLOCKS if field(incident, c, "state") in (ClockState.RUNNING, ClockState.PAUSED)]
    if not incident.sla_id or not moving:
        return []  # no clocks were ever started, or their outcomes are decided under the SLA they had
    policy = policies.policy_for(
        incident.organisation_id, incident.service_id, on=timezone.localdate(incident.opened_at)
    )
    if policy is None or policy.sla_id == incident.sla_id:
        return []
    old = _policy(incident)
    incident.sla_id = policy.sla_id
    reason = f"Affected service changed: SLA {old.name if old else '?'} replaced by {policy.name}"
    return retarget(incident, policy, now=now, by=by, reason=reason, always=True)


# --- SLA and calendar edits --------------------------------------------------------------------------------


def recompute_open(sla_ids: list[int], *, reason: str, by, now: dt.datetime | None = None) -> int:
    """Recompute the clocks of the open incidents under the SLAs ``sla_ids`` (in the caller's
    transaction); returns how many incidents changed."""
    if not sla_ids:
        return 0
    now = now or timezone.now()
    policies.clear_cache()
    by_id = policies.policies(sla_ids)
    affected = (
        Incident.objects.open()
        .filter(sla_id__in=list(by_id))
        .exclude(response_state__in=("", ClockState.STOPPED), resolution_state__in=("", ClockState.STOPPED))
    )
    ids = list(affected.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start_at in range(0, len(ids), RECOMPUTE_BATCH):
        batch = ids[start_at : start_at + RECOMPUTE_BATCH]
        incidents = list(affected.filter(pk__in=batch).select_for_update().order_by("pk"))
        pauses = _pauses_of_many(batch)
        updated, events = [], []
        for incident in incidents:
            mine = retarget(
                incident,
                by_id[incident.sla_id],
                now=now,
                by=by,
                reason=reason,
                pauses=pauses.get(incident.pk, []),
            )
            if mine:
                updated.append(incident)
                events += mine
        Incident.objects.bulk_update(updated, CLOCK_FIELDS)
        ClockEvent.objects.bulk_create(events)
        changed += len(updated)
    return changed


def _acting_user(by):
    return by if getattr(by, "pk", None) else None


def _on_sla_changed(sender, sla, by=None, reason="", **kwargs) -> None:
    recompute_open([sla.pk], reason=reason or f"SLA {sla.name} changed", by=_acting_user(by))


def _on_calendar_changed(sender, calendar, by=None, reason="", **kwargs) -> None:
    recompute_open(
        policies.slas_using(calendar.pk),
        reason=reason or f"Calendar {calendar.name} changed",
        by=_acting_user(by),
    )


sla_changed.connect(_on_sla_changed, dispatch_uid="incident-clocks-sla")
calendar_changed.connect(_on_calendar_changed, dispatch_uid="incident-clocks-calendar")
