"""Background work of the framework: deliver the outbox with retries; a claim only one worker wins."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from opsdesk.core.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def deliver_due(now: dt.datetime | None = None, limit: int = 100) -> int:
    now = now or timezone.now()
    sent = 0
    due = OutboxMessage.objects.filter(
        sent_at__isnull=True, next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS
    ).values_list("id", "attempts")[:limit]
    for message_id, attempts in list(due):
        # Compare-and-set claim: push the next attempt into the future; only one worker's update matches.
        backoff = now + dt.timedelta(minutes=2 ** min(attempts, 8))
        claimed = OutboxMessage.objects.filter(id=message_id, attempts=attempts, sent_at__isnull=True).update(
            attempts=F("attempts") + 1, next_attempt_at=backoff
        )
        if not claimed:
            continue
        message = OutboxMessage.objects.get(id=message_id)
        try:
            send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, message.recipients)
        except Exception as exc:  # the SMTP server's failure is recorded and retried, never lost
            log.warning("outbox message %s failed: %s", message_id, exc)
            OutboxMessage.objects.filter(id=message_id).update(last_error=str(exc)[:2000])
            continue
        OutboxMessage.objects.filter(id=message_id).update(sent_at=timezone.now(), last_error="")
        sent += 1
    return sent


@task()
def deliver_outbox() -> int:
    return deliver_due()
