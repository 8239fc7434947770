"""Service-level clocks through the incident lifecycle, with frozen time.

The provider-wide "Standard" SLA counts in UK office hours (Monday to Friday 09:00-17:30, English bank
holidays closed). P3 (low impact, normal urgency): respond in 4 h, resolve in 40 h; P1: 30 min and 8 h.
Wednesday 15 January 2025 is an ordinary working day; all times are London time (UTC in January).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsdesk.catalogue import services as catalogue
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.core.context import acting_as
from opsdesk.incidents import clocks
from opsdesk.incidents import services as incidents
from opsdesk.incidents.models import NEVER_DUE, ClockEvent, Incident
from opsdesk.sla import calendar_services
from opsdesk.sla import services as sla_services
from opsdesk.sla.models import Calendar, Sla

LONDON = ZoneInfo("Europe/London")
FIX = {"resolution_code": "fixed", "resolution_notes": "Replaced the cable"}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 1, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def clock():
    """``clock(day, hour, minute)`` freezes time there (January 2025, London)."""
    traveller = None

    def _move(day, hour, minute=0):
        nonlocal traveller
        if traveller is not None:
            traveller.stop()
        traveller = time_machine.travel(at(day, hour, minute), tick=False)
        traveller.start()

    yield _move
    if traveller is not None:
        traveller.stop()


def kinds(incident, which=None):
    rows = ClockEvent.objects.filter(incident=incident).order_by("at", "id")
    if which:
        rows = rows.filter(clock=which)
    return [(e.clock, e.kind) for e in rows]


def fresh(incident) -> Incident:
    return Incident.objects.get(pk=incident.pk)


def accepted(world, clock, day=15, hour=9, minute=30):
    clock(15, 9)
    inc = world.incident(workgroup=world.service_desk)
    clock(day, hour, minute)
    return world.act(inc, "accept")


def targets(response, resolution):
    return [{"priority": p, "response_minutes": response, "resolution_minutes": resolution} for p in range(5)]


# --- starting -----------------------------------------------------------------------------------------------


def test_a_new_incident_gets_both_clocks_under_the_sla_that_applies(world, clock):
    clock(15, 9)
    inc = fresh(world.incident())
    assert inc.sla.name == "Standard" and inc.priority == 3
    assert inc.response_state == inc.resolution_state == "running"
    assert inc.response_due_at == at(15, 13)
    # 40 h: Wed 8.5 + Thu 8.5 + Fri 8.5 + Mon 8.5 = 34 h, then 6 h on Tuesday 21st.
    assert inc.resolution_due_at == at(21, 15)
    assert (inc.response_target_minutes, inc.resolution_target_minutes) == (240, 2400)
    assert inc.response_warn_at == at(15, 12)  # 75 % of 4 h
    assert inc.next_due_at == at(15, 13) and inc.next_warn_at == at(15, 12)
    assert kinds(inc) == [("response", "started"), ("resolution", "started")]
    started = inc.clock_events.get(clock="response")
    assert started.due_at == at(15, 13) and "Standard" in started.reason and "P3" in started.reason


def test_an_incident_opened_on_friday_evening_is_due_after_the_weekend(world, clock):
    clock(17, 18)
    inc = fresh(world.incident())
    assert inc.response_due_at == at(20, 13)


def test_the_service_subscription_decides_the_sla(world, clock):
    clock(15, 9)
    with acting_as(world.manager, "web"):
        mail = catalogue.create_service(
            by=world.manager, name="Managed Mail", owner=world.service_desk, status=ServiceStatus.LIVE
        )
        subscription = catalogue.subscribe(mail, world.acme, start_date=dt.date(2025, 1, 1), by=world.manager)
        gold = sla_services.create_sla(
            by=world.manager,
            name="Mail Gold",
            organisation=world.acme,
            calendar=Calendar.objects.get(name="24x7"),
            targets=targets(10, 60),
        )
        sla_services.set_subscription_sla(subscription, gold, by=world.manager)
    with_service = fresh(world.incident(service=mail))
    without = fresh(world.incident())
    assert with_service.sla == gold and with_service.response_due_at == at(15, 9, 10)
    assert without.sla.name == "Standard"


def test_without_any_sla_an_incident_has_no_clocks(world, clock):
    Sla.objects.all().delete()
    clock(15, 9)
    inc = world.incident(workgroup=world.service_desk)
    inc = world.act(inc, "accept")
    inc = world.act(inc, "pend", reason="customer")
    inc = world.act(inc, "complete", **FIX)
    inc = fresh(inc)
    assert inc.sla is None and inc.response_state == inc.resolution_state == ""
    assert inc.next_due_at == NEVER_DUE and inc.response_due_at is None
    assert clocks.status(inc, "response") == clocks.status(inc, "resolution") == "none"
    assert not ClockEvent.objects.exists()


def test_creating_an_incident_costs_at_most_two_queries_for_its_clocks(world, clock):
    clock(15, 9)
    world.incident()  # warms the SLA cache
    with CaptureQueriesContext(connection) as captured:
        world.incident()
    clock_queries = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "sla_' in q["sql"] or 'INTO "incidents_clockevent"' in q["sql"]
    ]
    assert len(clock_queries) <= 2, "\n".join(q[:300] for q in clock_queries)


# --- response -----------------------------------------------------------------------------------------------


def test_accepting_in_time_meets_the_response_target(world, clock):
    inc = fresh(accepted(world, clock, 15, 12, 59))
    assert inc.response_state == "stopped" and not inc.response_breached
    assert clocks.status(inc, "response") == "met"
    met = inc.clock_events.get(kind="met")
    assert met.clock == "response" and met.used_seconds == (3 * 60 + 59) * 60
    assert inc.next_due_at == inc.resolution_due_at == at(21, 15)


def test_accepting_late_breaches_the_response_target(world, clock):
    inc = fresh(accepted(world, clock, 16, 9, 1))
    assert inc.response_breached and clocks.status(inc, "response") == "breached"
    breached = inc.clock_events.get(kind="breached")
    assert breached.used_seconds == (8 * 60 + 30 + 1) * 60 and breached.details == {"stopped": True}


def test_a_running_clock_past_its_due_time_shows_as_breached(world, clock):
    clock(15, 9)
    inc = fresh(world.incident())
    assert clocks.status(inc, "response", now=at(15, 12, 30)) == "running"
    assert clocks.at_risk(inc, "response", now=at(15, 12, 30))
    assert clocks.status(inc, "response", now=at(15, 13, 1)) == "breached"


def test_reassigning_after_acceptance_leaves_the_response_outcome_alone(world, clock):
    inc = accepted(world, clock)
    clock(15, 11)
    inc = world.act(inc, "reassign", workgroup=world.network)
    clock(16, 10)
    inc = world.act(inc, "accept", by=world.net_agent)
    inc = fresh(inc)
    assert clocks.status(inc, "response") == "met"
    assert kinds(inc, "response") == [("response", "started"), ("response", "met")]


# --- pending ------------------------------------------------------------------------------------------------


def test_pending_on_and_off_several_times_adds_only_the_paused_business_time(world, clock):
    inc = accepted(world, clock, 15, 10)
    clock(15, 11)
    inc = world.act(inc, "pend", reason="customer")
    paused = fresh(inc)
    assert paused.resolution_state == "paused" and paused.resolution_due_at is None
    assert paused.next_due_at == NEVER_DUE and paused.next_warn_at is None
    assert clocks.status(paused, "resolution") == "paused"
    clock(15, 13)
    inc = world.act(inc, "resume")
    assert fresh(inc).resolution_due_at == at(21, 17)  # two hours later than 15:00
    clock(15, 14)
    inc = world.act(inc, "pend", reason="part_shipped")
    clock(16, 10)
    inc = world.act(inc, "resume")
    inc = fresh(inc)
    # Paused 11-13 (2 h) and 14:00-17:30 + 09:00-10:00 (4.5 h): 6.5 h after Tuesday 15:00 is Wednesday 13:00.
    assert inc.resolution_due_at == at(22, 13) and inc.resolution_state == "running"
    assert kinds(inc, "resolution") == [
        ("resolution", "started"),
        ("resolution", "paused"),
        ("resolution", "resumed"),
        ("resolution", "paused"),
        ("resolution", "resumed"),
    ]
    first_pause = inc.clock_events.filter(kind="paused").first()
    assert first_pause.reason == "Pending: Waiting for customer" and first_pause.used_seconds == 2 * 3600
    # Nothing counted while paused: 09:00-11:00 and 13:00-14:00 and 10:00-10:00.
    assert inc.clock_events.filter(kind="paused").last().used_seconds == 3 * 3600


def test_the_row_keeps_the_business_time_used_at_each_clocks_last_change(world, clock):
    """The reports add these up instead of reading every event."""
    clock(15, 9)
    inc = world.incident(workgroup=world.service_desk)
    assert fresh(inc).response_used_seconds == 0 and fresh(inc).resolution_used_seconds == 0
    clock(15, 10, 15)
    inc = world.act(inc, "accept")
    assert fresh(inc).response_used_seconds == 75 * 60
    clock(15, 11)
    inc = world.act(inc, "pend", reason="customer")
    assert fresh(inc).resolution_used_seconds == 2 * 3600  # frozen while paused
    clock(16, 10)
    inc = world.act(inc, "resume")
    clock(16, 12)
    inc = fresh(world.act(inc, "complete", **FIX))
    # 09:00-11:00 on Wednesday, then 10:00-12:00 on Thursday; the response time is left alone.
    assert inc.resolution_used_seconds == 4 * 3600 and inc.response_used_seconds == 75 * 60
    assert inc.clock_events.get(clock="resolution", kind="met").used_seconds == 4 * 3600


def test_a_pending_reason_the_sla_does_not_list_keeps_the_clock_running(world, clock):
    with acting_as(world.manager, "web"):
        sla_services.create_sla(
            by=world.manager,
            name="Acme Standard",
            organisation=world.acme,
            is_default=True,
            calendar=Calendar.objects.get(name="UK office hours"),
            pausing_reasons=["customer"],
            targets=targets(240, 2400),
        )
    inc = accepted(world, clock, 15, 10)
    clock(15, 11)
    inc = world.act(inc, "pend", reason="external")
    inc = fresh(inc)
    assert inc.resolution_state == "running" and inc.resolution_due_at == at(21, 15)
    assert not inc.clock_events.filter(kind="paused").exists()
    clock(15, 12)
    inc = world.act(inc, "resume")
    assert fresh(inc).resolution_due_at == at(21, 15)


def test_completing_while_pending_stops_the_clock_with_the_pause_not_counted(world, clock):
    inc = accepted(world, clock, 15, 10)
    clock(15, 11)
    inc = world.act(inc, "pend", reason="customer")
    clock(22, 9)
    inc = fresh(world.act(inc, "complete", **FIX))
    assert inc.resolution_state == "stopped" and clocks.status(inc, "resolution") == "met"
    assert inc.clock_events.get(kind="met", clock="resolution").used_seconds == 2 * 3600


def test_reassigning_a_pending_incident_resumes_its_clock(world, clock):
    inc = accepted(world, clock, 15, 10)
    clock(15, 11)
    inc = world.act(inc, "pend", reason="customer")
    clock(15, 12)
    inc = fresh(world.act(inc, "reassign", workgroup=world.network))
    assert inc.resolution_state == "running" and inc.resolution_due_at == at(21, 16)
    assert inc.clock_events.last().reason == "Pending ended: passed to another workgroup"


# --- completion and reopening -----------------------------------------------------------------------------


def test_completing_in_time_meets_and_late_breaches_the_resolution_target(world, clock):
    inc = accepted(world, clock, 15, 10)
    clock(21, 15)
    inc = fresh(world.act(inc, "complete", **FIX))
    assert clocks.status(inc, "resolution") == "met"
    assert inc.next_due_at == NEVER_DUE
    other = accepted(world, clock, 15, 10)
    clock(21, 15, 1)
    other = fresh(world.act(other, "complete", **FIX))
    assert clocks.status(other, "resolution") == "breached" and other.resolution_breached


@pytest.mark.parametrize("action, by", [("reopen", "agent"), ("reject", "acme_user")])
def test_reopening_resumes_the_resolution_clock_without_counting_the_time_it_was_completed(
    world, clock, action, by
):
    inc = accepted(world, clock, 15, 10)
    clock(15, 16)
    inc = world.act(inc, "complete", **FIX)
    clock(16, 11)
    inc = fresh(world.act(inc, action, by=getattr(world, by), note="Still no dial tone"))
    # Completed 16:00-17:30 and 09:00-11:00: 3.5 h after Tuesday 15:00 -> Wednesday 22nd 10:00.
    assert inc.resolution_state == "running" and inc.resolution_due_at == at(22, 10)
    assert clocks.status(inc, "response") == "met"
    resumed = inc.clock_events.last()
    assert resumed.kind == "resumed"
    # The customer's own reason is shown; an agent's reopening note stays internal.
    assert ("Still no dial tone" in resumed.reason) == (action == "reject")
    clock(22, 11)
    inc = fresh(world.act(inc, "complete", **FIX))
    assert clocks.status(inc, "resolution") == "breached"
    assert kinds(inc, "resolution")[-3:] == [
        ("resolution", "met"),
        ("resolution", "resumed"),
        ("resolution", "breached"),
    ]


# --- recomputing --------------------------------------------------------------------------------------------


def _edit(world, inc, **changes):
    with acting_as(world.agent, "web"):
        return incidents.update_incident(inc, changes, by=world.agent)


def test_a_priority_change_recomputes_the_targets_from_the_start(world, clock):
    clock(15, 9)
    inc = world.incident()
    clock(15, 9, 10)
    inc = fresh(_edit(world, inc, impact="high", urgency="critical"))
    assert inc.priority == 1
    assert inc.response_due_at == at(15, 9, 30) and inc.resolution_due_at == at(15, 17)
    changed = inc.clock_events.filter(kind="target_changed")
    assert {e.clock for e in changed} == {"response", "resolution"}
    response = changed.get(clock="response")
    assert response.reason == "Priority changed from P3 to P1"
    assert response.details["previous_target_minutes"] == 240 and response.target_minutes == 30


def test_a_priority_change_while_paused_keeps_paused_time_paused(world, clock):
    inc = accepted(world, clock, 15, 9, 30)
    clock(15, 10)
    inc = world.act(inc, "pend", reason="customer")
    clock(15, 11)
    inc = fresh(_edit(world, fresh(inc), impact="high", urgency="critical"))
    assert inc.resolution_state == "paused" and inc.resolution_target_minutes == 480
    assert inc.resolution_due_at is None
    assert clocks.status(inc, "response") == "met"  # a stopped clock keeps its outcome
    clock(15, 12)
    inc = fresh(world.act(inc, "resume"))
    # 8 h: 09:00-10:00 counted, paused 10-12, then 12:00-17:30 (5.5 h), 1.5 h on Thursday.
    assert inc.resolution_due_at == at(16, 10, 30)


def test_an_sla_edit_recomputes_the_open_incidents_and_says_so(world, clock, monkeypatch):
    monkeypatch.setattr(clocks, "RECOMPUTE_BATCH", 1)  # several batches
    clock(15, 9)
    open_one = world.incident()
    another = world.incident()
    done = accepted(world, clock, 15, 9, 30)
    clock(15, 10)
    done = world.act(done, "complete", **FIX)
    standard = Sla.objects.get(name="Standard")
    clock(15, 11)
    with acting_as(world.manager, "web"):
        sla_services.set_targets(standard, targets(60, 600), by=world.manager)
    inc = fresh(open_one)
    assert inc.response_due_at == at(15, 10) and inc.resolution_due_at == at(16, 10, 30)
    event = inc.clock_events.filter(kind="target_changed").first()
    assert event.reason == "SLA Standard changed: targets" and event.actor == world.manager
    assert fresh(another).response_due_at == at(15, 10)
    assert not fresh(done).clock_events.filter(kind="target_changed").exists()


def test_a_calendar_edit_while_open_moves_the_due_time_and_says_why(world, clock):
    clock(15, 9)
    inc = world.incident()
    uk = Calendar.objects.get(name="UK office hours")
    clock(15, 10)
    with acting_as(world.manager, "web"):
        calendar_services.update_calendar(
            uk, {}, by=world.manager, exceptions=[{"date": "2025-01-16", "kind": "closed", "note": "Move"}]
        )
    inc = fresh(inc)
    assert inc.response_due_at == at(15, 13)  # unchanged: due before the closed day
    assert inc.resolution_due_at == at(22, 15)  # one working day later
    events = inc.clock_events.filter(kind="target_changed")
    assert [(e.clock, e.reason, e.actor) for e in events] == [
        ("resolution", "Calendar UK office hours edited", world.manager)
    ]
    assert events[0].details["previous_due_at"] == at(21, 15).isoformat()


def test_an_sla_edit_keeps_a_paused_clock_paused_with_its_new_target(world, clock):
    inc = accepted(world, clock, 15, 10)
    clock(15, 11)
    inc = world.act(inc, "pend", reason="customer")
    standard = Sla.objects.get(name="Standard")
    clock(15, 12)
    with acting_as(world.manager, "web"):
        sla_services.update_sla(standard, {}, targets=targets(240, 600), by=world.manager)
    inc = fresh(inc)
    assert inc.resolution_state == "paused" and inc.resolution_target_minutes == 600
    clock(15, 13)
    inc = fresh(world.act(inc, "resume"))
    # 10 h: 09:00-11:00 counted, paused 11-13, 13:00-17:30 (4.5 h), 3.5 h on Thursday.
    assert inc.resolution_due_at == at(16, 12, 30)


def test_naming_a_service_with_its_own_sla_moves_the_running_clocks_to_that_sla(world, clock):
    clock(15, 9)
    with acting_as(world.manager, "web"):
        mail = catalogue.create_service(
            by=world.manager, name="Managed Mail", owner=world.service_desk, status=ServiceStatus.LIVE
        )
        subscription = catalogue.subscribe(mail, world.acme, start_date=dt.date(2025, 1, 1), by=world.manager)
        gold = sla_services.create_sla(
            by=world.manager,
            name="Mail Gold",
            organisation=world.acme,
            calendar=Calendar.objects.get(name="24x7"),
            targets=targets(60, 600),
        )
        sla_services.set_subscription_sla(subscription, gold, by=world.manager)
    inc = accepted(world, clock, 15, 9, 30)
    clock(15, 10)
    inc = fresh(_edit(world, inc, service=mail))
    assert inc.sla == gold
    assert clocks.status(inc, "response") == "met"  # decided under Standard, and stays so
    assert inc.resolution_due_at == at(15, 19) and inc.resolution_target_minutes == 600  # round the clock
    event = inc.clock_events.get(kind="target_changed")
    assert event.reason == "Affected service changed: SLA Standard replaced by Mail Gold"
