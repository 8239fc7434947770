"""The pure clock arithmetic: hand-worked cases, then properties for any calendar, start, target and
pauses."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsdesk.sla.calendars import ALWAYS_OPEN, BusinessCalendar, elapsed
from opsdesk.sla.clocks import PAUSED, RUNNING, STOPPED, due, read, share, threshold_at

LONDON = ZoneInfo("Europe/London")
H, M = timedelta(hours=1), timedelta(minutes=1)
UK_OFFICE = BusinessCalendar(
    tz="Europe/London",
    weekly={day: ((time(9), time(17, 30)),) for day in range(5)},
    holiday_country="GB",
    holiday_subdivision="ENG",
)
NY_LUNCH = BusinessCalendar(
    tz="America/New_York",
    weekly={day: ((time(8), time(12)), (time(13), time(17))) for day in range(6)},
    holiday_country="US",
    holiday_subdivision="NY",
)


def london(*fields):
    return datetime(*fields, tzinfo=LONDON)


# --- hand-worked ------------------------------------------------------------------------------------------


def test_a_running_clock_is_due_after_its_target_in_business_time():
    # Wednesday 15 January 2025, 10:00 + 4 business hours = 14:00 the same day.
    reading = read(UK_OFFICE, 4 * H, london(2025, 1, 15, 10), at=london(2025, 1, 15, 11))
    assert reading.state == RUNNING
    assert reading.due_at == london(2025, 1, 15, 14)
    assert reading.used == H and reading.remaining == 3 * H and not reading.breached


def test_friday_afternoon_over_a_bank_holiday_monday():
    # Friday 2 May 2025 16:30: 1 h on Friday; Monday 5 May is the Early May bank holiday; 3 h on Tuesday.
    reading = read(UK_OFFICE, 4 * H, london(2025, 5, 2, 16, 30), at=london(2025, 5, 2, 16, 30))
    assert reading.due_at == london(2025, 5, 6, 12)


def test_a_pause_moves_the_due_time_by_the_business_time_it_covered():
    # Opened 09:00, 4 h target; pending 10:00-12:00 -> due 15:00 instead of 13:00.
    start = london(2025, 1, 15, 9)
    pauses = [(london(2025, 1, 15, 10), london(2025, 1, 15, 12))]
    reading = read(UK_OFFICE, 4 * H, start, pauses, at=london(2025, 1, 15, 12, 30))
    assert reading.due_at == london(2025, 1, 15, 15)
    assert reading.used == H + 30 * M


def test_a_paused_clock_has_no_due_time_and_stops_counting():
    start = london(2025, 1, 15, 9)
    pauses = [(london(2025, 1, 15, 10), None)]
    later = read(UK_OFFICE, 4 * H, start, pauses, at=london(2025, 1, 17, 16))
    assert later.state == PAUSED and later.due_at is None
    assert later.used == H and later.remaining == 3 * H


def test_a_pause_over_a_weekend_changes_nothing():
    # Friday 17 January 2025 17:00 to Monday 09:00: the office is closed all that time anyway.
    start = london(2025, 1, 17, 9)
    pauses = [(london(2025, 1, 17, 17, 30), london(2025, 1, 20, 9))]
    assert (
        due(UK_OFFICE, 16 * H, start, pauses) == due(UK_OFFICE, 16 * H, start) == london(2025, 1, 20, 16, 30)
    )


def test_stopping_exactly_at_the_due_time_meets_the_target_and_a_minute_later_breaches_it():
    start = london(2025, 1, 15, 9)
    met = read(UK_OFFICE, 2 * H, start, at=london(2025, 1, 16), stopped_at=london(2025, 1, 15, 11))
    late = read(UK_OFFICE, 2 * H, start, at=london(2025, 1, 16), stopped_at=london(2025, 1, 15, 11, 1))
    assert met.state == STOPPED and met.met and met.used == 2 * H
    assert late.breached and not late.met and late.used == 2 * H + M
    assert late.due_at == london(2025, 1, 15, 11)


def test_stopping_after_closing_time_still_meets_a_target_reached_only_next_morning():
    # 4 h target from 16:30: 1 h today, due 12:00 tomorrow; completed at 20:00 tonight -> met.
    start = london(2025, 1, 15, 16, 30)
    reading = read(UK_OFFICE, 4 * H, start, at=london(2025, 1, 15, 20), stopped_at=london(2025, 1, 15, 20))
    assert reading.met and reading.used == H


def test_a_stop_while_paused_ends_the_pause_there():
    start = london(2025, 1, 15, 9)
    reading = read(
        UK_OFFICE,
        4 * H,
        start,
        [(london(2025, 1, 15, 10), None)],
        at=london(2025, 1, 20, 9),
        stopped_at=london(2025, 1, 16, 9),
    )
    assert reading.state == STOPPED and reading.used == H and reading.met


def test_warning_thresholds_are_shares_of_the_target_in_business_time():
    start = london(2025, 1, 15, 9)
    assert threshold_at(UK_OFFICE, 4 * H, 75, start) == london(2025, 1, 15, 12)
    assert threshold_at(UK_OFFICE, 4 * H, 100, start) == due(UK_OFFICE, 4 * H, start)
    assert share(timedelta(minutes=15), 75) == timedelta(minutes=11, seconds=15)


def test_round_the_clock_counts_every_minute():
    start = datetime(2025, 3, 29, 23, 0, tzinfo=UTC)  # the night the UK clocks go forward
    assert read(ALWAYS_OPEN, 4 * H, start, at=start).due_at == datetime(2025, 3, 30, 3, tzinfo=UTC)


def test_a_clock_opened_in_the_past_reads_as_breached_when_its_time_is_up():
    start = london(2025, 1, 13, 9)
    reading = read(UK_OFFICE, 2 * H, start, at=london(2025, 1, 15, 9))
    assert reading.state == RUNNING and reading.breached and reading.remaining == timedelta(0)


# --- properties -------------------------------------------------------------------------------------------

CALENDARS = [UK_OFFICE, NY_LUNCH, ALWAYS_OPEN]
FIRST = datetime(2025, 1, 1, tzinfo=UTC)
quick = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

instants = st.integers(0, 2 * 365 * 24 * 60).map(lambda m: FIRST + timedelta(minutes=m))
targets = st.integers(1, 5 * 24 * 60).map(lambda m: timedelta(minutes=m))


@st.composite
def pause_lists(draw, start):
    """Disjoint closed pauses after ``start``, each up to three days, with gaps up to three days."""
    pauses, cursor = [], start
    for _ in range(draw(st.integers(0, 4))):
        begin = cursor + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
        end = begin + timedelta(minutes=draw(st.integers(1, 3 * 24 * 60)))
        pauses.append((begin, end))
        cursor = end
    return pauses


@st.composite
def clocks(draw):
    cal = draw(st.sampled_from(CALENDARS))
    start = draw(instants)
    return cal, start, draw(targets), draw(pause_lists(start))


@quick
@given(clocks())
def test_the_due_time_is_exactly_the_target_of_business_time_after_the_start(clock):
    cal, start, target, pauses = clock
    due_at = due(cal, target, start, pauses)
    assert due_at is not None
    assert elapsed(cal, start, due_at, pauses) == target


@quick
@given(clocks())
def test_pauses_never_bring_the_due_time_forward(clock):
    cal, start, target, pauses = clock
    assert due(cal, target, start, pauses) >= due(cal, target, start)


@quick
@given(clocks(), st.integers(0, 3 * 24 * 60), st.integers(0, 3 * 24 * 60))
def test_nothing_counts_while_paused(clock, first, second):
    cal, start, target, pauses = clock
    since = (pauses[-1][1] if pauses else start) + timedelta(minutes=1)
    open_pauses = [*pauses, (since, None)]
    a = read(cal, target, start, open_pauses, at=since + timedelta(minutes=first))
    b = read(cal, target, start, open_pauses, at=since + timedelta(minutes=first + second))
    assert a.state == b.state == PAUSED
    assert a.used == b.used == elapsed(cal, start, since, pauses)


@quick
@given(clocks(), st.integers(-3 * 24 * 60, 3 * 24 * 60))
def test_a_stop_by_the_due_time_meets_the_target_and_a_breach_means_a_later_stop(clock, offset):
    cal, start, target, pauses = clock
    due_at = due(cal, target, start, pauses)
    stop = max(start, due_at + timedelta(minutes=offset))
    reading = read(cal, target, start, pauses, at=stop, stopped_at=stop)
    if stop <= due_at:
        assert reading.met
    if reading.breached:
        assert stop > due_at
    if all(end <= stop for _begin, end in pauses):
        assert reading.due_at == due_at


@quick
@given(clocks(), st.integers(1, 99))
def test_thresholds_come_in_order_and_the_last_is_the_due_time(clock, percent):
    cal, start, target, pauses = clock
    warn = threshold_at(cal, target, percent, start, pauses)
    assert start <= warn <= due(cal, target, start, pauses) == threshold_at(cal, target, 100, start, pauses)


@pytest.mark.parametrize("percent", [0, 50, 75, 100])
def test_share_is_exact(percent):
    assert share(timedelta(hours=4), percent) == timedelta(hours=4) * percent / 100
