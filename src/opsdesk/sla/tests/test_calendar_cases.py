"""Hand-worked cases of business-time arithmetic: each row was worked out on paper first."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from opsdesk.sla.calendars import (
    ALWAYS_OPEN,
    BusinessCalendar,
    add,
    elapsed,
    holiday_dates,
    is_open,
    open_intervals,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
MON_FRI = range(5)


def office(tz="Europe/London", hours=((time(9), time(17, 30)),), **kwargs):
    return BusinessCalendar(tz=tz, weekly={day: hours for day in MON_FRI}, **kwargs)


UK_OFFICE = office(holiday_country="GB", holiday_subdivision="ENG")
LUNCH_BREAK = office(hours=((time(9), time(12)), (time(13), time(17))))
UK_CLOSED_THURSDAY = office(closed_dates=frozenset({date(2025, 1, 16)}))
UK_OPEN_SATURDAY = office(open_dates={date(2025, 1, 18): ((time(10), time(14)),)})
INDIA_OFFICE = office(tz="Asia/Kolkata", hours=((time(10), time(18)),))


def at(tz, *fields):
    return datetime(*fields, tzinfo=tz)


H = timedelta(hours=1)

CASES = [
    # (what, calendar, start, business duration, due)
    (
        "P2 opened Friday 16:30, Monday is the May Day bank holiday: 1 h on Friday, 3 h on Tuesday",
        UK_OFFICE,
        at(LONDON, 2025, 5, 2, 16, 30),
        4 * H,
        at(LONDON, 2025, 5, 6, 12, 0),
    ),
    (
        "opened before the office opens: the clock starts at 09:00",
        UK_OFFICE,
        at(LONDON, 2025, 1, 15, 7, 0),
        2 * H,
        at(LONDON, 2025, 1, 15, 11, 0),
    ),
    (
        "opened after closing: the clock starts at 09:00 next day",
        UK_OFFICE,
        at(LONDON, 2025, 1, 15, 18, 0),
        1 * H,
        at(LONDON, 2025, 1, 16, 10, 0),
    ),
    (
        "due exactly at closing time, not at the next opening",
        UK_OFFICE,
        at(LONDON, 2025, 1, 15, 16, 30),
        1 * H,
        at(LONDON, 2025, 1, 15, 17, 30),
    ),
    (
        "lunch break: 11:00 + 2 h = 12:00 + 1 h after lunch",
        LUNCH_BREAK,
        at(LONDON, 2025, 1, 13, 11, 0),
        2 * H,
        at(LONDON, 2025, 1, 13, 14, 0),
    ),
    (
        "Christmas Eve 17:00: Christmas Day, Boxing Day and the weekend are closed",
        UK_OFFICE,
        at(LONDON, 2025, 12, 24, 17, 0),
        1 * H,
        at(LONDON, 2025, 12, 29, 9, 30),
    ),
    (
        "custom closed Thursday",
        UK_CLOSED_THURSDAY,
        at(LONDON, 2025, 1, 15, 17, 0),
        1 * H,
        at(LONDON, 2025, 1, 17, 9, 30),
    ),
    (
        "extra open Saturday 10:00-14:00",
        UK_OPEN_SATURDAY,
        at(LONDON, 2025, 1, 17, 17, 0),
        2 * H,
        at(LONDON, 2025, 1, 18, 11, 30),
    ),
    (
        "office hours follow the wall clock across the spring-forward weekend",
        UK_OFFICE,
        at(LONDON, 2025, 3, 28, 17, 0),
        1 * H,
        at(LONDON, 2025, 3, 31, 9, 30),
    ),
    (
        "two weeks of office hours: ten days of 8.5 h",
        UK_OFFICE,
        at(LONDON, 2025, 1, 6, 9, 0),
        85 * H,
        at(LONDON, 2025, 1, 17, 17, 30),
    ),
    (
        "India has no DST: 17:00 IST + 2 h = 11:00 IST next day",
        INDIA_OFFICE,
        at(KOLKATA, 2025, 3, 10, 17, 0),
        2 * H,
        at(KOLKATA, 2025, 3, 11, 11, 0),
    ),
    (
        "24x7 across the London spring-forward night lands an hour later on the wall clock",
        ALWAYS_OPEN,
        at(LONDON, 2025, 3, 29, 12, 0),
        24 * H,
        at(LONDON, 2025, 3, 30, 13, 0),
    ),
    (
        "24x7 across the London fall-back night lands an hour earlier on the wall clock",
        ALWAYS_OPEN,
        at(LONDON, 2025, 10, 25, 12, 0),
        24 * H,
        at(LONDON, 2025, 10, 26, 11, 0),
    ),
    (
        "24x7 across the New York spring-forward night",
        ALWAYS_OPEN,
        at(NEW_YORK, 2025, 3, 8, 12, 0),
        24 * H,
        at(NEW_YORK, 2025, 3, 9, 13, 0),
    ),
    (
        "24x7 across the New York fall-back night",
        ALWAYS_OPEN,
        at(NEW_YORK, 2025, 11, 1, 12, 0),
        24 * H,
        at(NEW_YORK, 2025, 11, 2, 11, 0),
    ),
    (
        "24x7 across the Sydney fall-back night (southern hemisphere, April)",
        ALWAYS_OPEN,
        at(SYDNEY, 2025, 4, 5, 12, 0),
        24 * H,
        at(SYDNEY, 2025, 4, 6, 11, 0),
    ),
    (
        "zero duration: due at the start, even when closed",
        UK_OFFICE,
        at(LONDON, 2025, 1, 18, 12, 0),
        timedelta(0),
        at(LONDON, 2025, 1, 18, 12, 0),
    ),
]


@pytest.mark.parametrize("what,cal,start,duration,due", CASES, ids=[c[0] for c in CASES])
def test_hand_worked_case(what, cal, start, duration, due):
    result = add(cal, start, duration)
    assert result == due
    assert result.tzinfo is UTC
    assert elapsed(cal, start, due) == duration


def test_p2_due_tuesday_noon_in_local_time():
    due = add(UK_OFFICE, at(LONDON, 2025, 5, 2, 16, 30), 4 * H)
    assert due.astimezone(LONDON).strftime("%A %d %B %H:%M") == "Tuesday 06 May 12:00"


# --- DST rules for opening hours --------------------------------------------------------------------------

WHOLE_DAYS_LONDON = BusinessCalendar(tz="Europe/London", weekly={d: ((time(0), time(0)),) for d in range(7)})


@pytest.mark.parametrize(
    "day,hours",
    [(date(2025, 3, 30), 23), (date(2025, 10, 26), 25), (date(2025, 6, 1), 24)],
    ids=["spring-forward", "fall-back", "summer"],
)
def test_a_whole_local_day_lasts_as_long_as_the_clocks_say(day, hours):
    start = datetime.combine(day, time(0), LONDON)
    end = datetime.combine(day + timedelta(days=1), time(0), LONDON)
    assert elapsed(WHOLE_DAYS_LONDON, start, end) == hours * H


def test_skipped_opening_time_opens_at_the_clock_change():
    # 30 March 2025: at 01:00 GMT the clocks jump to 02:00 BST. Hours 01:30-03:00 open at the jump.
    cal = BusinessCalendar(tz="Europe/London", weekly={6: ((time(1, 30), time(3)),)})
    night = list(open_intervals(cal, at(UTC, 2025, 3, 29), at(UTC, 2025, 3, 31)))
    assert night == [(at(UTC, 2025, 3, 30, 1, 0), at(UTC, 2025, 3, 30, 2, 0))]


def test_hours_wholly_inside_the_skipped_hour_are_empty():
    cal = BusinessCalendar(tz="Europe/London", weekly={6: ((time(1, 15), time(1, 45)),)})
    assert elapsed(cal, at(UTC, 2025, 3, 29), at(UTC, 2025, 3, 31)) == timedelta(0)
    assert elapsed(cal, at(UTC, 2025, 3, 22), at(UTC, 2025, 3, 24)) == timedelta(minutes=30)


def test_repeated_opening_time_opens_at_its_first_occurrence():
    # 26 October 2025: at 02:00 BST the clocks go back to 01:00 GMT; 01:00-02:00 happens twice.
    cal = BusinessCalendar(tz="Europe/London", weekly={6: ((time(1, 30), time(3)),)})
    night = list(open_intervals(cal, at(UTC, 2025, 10, 25), at(UTC, 2025, 10, 27)))
    assert night == [(at(UTC, 2025, 10, 26, 0, 30), at(UTC, 2025, 10, 26, 3, 0))]


def test_new_york_office_day_is_eight_hours_on_both_dst_sundays():
    cal = BusinessCalendar(tz="America/New_York", weekly={6: ((time(9), time(17)),)})
    for day in (date(2025, 3, 9), date(2025, 11, 2)):
        start = datetime.combine(day, time(0), NEW_YORK)
        assert elapsed(cal, start, start + timedelta(days=1)) == 8 * H


def test_opening_at_midnight_when_the_clocks_change_at_midnight():
    # Chile: on 6 April 2025 at 00:00 the clocks went back to 23:00 the day before; on 7 September 2025
    # at 00:00 they jumped to 01:00.
    santiago = ZoneInfo("America/Santiago")
    whole = BusinessCalendar(tz="America/Santiago", weekly={d: ((time(0), time(0)),) for d in range(7)})
    fall = datetime(2025, 4, 5, tzinfo=santiago)
    assert elapsed(whole, fall, datetime(2025, 4, 6, tzinfo=santiago)) == 25 * H
    spring = datetime(2025, 9, 6, tzinfo=santiago)
    assert elapsed(whole, spring, datetime(2025, 9, 7, 1, tzinfo=santiago)) == 24 * H
    sundays = BusinessCalendar(tz="America/Santiago", weekly={6: ((time(0), time(2)),)})
    assert elapsed(sundays, at(UTC, 2025, 9, 6), at(UTC, 2025, 9, 9)) == 1 * H


def test_open_intervals_join_across_midnight():
    weekend = BusinessCalendar(
        tz="Europe/London", weekly={5: ((time(0), time(0)),), 6: ((time(0), time(0)),)}
    )
    stretches = list(open_intervals(weekend, at(UTC, 2024, 1, 1), at(UTC, 2024, 1, 8)))
    assert stretches == [(at(UTC, 2024, 1, 6), at(UTC, 2024, 1, 8))]


# --- pauses ------------------------------------------------------------------------------------------------


def test_a_pause_inside_office_hours_moves_the_due_time():
    start = at(LONDON, 2025, 1, 13, 9, 0)
    pause = (at(LONDON, 2025, 1, 13, 10, 0), at(LONDON, 2025, 1, 13, 11, 0))
    assert add(UK_OFFICE, start, 4 * H, [pause]) == at(LONDON, 2025, 1, 13, 14, 0)
    assert elapsed(UK_OFFICE, start, at(LONDON, 2025, 1, 13, 14, 0), [pause]) == 4 * H


def test_a_pause_over_the_weekend_changes_nothing():
    start = at(LONDON, 2025, 1, 17, 17, 0)
    pause = (at(LONDON, 2025, 1, 17, 18, 0), at(LONDON, 2025, 1, 20, 9, 0))
    assert add(UK_OFFICE, start, 1 * H, [pause]) == add(UK_OFFICE, start, 1 * H)


def test_open_ended_pause_means_no_due_time():
    start = at(LONDON, 2025, 1, 13, 9, 0)
    pause = (at(LONDON, 2025, 1, 13, 10, 0), None)
    assert add(UK_OFFICE, start, 4 * H, [pause]) is None
    assert add(UK_OFFICE, start, timedelta(minutes=30), [pause]) == at(LONDON, 2025, 1, 13, 9, 30)
    assert add(ALWAYS_OPEN, start, 4 * H, [pause]) is None
    assert elapsed(UK_OFFICE, start, at(LONDON, 2025, 1, 20, 9, 0), [pause]) == H


def test_overlapping_pauses_count_once():
    start = at(UTC, 2025, 1, 1)
    pauses = [
        (at(UTC, 2025, 1, 1, 1), at(UTC, 2025, 1, 1, 3)),
        (at(UTC, 2025, 1, 1, 2), at(UTC, 2025, 1, 1, 4)),
    ]
    assert elapsed(ALWAYS_OPEN, start, at(UTC, 2025, 1, 1, 5), pauses) == 2 * H
    assert add(ALWAYS_OPEN, start, 2 * H, pauses) == at(UTC, 2025, 1, 1, 5)


def test_is_open():
    assert is_open(UK_OFFICE, at(LONDON, 2025, 1, 15, 9, 0))
    assert not is_open(UK_OFFICE, at(LONDON, 2025, 1, 15, 17, 30))
    assert not is_open(UK_OFFICE, at(LONDON, 2025, 5, 5, 12, 0))  # bank holiday
    pause = (at(LONDON, 2025, 1, 15, 8, 0), None)
    assert not is_open(UK_OFFICE, at(LONDON, 2025, 1, 15, 12, 0), [pause])
    assert is_open(ALWAYS_OPEN, at(UTC, 2025, 5, 5, 3, 0))


# --- calendars ------------------------------------------------------------------------------------------


def test_england_bank_holidays_come_from_the_holidays_package():
    days = holiday_dates("GB", "ENG", [2025])
    assert date(2025, 5, 5) in days  # May Day
    assert date(2025, 8, 25) in days  # Summer bank holiday (England, not Scotland)
    assert date(2025, 8, 4) not in days  # Scotland's summer bank holiday
    assert date(2025, 8, 4) in holiday_dates("GB", "SCT", [2025])


def test_observed_holiday_closes_the_office():
    # Christmas 2021 fell on a Saturday: the bank holiday was Monday 27 December.
    assert add(UK_OFFICE, at(LONDON, 2021, 12, 24, 17, 0), H) == at(LONDON, 2021, 12, 29, 9, 30)


def test_an_open_date_wins_over_a_holiday():
    cal = office(
        holiday_country="GB",
        holiday_subdivision="ENG",
        open_dates={date(2025, 5, 5): ((time(10), time(12)),)},
    )
    assert elapsed(cal, at(LONDON, 2025, 5, 5), at(LONDON, 2025, 5, 6)) == 2 * H


def test_calendar_is_a_hashable_value():
    a = office(holiday_country="GB", holiday_subdivision="ENG")
    b = BusinessCalendar(
        tz="Europe/London",
        weekly=[((time(9), time(17, 30)),)] * 5 + [(), ()],
        holiday_country="GB",
        holiday_subdivision="ENG",
    )
    assert a == b and hash(a) == hash(b)
    assert a != office()
    assert len({a, b, office()}) == 2
    assert a.weekly[5] == () and a.weekly[0] == ((time(9), time(17, 30)),)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"tz": "Europe/Londres"}, "unknown time zone"),
        ({"weekly": {0: ((time(17), time(9)),)}}, "must start before it ends"),
        ({"weekly": {0: ((time(9), time(13)), (time(12), time(17)))}}, "overlap"),
        ({"weekly": {7: ((time(9), time(17)),)}}, "weekdays are 0 (Monday) to 6"),
        ({"open_dates": {date(2025, 1, 18): ()}}, "give its opening hours"),
        ({"holiday_country": "XX"}, "unknown holiday country"),
        ({"holiday_country": "GB", "holiday_subdivision": "XYZ"}, "unknown subdivision"),
        ({"holiday_subdivision": "ENG"}, "needs a holiday country"),
    ],
)
def test_calendar_refuses_bad_definitions(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        BusinessCalendar(**kwargs)


def test_arithmetic_refuses_naive_datetimes_and_negative_durations():
    with pytest.raises(ValueError, match="aware"):
        add(UK_OFFICE, datetime(2025, 1, 1, 9), H)
    with pytest.raises(ValueError, match="negative"):
        add(UK_OFFICE, at(UTC, 2025, 1, 1), -H)
    with pytest.raises(ValueError, match="before start"):
        elapsed(UK_OFFICE, at(UTC, 2025, 1, 2), at(UTC, 2025, 1, 1))


def test_a_calendar_that_never_opens_again_gives_no_due_time():
    one_day = BusinessCalendar(tz="UTC", open_dates={date(2025, 1, 18): ((time(10), time(12)),)})
    assert add(one_day, at(UTC, 2025, 1, 1), H) == at(UTC, 2025, 1, 18, 11)
    assert add(one_day, at(UTC, 2025, 1, 1), 3 * H) is None
    assert add(BusinessCalendar(), at(UTC, 2025, 1, 1), H) is None
