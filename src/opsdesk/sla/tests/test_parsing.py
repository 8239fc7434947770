"""What administrators type: business-time durations, a day's opening hours, exception lines. Hand-picked
cases for the messages, properties for the round trips (what the form shows is what it reads back)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsdesk.sla.parsing import (
    MAX_MINUTES,
    format_business_time,
    format_exceptions,
    format_intervals,
    parse_business_time,
    parse_exceptions,
    parse_intervals,
)


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("4h", 240),
        ("4 h", 240),
        ("4 hours", 240),
        ("1h 30m", 90),
        ("1h30m", 90),
        ("1h30", 90),
        ("1 h 30 min", 90),
        ("1 hour and 30 minutes", 90),
        ("90m", 90),
        ("90 min", 90),
        ("1:30", 90),
        ("1.5h", 90),
        ("0,25 h", 15),
        ("  2H 5M ", 125),
    ],
)
def test_durations_people_type(text, minutes):
    assert parse_business_time(text) == minutes


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Write a time such as 4h, 1h 30m or 90m."),
        ("90", "Add a unit: “90m” for minutes or “90h” for hours."),
        ("2d", "Give days as business hours (e.g. 16h for two 8-hour days): use h and m."),
        ("3 weeks", "Give days as business hours"),
        ("5s", "“s” is not a unit here: use h for hours and m for minutes."),
        ("30m 1h", "Give hours first, then minutes, each once (e.g. 1h 30m)."),
        ("1.01h", "Targets are counted in whole minutes"),
        ("0h", "A target must be longer than zero."),
        ("100000h", "That is longer than any target can be"),
        ("soon", "Write a time such as 4h, 1h 30m or 90m."),
    ],
)
def test_durations_that_are_refused_say_why(text, message):
    with pytest.raises(ValueError) as caught:
        parse_business_time(text)
    assert message in str(caught.value)


@given(st.integers(min_value=1, max_value=MAX_MINUTES))
def test_every_duration_reads_back_as_shown(minutes):
    assert parse_business_time(format_business_time(minutes)) == minutes


times = st.builds(dt.time, st.integers(0, 23), st.integers(0, 59))


@st.composite
def day_hours(draw):
    """Up to four non-overlapping intervals in a day (an end of 00:00 is midnight)."""
    marks = sorted(set(draw(st.lists(st.integers(0, 24 * 60), min_size=0, max_size=8))))
    marks = marks[: len(marks) // 2 * 2]
    intervals = []
    for start, end in zip(marks[::2], marks[1::2], strict=True):
        intervals.append(
            (dt.time(*divmod(start, 60)), dt.time(0) if end == 24 * 60 else dt.time(*divmod(end, 60)))
        )
    return intervals


@given(day_hours())
def test_opening_hours_read_back_as_shown(intervals):
    assert parse_intervals(format_intervals(intervals)) == sorted(intervals)


def test_opening_hours_people_type():
    assert parse_intervals("9-12:30; 13.30 - 17.30") == [
        (dt.time(9), dt.time(12, 30)),
        (dt.time(13, 30), dt.time(17, 30)),
    ]
    assert parse_intervals("18:00-24:00") == [(dt.time(18), dt.time(0))]
    assert parse_intervals("") == [] and parse_intervals("Closed") == []


class Row:
    def __init__(self, **fields):
        self.__dict__.update(fields)


@given(
    st.dictionaries(
        st.dates(dt.date(2020, 1, 1), dt.date(2040, 12, 31)),
        st.one_of(st.none(), day_hours().filter(bool)),
        max_size=6,
    ),
    st.sampled_from(["", "Christmas Eve", "Stock take 2"]),
)
def test_exception_lines_read_back_as_shown(days, note):
    rows = []
    for day, intervals in days.items():
        if intervals is None:
            rows.append(Row(date=day, kind="closed", start=None, end=None, note=note))
        else:
            rows += [Row(date=day, kind="open", start=s, end=e, note=note) for s, e in intervals]
    parsed = [Row(**row) for row in parse_exceptions(format_exceptions(rows))]
    key = lambda r: (r.date, r.kind, r.start, r.end, r.note)  # noqa: E731
    assert sorted(map(key, parsed), key=str) == sorted(map(key, rows), key=str)


def test_exception_lines_name_the_line_that_is_wrong():
    with pytest.raises(ValueError) as caught:
        parse_exceptions("2026-12-24 closed\n\n2026-12-31 13:00-09:00 New Year's Eve")
    assert str(caught.value).startswith("Line 3: 13:00-09:00: the end must be after the start")
    assert parse_exceptions("2026-12-29") == [
        {"date": dt.date(2026, 12, 29), "kind": "closed", "start": None, "end": None, "note": ""}
    ]
