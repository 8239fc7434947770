"""Messages written in a transaction get exactly one delivery task, stored with them or not at all."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from opsdesk.core.models import OutboxMessage
from opsdesk.core.outbox import queue_email

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_one_delivery_task_per_transaction(database_tasks):
    with transaction.atomic():
        queue_email(["a@example.com"], "First", "body")
        queue_email(["b@example.com"], "Second", "body")
    assert OutboxMessage.objects.count() == 2
    assert DBTaskResult.objects.count() == 1


def test_a_rolled_back_transaction_leaves_no_message_and_no_task(database_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email(["a@example.com"], "Lost", "body")
        raise RuntimeError("the write failed")
    assert OutboxMessage.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_outside_a_transaction_each_message_gets_its_task(database_tasks):
    queue_email(["a@example.com"], "One", "body")
    queue_email(["b@example.com"], "Two", "body")
    assert DBTaskResult.objects.count() == 2


def test_a_backend_that_runs_tasks_at_once_sends_only_after_commit(mailoutbox):
    with transaction.atomic():
        queue_email(["a@example.com"], "After commit", "body")
        assert mailoutbox == []
    assert [m.subject for m in mailoutbox] == ["After commit"]
