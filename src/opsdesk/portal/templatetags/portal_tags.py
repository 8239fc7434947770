"""Plain-language wording of incident states for customers."""

from __future__ import annotations

from django import template

from opsdesk.incidents.choices import PendingReason, Status

register = template.Library()

PLAIN_STATUS = {
    Status.NEW: "Received – we are looking at it",
    Status.ASSIGNED: "With a support team",
    Status.ACCEPTED: "Being worked on",
    Status.PENDING: "On hold",
    Status.COMPLETED: "Fixed – please confirm",
    Status.CLOSED: "Closed",
}

PLAIN_PENDING = {
    PendingReason.CUSTOMER: "waiting for information from you",
    PendingReason.PART_SHIPPED: "waiting for a part to be delivered",
    PendingReason.EXTERNAL: "waiting for an external supplier",
    PendingReason.SCHEDULED: "scheduled for a later date",
}


def pending_text(reason: str) -> str:
    return PLAIN_PENDING.get(reason, "waiting")


@register.filter
def plain_status(incident) -> str:
    text = PLAIN_STATUS.get(incident.status, incident.get_status_display())
    if incident.status == Status.PENDING and incident.pending_reason:
        text = f"{text} – {pending_text(incident.pending_reason)}"
    return text
