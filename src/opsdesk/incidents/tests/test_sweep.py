"""The SLA sweep: each warning and breach recorded and notified once, late but not lost.

"Standard" SLA, UK office hours (Mon-Fri 09:00-17:30). A P3 incident opened Wednesday 15 January 2025
at 09:00 (London = UTC in January) has 4 business hours to be accepted: 75 % is used at 12:00 and the
target at 13:00.
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection

from opsdesk.core.models import OutboxMessage
from opsdesk.incidents.models import ClockEvent, Incident
from opsdesk.incidents.sweep import sweep
from opsdesk.sla.models import Sla

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 1, day, hour, minute, tzinfo=LONDON)


def sla_events(incident=None):
    rows = ClockEvent.objects.filter(kind__in=["warned", "breached"]).order_by("at", "id")
    if incident is not None:
        rows = rows.filter(incident=incident)
    return [(e.incident_id, e.clock, e.kind, e.details["percent"], e.at) for e in rows]


def sla_mail():
    return list(OutboxMessage.objects.filter(subject__contains="SLA").values_list("subject", flat=True))


@pytest.fixture
def opened(world):
    with time_machine.travel(at(15, 9), tick=False):
        incident = world.incident(title="Printer jammed")
    assert (incident.priority, incident.response_target_minutes) == (3, 240)
    return incident


def test_each_threshold_is_recorded_and_mailed_once(world, opened):
    with time_machine.travel(at(15, 11, 59), tick=False):
        assert sweep() == 0
    with time_machine.travel(at(15, 12, 1), tick=False):
        assert sweep() == 1
        assert sweep() == 0  # the next run finds nothing new
    assert sla_events(opened) == [(opened.pk, "response", "warned", 75, at(15, 12))]
    assert sla_mail() == [f"[{opened.number}] SLA warning, 75% (response): Printer jammed"]
    with time_machine.travel(at(15, 13, 1), tick=False):
        assert sweep() == 1
        assert sweep() == 0
    assert [e[2:4] for e in sla_events(opened)] == [("warned", 75), ("breached", 100)]
    assert len(sla_mail()) == 2
    incident = Incident.objects.get(pk=opened.pk)
    assert (incident.response_warned, incident.response_breached) == (100, True)
    assert incident.response_warn_at is None


def test_the_warning_goes_to_the_roles_the_sla_names(world, opened):
    with time_machine.travel(at(15, 12, 1), tick=False):
        sweep()
    message = OutboxMessage.objects.get(subject__contains="SLA warning")
    assert world.manager.email in message.recipients
    assert "due 15 Jan 2025 13:00" in message.body


def test_after_downtime_every_threshold_is_recorded_at_its_own_instant(world, opened):
    with time_machine.travel(at(16, 10), tick=False):
        assert sweep() == 2
    events = ClockEvent.objects.filter(incident=opened, kind__in=["warned", "breached"]).order_by("at")
    assert [(e.kind, e.at) for e in events] == [("warned", at(15, 12)), ("breached", at(15, 13))]
    assert all(e.details["noticed_at"].startswith("2025-01-16T10:00") for e in events)


def test_an_accepted_incident_is_not_warned_about_its_response(world, opened):
    with time_machine.travel(at(15, 11), tick=False):
        world.act(opened, "assign", workgroup=world.service_desk)
        world.act(Incident.objects.get(pk=opened.pk), "accept")
    with time_machine.travel(at(15, 14), tick=False):
        sweep()
    assert [e[1] for e in sla_events(opened)] == []


def _seed_default_sla():
    """A transactional test empties every table, seeded ones included: put the default SLA back."""
    if not Sla.objects.filter(is_default=True).exists():
        for name in ("0002_default_calendars", "0004_default_sla"):
            importlib.import_module(f"opsdesk.sla.migrations.{name}").seed(django_apps, None)


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_notify_each_threshold_once(world):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "the in-memory SQLite test database refuses a second writer outright ('table is locked'); "
            "a SQLite file makes the second writer wait, and PostgreSQL runs this test for real"
        )
    _seed_default_sla()
    with time_machine.travel(at(15, 9), tick=False):
        incidents = [world.incident(title=f"Outage {i}") for i in range(6)]
    assert all(i.response_target_minutes == 240 for i in incidents)
    counts, failures = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            counts.append(sweep())
        except Exception as exc:  # a worker that fails would hide a double notification
            failures.append(exc)
        finally:
            connection.close()

    with time_machine.travel(at(15, 13, 30), tick=False):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == [] and len(counts) == 2
    assert sum(counts) == 12  # 6 incidents x (75 % warning + breach), whoever wrote them
    events = sla_events()
    assert len(events) == len(set(e[:4] for e in events)) == 12
    assert {e[0] for e in events} == {i.pk for i in incidents}
    assert len(sla_mail()) == 12
