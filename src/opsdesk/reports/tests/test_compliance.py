"""The compliance figures for hand-built incidents whose clock outcomes are known."""

from __future__ import annotations

import datetime as dt

from opsdesk.reports.compliance import Selection, compliance

from .conftest import at

JANUARY = dt.date(2025, 1, 1)


def acme_january(world, by=()):
    return Selection(first=JANUARY, last=JANUARY, organisation=world.acme.pk, by=by)


def test_met_percentages_means_and_percentiles_are_exact(world, january):
    report = compliance(world.manager, acme_january(world), now=january.report_at)
    total = report.total
    assert total.incidents == 4
    # response: met after 30 and 10 min; breached after 90 min and still unaccepted past 10:00
    assert (total.response.met, total.response.breached, total.response.open) == (2, 2, 0)
    assert total.response.met_percent == 50.0
    assert total.response.mean_seconds == (30 + 90 + 10) * 60 / 3
    assert total.response.p90_seconds == 90 * 60  # rank ceil(0.9 x 3) = 3 of 10, 30, 90 min
    # resolution: met after 120 min, breached after 300 min; two still running before their 13:00 due
    assert (total.resolution.met, total.resolution.breached, total.resolution.open) == (1, 1, 2)
    assert total.resolution.met_percent == 50.0
    assert total.resolution.mean_seconds == (120 + 300) * 60 / 2
    assert total.resolution.p90_seconds == 300 * 60
    assert total.breaches == 2


def test_a_running_clock_counts_as_breached_once_past_its_due_time(world, january):
    later = compliance(world.manager, acme_january(world), now=at(1, 15, 13, 1)).total
    assert (later.resolution.met, later.resolution.breached, later.resolution.open) == (1, 3, 0)
    assert later.resolution.met_percent == 25.0
    assert later.breaches == 3  # every Acme incident except the one met on both clocks


def test_rows_group_by_customer_and_priority_and_staff_see_every_customer(world, january):
    selection = Selection(first=JANUARY, last=JANUARY, by=("organisation", "priority", "month"))
    assert selection.by == ("month", "organisation", "priority")
    report = compliance(world.manager, selection, now=january.report_at)
    rows = [(r.month, r.organisation, r.priority, r.incidents, r.breaches) for r in report.rows]
    assert rows == [
        (JANUARY, "Acme Ltd", 3, 4, 2),
        (JANUARY, "Globex plc", 3, 1, 1),  # accepted a day late under the Standard SLA
    ]
    globex = report.rows[1]
    assert globex.response.met_percent == 0.0 and globex.response.p90_seconds is not None
    assert report.total.incidents == 5 and report.total.breaches == 3


def test_a_customer_manager_counts_only_their_own_organisation(world, january):
    everything = Selection(first=JANUARY, last=JANUARY, by=("organisation",))
    report = compliance(world.acme_manager, everything, now=january.report_at)
    assert [r.organisation for r in report.rows] == ["Acme Ltd"]
    assert report.total.incidents == 4
    asking_for_globex = Selection(first=JANUARY, last=JANUARY, organisation=world.globex.pk)
    assert compliance(world.acme_manager, asking_for_globex).total.incidents == 0


def test_months_are_the_service_desks_months_not_utc(world, travel, acme_sla):
    from .conftest import story

    july_evening = story(world, travel, at(7, 31, 23, 30))  # 22:30 UTC
    august_night = story(world, travel, at(8, 1, 0, 30))  # 31 July 23:30 UTC, 00:30 in London
    travel(at(8, 20, 12))
    selection = Selection(
        first=dt.date(2025, 7, 1), last=dt.date(2025, 8, 1), organisation=world.acme.pk, by=("month",)
    )
    report = compliance(world.manager, selection)
    assert [(r.month, r.incidents) for r in report.rows] == [
        (dt.date(2025, 7, 1), 1),
        (dt.date(2025, 8, 1), 1),
    ]
    only_august = Selection(first=dt.date(2025, 8, 1), last=dt.date(2025, 8, 1))
    assert compliance(world.manager, only_august).total.incidents == 1
    assert july_evening.opened_at < august_night.opened_at


def test_a_paused_clock_already_past_its_target_is_breached(world, travel, acme_sla):
    from .conftest import story

    incident = story(world, travel, at(1, 15, 9), accept_after=10)
    travel(at(1, 15, 13, 30))  # 270 min used of 240
    world.act(incident, "pend", reason="customer")
    travel(at(1, 20, 9))
    report = compliance(world.manager, Selection(first=JANUARY, last=JANUARY)).total
    assert (report.resolution.met, report.resolution.breached, report.resolution.open) == (0, 1, 0)
