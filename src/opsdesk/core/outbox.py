"""Outbound messages are rows written in the caller's transaction and sent by the worker afterwards."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from opsdesk.core.models import OutboxMessage


def queue_email(recipients: Iterable[str], subject: str, body: str) -> OutboxMessage | None:
    to = sorted({r for r in recipients if r})
    if not to:
        return None
    message = OutboxMessage.objects.create(
        kind="email", recipients=to, subject=subject[:250], body=body, next_attempt_at=timezone.now()
    )

    def _enqueue() -> None:
        from opsdesk.core.tasks import deliver_outbox

        deliver_outbox.enqueue()

    transaction.on_commit(_enqueue)
    return message
