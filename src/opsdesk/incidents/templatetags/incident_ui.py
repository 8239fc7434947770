"""Badges and wording for the agents' incident pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from opsdesk.incidents.choices import PRIORITY_LABELS, PendingReason, Status

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
        return f"accepted the incident (owner: {details.get('owner', '?')})"
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
