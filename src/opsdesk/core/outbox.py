"""Outbound messages are rows written in the caller's transaction and sent by the worker afterwards."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from opsdesk.core.models import OutboxMessage


def _enqueue_delivery() -> None:
    from opsdesk.core.tasks import deliver_outbox

    deliver_outbox.enqueue()


def _schedule_delivery() -> None:
    """One delivery task per transaction, however many messages it queued."""
    if connection.in_atomic_block and any(cb is _enqueue_delivery for _, cb, _ in connection.run_on_commit):
        return
    transaction.on_commit(_enqueue_delivery)


def queue_email(recipients: Iterable[str], subject: str, body: str) -> OutboxMessage | None:
    to = sorted({r for r in recipients if r})
    if not to:
        return None
    message = OutboxMessage.objects.create(
        kind="email", recipients=to, subject=subject[:250], body=body, next_attempt_at=timezone.now()
    )
    _schedule_delivery()
    return message
