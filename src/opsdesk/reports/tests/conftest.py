"""Incidents with known clock outcomes for the report tests.

Acme has its own SLA counted round the clock (24x7) with the same targets for every priority: respond
in 60 min, resolve in 240 min, so every figure below is plain arithmetic. Globex has the provider-wide
"Standard" SLA. Months are the service desk's (Europe/London) months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine

from opsdesk.core.context import acting_as
from opsdesk.incidents.models import Incident
from opsdesk.sla import services as sla_services
from opsdesk.sla.models import Calendar

LONDON = ZoneInfo("Europe/London")
FIX = {"resolution_code": "fixed", "resolution_notes": "Replaced the cable"}


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2025) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def travel():
    """``travel(instant)`` freezes time there."""
    current = []

    def _to(instant: dt.datetime):
        if current:
            current.pop().stop()
        traveller = time_machine.travel(instant, tick=False)
        traveller.start()
        current.append(traveller)

    yield _to
    if current:
        current.pop().stop()


@pytest.fixture
def acme_sla(world):
    with acting_as(world.manager, "web"):
        return sla_services.create_sla(
            by=world.manager,
            name="Acme Round The Clock",
            organisation=world.acme,
            is_default=True,
            calendar=Calendar.objects.get(name="24x7"),
            targets=[{"priority": p, "response_minutes": 60, "resolution_minutes": 240} for p in range(5)],
        )


@dataclass
class January:
    met_both: Incident  # accepted after 30 min, completed after 120 min
    late_both: Incident  # accepted after 90 min, completed after 300 min
    open_fast: Incident  # accepted after 10 min, not completed
    untouched: Incident  # nobody accepted it
    globex: Incident  # another customer's, breached
    report_at: dt.datetime


def story(world, travel, opened, accept_after=None, complete_after=None, org=None, **fields):
    travel(opened)
    incident = world.incident(org=org, workgroup=world.service_desk, **fields)
    if accept_after is not None:
        travel(opened + dt.timedelta(minutes=accept_after))
        incident = world.act(incident, "accept")
    if complete_after is not None:
        travel(opened + dt.timedelta(minutes=complete_after))
        incident = world.act(incident, "complete", **FIX)
    return Incident.objects.get(pk=incident.pk)


@pytest.fixture
def january(world, travel, acme_sla) -> January:
    """Four Acme incidents opened on Wednesday 15 January 2025 at 09:00 (P3), read at 12:00 the same
    day, and one Globex incident accepted a day late."""
    opened = at(1, 15, 9)
    made = January(
        met_both=story(world, travel, opened, 30, 120),
        late_both=story(world, travel, opened, 90, 300),
        open_fast=story(world, travel, opened, 10),
        untouched=story(world, travel, opened),
        globex=story(world, travel, opened, 24 * 60, org=world.globex),
        report_at=at(1, 15, 12),
    )
    travel(made.report_at)
    return made
