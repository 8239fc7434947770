"""Badges and wording for the agents' incident pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html

from opsdesk.incidents.choices import PRIORITY_LABELS, PendingReason, Status
from opsdesk.incidents.models import NEVER_DUE
from opsdesk.sla.views import business_time

register = template.Library()

STATUS_LABELS = dict(Status.choices)
PENDING_LABELS = dict(PendingReason.choices)


@register.simple_tag
def priority_badge(priority) -> str:
    label = PRIORITY_LABELS.get(priority, "")
    return format_html('<span class="badge prio-{0}" title="Priority {1}">P{0}</span>', priority, label)


@register.simple_tag
def status_badge(status: str) -> str:
    return format_html('<span class="badge status-{}">{}</span>', status, STATUS_LABELS.get(status, status))


@register.filter
def person_name(user) -> str:
    if user is None:
        return "System"
    return user.get_full_name() or user.username


@register.filter
def status_change_text(change) -> str:
    """One line for a status change in the timeline: what happened, in words."""
    details = change.details or {}
    action = change.action
    if action == "open":
        return "opened the incident"
    if action in ("assign", "reassign"):
        verb = "assigned" if action == "assign" else "reassigned"
        return f"{verb} the incident to {details.get('workgroup', 'a workgroup')}"
    if action == "accept":
        contacted = "; customer contacted" if details.get("customer_contacted") else ""
        return f"accepted the incident (owner: {details.get('owner', '?')}{contacted})"
    if action == "pend":
        reason = PENDING_LABELS.get(details.get("reason", ""), "")
        return f"set the incident pending: {reason.lower()}" if reason else "set the incident pending"
    return {
        "resume": "resumed work",
        "complete": "completed the incident",
        "close": "closed the incident",
        "reject": "rejected the completion",
        "reopen": "reopened the incident",
    }.get(action, action)


@register.filter
def business_minutes(minutes) -> str:
    """``90`` -> ``1 h 30 min`` (business time)."""
    if minutes in (None, ""):
        return "—"
    return business_time(minutes)


CLOCK_STATUS = {
    "none": ("No SLA", "bg-secondary-lt"),
    "running": ("Running", "bg-blue-lt"),
    "paused": ("Paused", "bg-yellow-lt"),
    "met": ("Met", "bg-green-lt"),
    "breached": ("Breached", "bg-red-lt"),
}


@register.simple_tag
def clock_badge(status: str, at_risk: bool = False) -> str:
    label, css = CLOCK_STATUS.get(status, (status, "bg-secondary-lt"))
    if at_risk:
        label, css = "At risk", "bg-orange-lt"
    return format_html('<span class="badge {}">{}</span>', css, label)


@register.filter
def clock_event_text(event) -> str:
    """What happened to a clock, in words (the reason and the time are shown beside it)."""
    clock = event.get_clock_display()
    used = business_time(event.used_seconds // 60) if event.used_seconds is not None else None
    target = business_time(event.target_minutes) if event.target_minutes else None
    kind = event.kind
    if kind == "started":
        return f"{clock} clock started, target {target}"
    if kind == "paused":
        return f"{clock} clock paused after {used} of {target}"
    if kind == "resumed":
        return f"{clock} clock resumed, {used} of {target} used"
    if kind == "target_changed":
        previous = event.details.get("previous_target_minutes")
        was = f" (was {business_time(previous)})" if previous and previous != event.target_minutes else ""
        return f"{clock} target set to {target}{was}"
    if kind == "warned":
        return f"{clock} clock reached {event.details.get('threshold', '?')} % of {target}"
    if kind == "met":
        return f"{clock} target met: {used} of {target} used"
    if kind == "breached":
        if event.details.get("stopped"):
            return f"{clock} target breached: {used} of {target} used"
        return f"{clock} target breached: {target} used up"
    return f"{clock} clock {kind}"


def due_cell(clock: Mapping[str, Any]) -> str:
    """The queue's "Due" cell from an incident's clock columns (a ``.values()`` row): the soonest due
    time of a running clock, flagged when at risk or breached; else what the clocks say (paused, met,
    breached, no SLA)."""
    now = timezone.now()
    next_due, next_warn = clock["next_due_at"], clock["next_warn_at"]
    if next_due and next_due != NEVER_DUE:
        due = timezone.localtime(next_due)
        flag = ""
        if next_due < now:
            flag = format_html(' <span class="badge {}">{}</span>', "bg-red-lt", "Breached")
        elif next_warn and next_warn <= now:
            flag = format_html(' <span class="badge {}">{}</span>', "bg-orange-lt", "At risk")
        return format_html(
            '<time datetime="{}">{}</time>{}', due.isoformat(), due.strftime("%d %b %H:%M"), flag
        )
    if not clock["sla_id"]:
        return format_html('<span class="{}">{}</span>', "text-secondary", "No SLA")
    if clock["resolution_state"] == "paused":
        return clock_badge("paused")
    breached = clock["response_breached"] or clock["resolution_breached"]
    return clock_badge("breached" if breached else "met")
