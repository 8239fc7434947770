"""Who is told what when an incident moves; messages go through the outbox (sent after commit)."""

from __future__ import annotations

from django.conf import settings

from opsdesk.core.outbox import queue_email, queue_emails
from opsdesk.incidents.models import Incident


def _link(incident: Incident) -> str:
    return f"{settings.BASE_URL}{incident.get_absolute_url()}"


def _portal_link(incident: Incident) -> str:
    return f"{settings.BASE_URL}/portal/{incident.number}/"


def acknowledged(*incidents: Incident) -> None:
    queue_emails(
        (
            [incident.requester.email],
            f"[{incident.number}] received: {incident.title}",
            f"We have recorded your incident {incident.number} with priority {incident.priority}.\n"
            f"Follow it at {_portal_link(incident)}\n",
        )
        for incident in incidents
    )


def assigned(incident: Incident) -> None:
    workgroup = incident.workgroup
    recipients = [workgroup.email, *workgroup.members.filter(is_active=True).values_list("email", flat=True)]
    queue_email(
        recipients,
        f"[{incident.number}] assigned to {workgroup.name}: {incident.title}",
        f"Incident {incident.number} (priority {incident.priority}, {incident.organisation}) was assigned to "
        f"{workgroup.name} and waits to be accepted.\n{_link(incident)}\n",
    )


def completed(incident: Incident) -> None:
    queue_email(
        [incident.requester.email],
        f"[{incident.number}] completed, please confirm: {incident.title}",
        f"We believe incident {incident.number} is resolved:\n\n{incident.resolution_notes}\n\n"
        f"Please confirm or reject the resolution at {_portal_link(incident)}\n",
    )


def public_reply(incident: Incident, body: str, by_customer: bool) -> None:
    if by_customer:
        recipients = (
            [incident.owner.email]
            if incident.owner_id
            else [incident.workgroup.email if incident.workgroup_id else ""]
        )
        link = _link(incident)
    else:
        recipients = [incident.requester.email]
        link = _portal_link(incident)
    queue_email(recipients, f"[{incident.number}] new reply: {incident.title}", f"{body}\n\n{link}\n")
