"""Properties of business-time arithmetic that hold for any calendar, start, duration and pauses."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsdesk.sla.calendars import BusinessCalendar, add, elapsed, is_open, open_intervals

ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",  # no DST
    "America/Santiago",  # clocks change at midnight
    "Australia/Lord_Howe",  # half-hour DST
    "UTC",
]
HOLIDAY_REGIONS = [("", ""), ("GB", "ENG"), ("US", "NY"), ("AU", "NSW"), ("IN", ""), ("CL", "")]
US = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FIRST, LAST = datetime(2024, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)

# Modest example counts keep the suite fast; the central identity and the DST rule get more.
thorough = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
quick = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def clock_changes() -> tuple[datetime, ...]:
    """Instants (to within six hours) at which one of ZONES changes its clocks, 2024-2026."""
    found = []
    for name in ZONES:
        zone = ZoneInfo(name)
        t, previous = FIRST, FIRST.astimezone(zone).utcoffset()
        while t < LAST:
            t += timedelta(hours=6)
            offset = t.astimezone(zone).utcoffset()
            if offset != previous:
                found.append(t)
                previous = offset
    return tuple(found)


# --- strategies ---------------------------------------------------------------------------------------


def _quarter(q: int) -> time:
    return time(0) if q == 96 else time(q // 4, q % 4 * 15)


@st.composite
def day_hours(draw, min_intervals=0):
    """0-3 intervals on quarter hours (fine enough to start and end inside a skipped or repeated hour)."""
    n = draw(st.integers(min_intervals, 3))
    cuts = sorted(draw(st.sets(st.integers(0, 96), min_size=2 * n, max_size=2 * n)))
    return tuple((_quarter(cuts[2 * i]), _quarter(cuts[2 * i + 1])) for i in range(n))


def _hours(*pairs: tuple[str, str]) -> tuple[tuple[time, time], ...]:
    return tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in pairs)


# Typical days and days with hours on the edges of the night-time clock changes.
DAY_PATTERNS = [
    (),
    (),
    _hours(("09:00", "17:30")),
    _hours(("09:00", "12:00"), ("13:00", "17:00")),
    _hours(("08:00", "12:30"), ("13:15", "16:45"), ("18:00", "20:00")),
    _hours(("00:00", "00:00")),
    _hours(("00:00", "02:00"), ("22:00", "00:00")),
    _hours(("01:00", "03:00")),
    _hours(("01:15", "01:45")),
    _hours(("02:15", "02:45"), ("03:00", "04:00")),
    _hours(("00:00", "00:15"), ("23:45", "00:00")),
    _hours(("06:00", "18:00")),
]
days = st.one_of(st.sampled_from(DAY_PATTERNS), day_hours())

near_changes = st.builds(
    lambda base, days: (base + timedelta(days=days)).date(),
    st.sampled_from(clock_changes()),
    st.integers(-5, 25),
)


@st.composite
def calendars(draw):
    weekly = draw(
        st.one_of(
            st.tuples(days, days).map(lambda pair: [pair[0]] * 5 + [pair[1]] * 2),  # week and weekend
            st.lists(days, min_size=7, max_size=7),
        ).filter(any)
    )
    country, subdivision = draw(st.sampled_from(HOLIDAY_REGIONS))
    return BusinessCalendar(
        tz=draw(st.sampled_from(ZONES)),
        weekly=weekly,
        closed_dates=frozenset(draw(st.lists(near_changes, max_size=4))),
        open_dates=dict(draw(st.lists(st.tuples(near_changes, days.filter(any)), max_size=2))),
        holiday_country=country,
        holiday_subdivision=subdivision,
        always_open=draw(st.integers(0, 9)) == 0,
    )


@st.composite
def instants(draw, zone_name=None):
    """Aware instants, often within days of a clock change, given in UTC or in a zone's local time."""
    if draw(st.booleans()):
        base = draw(st.sampled_from(clock_changes()))
        moment = base + draw(st.integers(-4 * 86_400_000_000, 4 * 86_400_000_000)) * US
    else:
        moment = draw(st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31))).replace(tzinfo=UTC)
    shown_in = zone_name or draw(st.sampled_from(ZONES))
    return moment.astimezone(ZoneInfo(shown_in)) if draw(st.booleans()) else moment


def later(instant: datetime, microseconds: int) -> datetime:
    """``instant`` plus elapsed time (in UTC: adding to a local datetime would move its wall clock)."""
    return instant.astimezone(UTC) + microseconds * US


def weekly_open_time(cal: BusinessCalendar) -> timedelta:
    total = timedelta(0)
    for day in range(7):
        for start, end in cal.weekly[day]:
            end_td = timedelta(days=1) if end == time(0) else timedelta(hours=end.hour, minutes=end.minute)
            total += end_td - timedelta(hours=start.hour, minutes=start.minute)
    return total


@st.composite
def durations(draw, cal):
    """Business durations up to three weeks, and up to about eight weeks of the calendar's hours."""
    limit = timedelta(weeks=3) if cal.always_open else min(timedelta(weeks=3), 8 * weekly_open_time(cal))
    kind = draw(st.sampled_from(["minutes", "hours", "any"]))
    if kind == "minutes":
        return draw(st.integers(0, 120)) * timedelta(minutes=1)
    if kind == "hours":
        return min(draw(st.integers(1, 40)) * timedelta(hours=1), limit)
    return draw(st.integers(0, limit // US)) * US


@st.composite
def pause_lists(draw, start: datetime, span: timedelta):
    """Non-overlapping pauses around [start, start + span]; the first may begin before the start."""
    count = draw(st.integers(0, 4))
    lo = start.astimezone(UTC) - timedelta(hours=12)
    width = (span + timedelta(days=1)) // US
    cuts = sorted(draw(st.sets(st.integers(0, width), min_size=2 * count, max_size=2 * count)))
    return [(lo + cuts[2 * i] * US, lo + cuts[2 * i + 1] * US) for i in range(count)]


# --- properties -------------------------------------------------------------------------------------------


@thorough
@given(st.data())
def test_elapsed_undoes_add(data):
    cal = data.draw(calendars())
    start = data.draw(instants())
    duration = data.draw(durations(cal))
    due = add(cal, start, duration)
    assert due is not None and due.tzinfo is UTC
    assert due >= start
    assert elapsed(cal, start, due) == duration
    if duration:  # and add gives the earliest such instant
        assert elapsed(cal, start, due - US) < duration


@quick
@given(st.data())
def test_add_is_monotonic_in_the_duration(data):
    cal = data.draw(calendars())
    start = data.draw(instants())
    shorter, longer = sorted([data.draw(durations(cal)), data.draw(durations(cal))])
    assert add(cal, start, shorter) <= add(cal, start, longer)


@quick
@given(st.data())
def test_elapsed_adds_up_and_never_exceeds_real_time(data):
    cal = data.draw(calendars())
    a = data.draw(instants())
    b, c = sorted(later(a, data.draw(st.integers(0, 30 * 86_400_000_000))) for _ in range(2))
    whole = elapsed(cal, a, c)
    assert whole == elapsed(cal, a, b) + elapsed(cal, b, c)
    assert timedelta(0) <= whole <= c - a


@thorough
@given(st.data())
def test_paused_time_never_counts(data):
    cal = data.draw(calendars())
    start = data.draw(instants())
    end = later(start, data.draw(st.integers(0, 10 * 86_400_000_000)))
    pauses = data.draw(pause_lists(start, end - start))
    inside_pauses = sum(
        (
            elapsed(cal, max(p_start, start), max(min(p_end, end), max(p_start, start)))
            for p_start, p_end in pauses
        ),
        timedelta(0),
    )
    assert elapsed(cal, start, end, pauses) == elapsed(cal, start, end) - inside_pauses


@quick
@given(st.data())
def test_add_skips_pauses(data):
    cal = data.draw(calendars())
    start = data.draw(instants())
    duration = data.draw(durations(cal))
    pauses = data.draw(pause_lists(start, timedelta(days=10)))
    due = add(cal, start, duration, pauses)
    assert due is not None
    assert elapsed(cal, start, due, pauses) == duration
    assert due >= add(cal, start, duration)
    if pauses:  # an open-ended pause from the last pause's start: due only if it ran out before
        last_start = pauses[-1][0]
        open_ended = [*pauses[:-1], (last_start, None)]
        capped = add(cal, start, duration, open_ended)
        if capped is None:
            assert elapsed(cal, start, max(start, last_start), pauses[:-1]) < duration
        else:
            assert capped == due and due <= max(start, last_start)


@quick
@given(st.data())
def test_open_intervals_are_the_elapsed_time(data):
    cal = data.draw(calendars())
    start = data.draw(instants())
    end = later(start, data.draw(st.integers(0, 8 * 86_400_000_000)))
    pieces = list(open_intervals(cal, start, end))
    assert all(start <= a < b <= end for a, b in pieces)
    assert all(b1 < a2 for (_a1, b1), (a2, _b2) in zip(pieces, pieces[1:], strict=False))
    assert sum((b - a for a, b in pieces), timedelta(0)) == elapsed(cal, start, end)
    for a, b in pieces:
        assert is_open(cal, a) and (b == end or not is_open(cal, b))


@quick
@given(st.data())
def test_open_means_the_local_clock_shows_opening_hours(data):
    """Away from clock changes, the clock runs exactly when the local wall clock is inside the day's hours."""
    cal = data.draw(calendars())
    zone = ZoneInfo(cal.tz)
    moment = data.draw(instants(cal.tz))
    offsets = {later(moment, k * 27 * 3_600_000_000).astimezone(zone).utcoffset() for k in (-1, 0, 1)}
    if len(offsets) > 1:
        moment = later(moment, 3 * 86_400_000_000)  # keep clear of the change
    local = moment.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    expected = any(
        start <= wall and (end == time(0) or wall < end) for start, end in cal.hours_on(local.date())
    )
    assert is_open(cal, moment) == expected


@quick
@given(st.data())
def test_24x7_is_wall_clock_arithmetic(data):
    tz = data.draw(st.sampled_from(ZONES))
    always = BusinessCalendar(tz=tz, always_open=True)
    whole_days = BusinessCalendar(tz=tz, weekly={day: ((time(0), time(0)),) for day in range(7)})
    start = data.draw(instants())
    duration = data.draw(st.integers(0, 21 * 86_400_000_000)) * US
    end = later(start, duration // US)
    assert add(always, start, duration) == end
    assert elapsed(always, start, end) == duration
    # Whole local days, each 23, 24 or 25 hours long, tile the timeline exactly.
    assert add(whole_days, start, duration) == end
    assert elapsed(whole_days, start, end) == duration


def test_clock_changes_are_found_for_every_zone_with_dst():
    changes = clock_changes()
    assert len(changes) == 5 * 6  # five zones with DST, two changes a year for three years
    assert date(2025, 3, 30) in {c.date() for c in changes}


def first_instant_showing(zone: ZoneInfo, wall: datetime) -> datetime:
    """Brute force: the first quarter-hour instant at which the local clock shows ``wall`` or later.

    Exact for these zones: their offsets and clock changes all fall on quarter hours.
    """
    t = wall.replace(tzinfo=UTC) - timedelta(hours=15)
    while t.astimezone(zone).replace(tzinfo=None) < wall:
        t += timedelta(minutes=15)
    return t


@thorough
@given(st.data())
def test_opening_hours_on_a_day_follow_the_wall_clock_rule(data):
    cal = data.draw(calendars().filter(lambda c: not c.always_open))
    zone = ZoneInfo(cal.tz)
    day = data.draw(near_changes)
    expected = []
    for start, end in cal.hours_on(day):
        a = first_instant_showing(zone, datetime.combine(day, start))
        b = first_instant_showing(
            zone, datetime.combine(day + timedelta(days=1) if end == time(0) else day, end)
        )
        if a < b:
            if expected and expected[-1][1] == a:
                a = expected.pop()[0]
            expected.append((a, b))
    # The day table the arithmetic works from (microseconds since the epoch), read back as instants.
    computed = [(EPOCH + a * US, EPOCH + b * US) for a, b in cal._day(day.toordinal())]
    assert computed == expected
