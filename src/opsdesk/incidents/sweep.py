"""Warnings and breaches of running SLA clocks, each recorded and notified exactly once.

Every ``opsdesk worker`` runs :func:`sweep` once a minute (``core.periodic``), so several may run it at the
same time. An incident is due when its ``next_warn_at`` has passed: the earliest instant one of its
running clocks reaches a warning threshold it has not been warned about (the SLA's thresholds, by
default 75 % and 100 % of the target; 100 % is the breach).

Each due incident is handled in its own transaction under a row lock (``SELECT ... FOR UPDATE``; on
SQLite the write lock): the worker that gets the lock records the thresholds crossed (``warned`` or
``breached`` clock events, at the instant each was crossed), raises ``<clock>_warned``, moves
``warn_at``/``next_warn_at`` on to the next threshold and queues the messages, all in that transaction.
A worker that gets the lock afterwards finds nothing left to do. A worker that was stopped catches up
at its next run: the events keep the instant the threshold was crossed and say when it was noticed.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from opsdesk.accounts.choices import Role
from opsdesk.accounts.models import User
from opsdesk.core.outbox import queue_emails
from opsdesk.incidents.choices import ClockEventKind, ClockState
from opsdesk.incidents.clocks import CLOCKS, RESOLUTION, field, refresh_next, resolution_pauses, save_events
from opsdesk.incidents.models import ClockEvent, Incident
from opsdesk.sla import policies
from opsdesk.sla.choices import NotifyRole
from opsdesk.sla.clocks import Policy, minutes, threshold_at

log = logging.getLogger(__name__)
BATCH = 200  # incidents per run at most; the next run takes the rest
LATE = dt.timedelta(minutes=2)  # noticed later than this: the event says so


def sweep(now: dt.datetime | None = None, limit: int = BATCH) -> int:
    """Record and notify the thresholds crossed by ``now``; the number of clock events written."""
    now = now or timezone.now()
    due = (
        Incident.objects.filter(next_warn_at__lte=now)
        .order_by("next_warn_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    written = 0
    for pk in list(due):
        written += _sweep_incident(pk, now)
    return written


@transaction.atomic
def _sweep_incident(pk: int, now: dt.datetime) -> int:
    incident = Incident.objects.select_for_update().filter(pk=pk, next_warn_at__lte=now).first()
    if incident is None or not incident.sla_id:
        return 0  # another worker was first, or the clocks moved on
    policy = policies.policy(incident.sla_id)
    if policy is None:
        return 0
    events: list[ClockEvent] = []
    for clock in CLOCKS:
        if field(incident, clock, "state") != ClockState.RUNNING:
            continue
        # Only the resolution clock pauses (pending); the response clock runs until acceptance.
        pauses = resolution_pauses(incident) if clock == RESOLUTION else []
        crossed = _crossed(incident, clock, policy, pauses, now)
        for percent, at in crossed:
            events.append(_event(incident, clock, percent, at, now))
        if crossed:
            setattr(incident, f"{clock}_warned", crossed[-1][0])
            if crossed[-1][0] >= 100:
                setattr(incident, f"{clock}_breached", True)
        setattr(incident, f"{clock}_warn_at", _next_threshold(incident, clock, policy, pauses))
    refresh_next(incident)
    changed = ["next_warn_at"] + [f"{c}_{name}" for c in CLOCKS for name in ("warned", "breached", "warn_at")]
    Incident.objects.filter(pk=pk).update(**{name: getattr(incident, name) for name in changed})
    save_events(events)
    _notify(incident, policy, events)
    return len(events)


def _thresholds(policy: Policy) -> list[int]:
    return sorted({*policy.warning_thresholds, 100})


def _target(incident: Incident, clock: str) -> dt.timedelta | None:
    minutes_ = field(incident, clock, "target_minutes")
    return minutes(minutes_) if minutes_ else None


def _crossed(incident, clock, policy: Policy, pauses, now) -> list[tuple[int, dt.datetime]]:
    """The thresholds not yet warned that the clock had reached by ``now``, in order, with their instants."""
    target = _target(incident, clock)
    if target is None:
        return []
    warned = field(incident, clock, "warned")
    out = []
    for percent in _thresholds(policy):
        if percent <= warned:
            continue
        at = threshold_at(policy.calendar, target, percent, incident.opened_at, pauses)
        if at is None or at > now:
            break
        out.append((percent, at))
    return out


def _next_threshold(incident, clock, policy: Policy, pauses) -> dt.datetime | None:
    target = _target(incident, clock)
    warned = field(incident, clock, "warned")
    upcoming = [p for p in _thresholds(policy) if p > warned]
    if target is None or not upcoming:
        return None
    return threshold_at(policy.calendar, target, upcoming[0], incident.opened_at, pauses)


def _event(incident: Incident, clock: str, percent: int, at: dt.datetime, now: dt.datetime) -> ClockEvent:
    breach = percent >= 100
    due = field(incident, clock, "due_at")
    if breach:
        reason = f"Target missed: due {timezone.localtime(due):%d %b %Y %H:%M}" if due else "Target missed"
    else:
        reason = f"{percent}% of the target used"
    details: dict = {"percent": percent}
    if now - at > LATE:
        details["noticed_at"] = now.isoformat()
    return ClockEvent(
        incident=incident,
        clock=clock,
        kind=ClockEventKind.BREACHED if breach else ClockEventKind.WARNED,
        at=at,
        due_at=due,
        target_minutes=field(incident, clock, "target_minutes"),
        reason=reason,
        details=details,
    )


# --- who is told ----------------------------------------------------------------------------------------


def _recipients(incident: Incident, roles: list[str]) -> list[str]:
    emails: list[str] = []
    if NotifyRole.OWNER in roles and incident.owner_id:
        emails.append(User.objects.filter(pk=incident.owner_id).values_list("email", flat=True).first() or "")
    if NotifyRole.WORKGROUP_LEAD in roles and incident.workgroup_id:
        lead = (
            User.objects.filter(pk=incident.workgroup.lead_id).values_list("email", flat=True).first()
            if incident.workgroup.lead_id
            else None
        )
        emails.append(lead or incident.workgroup.email)
    if NotifyRole.MANAGER in roles:
        emails += User.objects.filter(role=Role.MANAGER, is_active=True).values_list("email", flat=True)
    return emails


def _notify(incident: Incident, policy: Policy, events: list[ClockEvent]) -> None:
    if not events:
        return
    roles = list(incident.sla.notify_roles or [])
    recipients = _recipients(incident, roles)
    link = f"{settings.BASE_URL}{incident.get_absolute_url()}"
    messages = []
    for event in events:
        clock = event.get_clock_display().lower()
        if event.kind == ClockEventKind.BREACHED:
            subject = f"[{incident.number}] SLA breached ({clock}): {incident.title}"
        else:
            percent = event.details["percent"]
            subject = f"[{incident.number}] SLA warning, {percent}% ({clock}): {incident.title}"
        due = timezone.localtime(event.due_at).strftime("%d %b %Y %H:%M") if event.due_at else "-"
        body = (
            f"Incident {incident.number} (P{incident.priority}, {incident.organisation}) under SLA "
            f"{policy.name}: {event.reason}.\nThe {clock} target is due {due}.\n{link}\n"
        )
        messages.append((recipients, subject, body))
    queue_emails(messages)
