"""Outbound messages are rows written in the caller's transaction and sent by the worker afterwards."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db import DatabaseBackend

from opsdesk.core.models import OutboxMessage


def _enqueue_delivery() -> None:
    from opsdesk.core.tasks import deliver_outbox

    deliver_outbox.enqueue()


def _delivery_scheduled() -> None:
    """Marks a transaction that already holds its delivery task (a no-op when it commits)."""


def _tasks_stored_in_database() -> bool:
    from opsdesk.core.tasks import deliver_outbox

    return isinstance(deliver_outbox.get_backend(), DatabaseBackend)


def _schedule_delivery() -> None:
    """One delivery task per transaction, however many messages it queued.

    With the database task backend the task row is written in the same transaction as the messages: it
    becomes visible to the workers when they do, and a rollback removes both (no extra commit per write).
    Other backends may run the task at once, so they get it only after the commit.
    """
    if not connection.in_atomic_block:
        _enqueue_delivery()
        return
    if any(cb in (_enqueue_delivery, _delivery_scheduled) for _, cb, _ in connection.run_on_commit):
        return
    if _tasks_stored_in_database():
        _enqueue_delivery()
        transaction.on_commit(_delivery_scheduled)
    else:
        transaction.on_commit(_enqueue_delivery)


def queue_emails(messages: Iterable[tuple[Iterable[str], str, str]]) -> list[OutboxMessage]:
    """Queue ``(recipients, subject, body)`` messages in one INSERT; those without a recipient are dropped."""
    now = timezone.now()
    rows = []
    for recipients, subject, body in messages:
        to = sorted({r for r in recipients if r})
        if to:
            message = OutboxMessage(kind="email", recipients=to, subject=subject[:250], body=body)
            message.next_attempt_at = now
            rows.append(message)
    if not rows:
        return []
    rows = OutboxMessage.objects.bulk_create(rows)
    _schedule_delivery()
    return rows


def queue_email(recipients: Iterable[str], subject: str, body: str) -> OutboxMessage | None:
    queued = queue_emails([(recipients, subject, body)])
    return queued[0] if queued else None
