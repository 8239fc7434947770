"""Business-hours calendars and business-time arithmetic: pure functions, no database, no clock.

A :class:`BusinessCalendar` says when the clock of a service level runs: weekly opening hours in local
wall-clock time (several intervals a day, e.g. a lunch break), an IANA time zone, public holidays from the
``holidays`` package, custom closed days and extra open days. ``always_open=True`` is the 24x7 calendar.

The arithmetic takes every instant as a parameter (nothing here reads the clock):

- :func:`elapsed` -- business time between two instants, minus pauses;
- :func:`add` -- the instant at which a business-time duration has passed since a start, skipping pauses;
- :func:`open_intervals` -- the open stretches between two instants, as UTC intervals;
- :func:`is_open` -- whether the clock runs at an instant.

Instants are aware ``datetime`` objects (any time zone; naive ones are refused); results are in UTC.
Arithmetic is exact to the microsecond (integers, never floats).

Rules, chosen deliberately:

- **Day hours.** A local date's hours are, in this order of precedence: the hours of an extra open day
  (``open_dates``; they *replace* the weekday's hours, so a short day such as Christmas Eve 09:00-13:00 is an
  open day too); none on a closed day (``closed_dates``) or a public holiday; else the weekday's hours.
  An extra open day therefore wins over a holiday on the same date.
- **Intervals** are ``(start, end)`` local times with ``start < end``, end exclusive; an end of ``00:00``
  means midnight at the end of the day (24:00). Intervals on a day may touch but not overlap. A stretch
  across midnight is written as two intervals on consecutive days.
- **Wall clock to instant (DST).** A wall-clock time on a date maps to the *first instant at which the
  local clock shows that time or later*. So a time repeated when the clocks go back (the fall-back hour)
  maps to its first occurrence (``fold=0``); a time skipped when the clocks go forward maps to the instant
  of the change (the end of the gap). An interval is open from the instant of its start to the instant of
  its end: a 00:00-24:00 day lasts 23 h on the spring-forward date and 25 h on the fall-back date; an
  interval lying wholly inside the skipped hour is empty; a 09:00-17:00 day is always 8 h in zones that
  change their clocks at night.
- **24x7** (``always_open``) ignores hours, holidays and exceptions: business time is elapsed real time.
- **Pauses** are ``(start, end)`` instants; ``end=None`` means paused from ``start`` on. Paused time never
  counts, even when the calendar is open. Pauses may overlap each other and the start.
- :func:`add` returns the *earliest* instant at which ``duration`` has elapsed (so 16:30 + 1 h on a day
  closing at 17:30 is 17:30 that day, not the next opening), ``start`` itself for a zero duration, and
  ``None`` when the duration can never elapse: the clock is paused indefinitely before it runs out, or the
  calendar has no weekly hours and no extra open day left.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_package

Interval = tuple[time, time]
Intervals = tuple[Interval, ...]
Pause = tuple[datetime, datetime | None]

MIDNIGHT = time(0)
WEEKDAYS = range(7)  # 0 = Monday, as datetime.weekday()

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
_FOREVER = 1 << 62  # "no end", in microseconds since the epoch: far beyond datetime.max
_DAY_CACHE_LIMIT = 8192
_US_PER_DAY = 86_400_000_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class FrozenMap(Mapping):
    """A read-only, hashable mapping (so that a calendar can be a cache key)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping | Iterable = ()):
        self._data = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key) -> bool:
        return key in self._data

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


# --- holidays -------------------------------------------------------------------------------------------


@functools.cache
def supported_holiday_regions() -> dict[str, tuple[str, ...]]:
    """Country code -> its subdivision codes, as the ``holidays`` package knows them."""
    return {code: tuple(subdivs) for code, subdivs in holidays_package.list_supported_countries().items()}


def check_holiday_region(country: str, subdivision: str = "") -> None:
    """Raise ``ValueError`` unless ``holidays`` knows the country (and subdivision, when given)."""
    if not country:
        if subdivision:
            raise ValueError("a holiday subdivision needs a holiday country")
        return
    regions = supported_holiday_regions()
    if country not in regions:
        raise ValueError(f"unknown holiday country {country!r} (use an ISO 3166 code such as 'GB')")
    if subdivision and subdivision not in regions[country]:
        known = ", ".join(regions[country]) or "none"
        raise ValueError(f"unknown subdivision {subdivision!r} of {country} (known: {known})")


@functools.lru_cache(maxsize=512)
def _holidays_computed(country: str, subdivision: str, year: int) -> frozenset[date]:
    found = holidays_package.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(found.keys())


@functools.lru_cache(maxsize=512)
def _holidays_in_year(country: str, subdivision: str, year: int) -> frozenset[date]:
    # A holiday observed on a day of a neighbouring year (1 January on a Saturday observed on Friday
    # 31 December) may be listed under that other year: look at both neighbours.
    dates = set()
    for y in (year - 1, year, year + 1):
        dates.update(d for d in _holidays_computed(country, subdivision, y) if d.year == year)
    return frozenset(dates)


def holiday_dates(country: str, subdivision: str = "", years: Iterable[int] = ()) -> frozenset[date]:
    """Public holidays (including observed substitute days) of a country/subdivision in the given years."""
    check_holiday_region(country, subdivision)
    if not country:
        return frozenset()
    result: set[date] = set()
    for year in years:
        result |= _holidays_in_year(country, subdivision, year)
    return frozenset(result)


# --- the calendar ----------------------------------------------------------------------------------------


def _offset_us(t: time, *, is_end: bool = False) -> int:
    """Microseconds since local midnight; an end of 00:00 is the midnight that ends the day (24:00)."""
    if is_end and t == MIDNIGHT:
        return _US_PER_DAY
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def normalise_intervals(intervals: Iterable[Sequence[time]], where: str = "hours") -> Intervals:
    """Sort and check a day's intervals; raise ``ValueError`` on a bad or overlapping interval."""
    result = []
    for item in intervals:
        if len(item) != 2:
            raise ValueError(f"{where}: an interval is a (start, end) pair, got {item!r}")
        start, end = item
        if not isinstance(start, time) or not isinstance(end, time):
            raise ValueError(f"{where}: interval bounds must be datetime.time values, got {item!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"{where}: opening hours are local wall-clock times without a time zone")
        if _offset_us(end, is_end=True) <= _offset_us(start):
            raise ValueError(f"{where}: interval {start:%H:%M}-{end:%H:%M} must start before it ends")
        result.append((start.replace(fold=0), end.replace(fold=0)))
    result.sort(key=lambda interval: interval[0])
    for (_s1, e1), (s2, _e2) in zip(result, result[1:], strict=False):
        if _offset_us(e1, is_end=True) > _offset_us(s2):
            raise ValueError(f"{where}: intervals ending {e1:%H:%M} and starting {s2:%H:%M} overlap")
    return tuple(result)


@dataclass(frozen=True)
class BusinessCalendar:
    """When a service-level clock runs. Immutable and hashable; see the module documentation for the rules.

    ``weekly`` maps a weekday (0 = Monday) to its intervals (a dict, or a sequence of seven entries;
    missing weekdays are closed); it is stored as a read-only mapping with all seven weekdays.
    ``open_dates`` maps a date to the intervals it is open (replacing that day's usual hours; it must not
    be empty: a closed day belongs in ``closed_dates``). ``holiday_country``/``holiday_subdivision`` name a
    region of the ``holidays`` package whose public holidays are closed days (any year, looked up lazily).
    """

    tz: str = "UTC"
    weekly: Mapping[int, Intervals] = FrozenMap()
    closed_dates: frozenset[date] = frozenset()
    open_dates: Mapping[date, Intervals] = FrozenMap()
    holiday_country: str = ""
    holiday_subdivision: str = ""
    always_open: bool = False

    def __post_init__(self):
        try:
            zone = ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"unknown time zone {self.tz!r} (use an IANA name such as 'Europe/London')")
        raw = self.weekly
        if not isinstance(raw, Mapping):
            raw = list(raw)
            if len(raw) != 7:
                raise ValueError("weekly hours: give a mapping weekday -> intervals or exactly 7 entries")
            raw = dict(enumerate(raw))
        unknown = set(raw) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"weekly hours: weekdays are 0 (Monday) to 6 (Sunday), got {sorted(unknown)}")
        weekly = FrozenMap((day, normalise_intervals(raw.get(day, ()), f"weekday {day}")) for day in WEEKDAYS)
        closed = frozenset(self.closed_dates)
        opened = {}
        for day, intervals in dict(self.open_dates).items():
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(f"open dates: {day!r} is not a date")
            hours = normalise_intervals(intervals, f"open date {day}")
            if not hours:
                raise ValueError(f"open date {day}: give its opening hours (a closed day is a closed date)")
            opened[day] = hours
        for day in closed:
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(f"closed dates: {day!r} is not a date")
        check_holiday_region(self.holiday_country, self.holiday_subdivision)

        set_ = object.__setattr__
        set_(self, "weekly", weekly)
        set_(self, "closed_dates", closed)
        set_(self, "open_dates", FrozenMap(opened))
        set_(self, "always_open", bool(self.always_open))
        # Derived, not fields: excluded from equality and hashing.
        set_(self, "_zone", zone)
        set_(self, "_weekdays", tuple(weekly[day] for day in WEEKDAYS))
        set_(self, "_days", {})
        has_weekly = any(weekly[day] for day in WEEKDAYS)
        last_open = None if has_weekly else max((d.toordinal() for d in opened), default=0)
        set_(self, "_last_open_ordinal", last_open)
        set_(
            self,
            "_hash",
            hash(
                (
                    self.tz,
                    weekly,
                    closed,
                    self.open_dates,
                    self.holiday_country,
                    self.holiday_subdivision,
                    self.always_open,
                )
            ),
        )

    def __hash__(self) -> int:
        return self._hash

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def hours_on(self, day: date) -> Intervals:
        """The local opening intervals of a date (before any DST adjustment)."""
        if self.always_open:
            return ((MIDNIGHT, MIDNIGHT),)
        if day in self.open_dates:
            return self.open_dates[day]
        if day in self.closed_dates:
            return ()
        if self.holiday_country and day in _holidays_in_year(
            self.holiday_country, self.holiday_subdivision, day.year
        ):
            return ()
        return self._weekdays[day.weekday()]

    def _day(self, ordinal: int) -> tuple[tuple[int, int], ...]:
        """The open intervals of a local date, in microseconds since the epoch (cached per calendar)."""
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        day = date.fromordinal(ordinal)
        zone = self._zone
        pieces: list[tuple[int, int]] = []
        hours = self.hours_on(day)
        if hours:
            midnight = datetime.combine(day, MIDNIGHT)
            offset = zone.utcoffset(midnight)
            if offset == zone.utcoffset(midnight + _ONE_DAY):
                # No clock change between this midnight and the next (the usual case): a fixed offset.
                shift = (ordinal - _EPOCH_ORDINAL) * _US_PER_DAY - offset // _ONE_US
                bounds = [(shift + _offset_us(s), shift + _offset_us(e, is_end=True)) for s, e in hours]
            else:
                bounds = [
                    (
                        _wall_to_us(zone, datetime.combine(day, s)),
                        _wall_to_us(zone, datetime.combine(day + _ONE_DAY if e == MIDNIGHT else day, e)),
                    )
                    for s, e in hours
                ]
            for a, b in bounds:
                if a >= b:
                    continue  # wholly inside a skipped hour
                if pieces and pieces[-1][1] >= a:
                    pieces[-1] = (pieces[-1][0], max(b, pieces[-1][1]))
                else:
                    pieces.append((a, b))
        result = tuple(pieces)
        if len(self._days) >= _DAY_CACHE_LIMIT:
            self._days.clear()
        self._days[ordinal] = result
        return result


ALWAYS_OPEN = BusinessCalendar(tz="UTC", always_open=True)


# --- instants ----------------------------------------------------------------------------------------------


def _to_us(value: datetime, name: str) -> int:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (with a time zone)")
    return (value - _EPOCH) // _ONE_US


def _from_us(us: int) -> datetime:
    seconds, micro = divmod(us, 1_000_000)
    return _EPOCH + timedelta(0, seconds, micro)


def _wall_to_us(zone: ZoneInfo, wall: datetime) -> int:
    """The first instant at which the local clock shows ``wall`` or later (see the module rules)."""
    first = (wall.replace(tzinfo=zone) - _EPOCH) // _ONE_US  # fold=0: first occurrence if repeated
    if _from_us(first).astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # ``wall`` is skipped by a clock change: find the change, between the two readings of ``wall``.
    other = (wall.replace(tzinfo=zone, fold=1) - _EPOCH) // _ONE_US
    lo, hi = min(first, other), max(first, other)
    before = _from_us(lo).astimezone(zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _from_us(mid).astimezone(zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi


def _duration_us(duration: timedelta) -> int:
    if not isinstance(duration, timedelta):
        raise ValueError(f"duration must be a timedelta, got {duration!r}")
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    return duration // _ONE_US


def _normalise_pauses(pauses: Iterable[Pause], after: int) -> list[tuple[int, int]]:
    """Pauses as sorted, merged microsecond intervals ending after ``after``; open ends become _FOREVER."""
    spans = []
    for item in pauses:
        start, end = item
        s = _to_us(start, "pause start")
        e = _FOREVER if end is None else _to_us(end, "pause end")
        if e < s:
            raise ValueError("a pause must not end before it starts")
        if e > after and e > s:
            spans.append((s, e))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _first_ordinal(cal: BusinessCalendar, instant: datetime) -> int:
    # A day early: when the clocks go back at midnight, an instant may belong to the previous local day.
    return instant.astimezone(cal._zone).toordinal() - 1


def _open_from(cal: BusinessCalendar, cursor: int, ordinal: int) -> Iterator[tuple[int, int]]:
    """The calendar's open intervals from ``cursor`` on, ascending, the first one clipped to ``cursor``.

    ``ordinal`` is a local date on or before the one ``cursor`` falls on.
    """
    if cal.always_open:
        yield cursor, _FOREVER
        return
    last = cal._last_open_ordinal
    days, day = cal._days, cal._day
    while last is None or ordinal <= last:
        intervals = days.get(ordinal)
        if intervals is None:
            intervals = day(ordinal)
        for a, b in intervals:
            if b > cursor:
                yield (a if a > cursor else cursor), b
        ordinal += 1


def _without_pauses(
    intervals: Iterator[tuple[int, int]], pauses: list[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    """The parts of ascending intervals outside the (sorted, merged) pauses."""
    if not pauses:
        yield from intervals
        return
    i, n = 0, len(pauses)
    for a, b in intervals:
        while i < n and pauses[i][1] <= a:
            i += 1
        if i < n and pauses[i][0] <= a and pauses[i][1] >= _FOREVER:
            return  # paused from here on
        x, j = a, i
        while j < n and pauses[j][0] < b:
            ps, pe = pauses[j]
            if ps > x:
                yield x, ps
            if pe > x:
                x = pe
            if x >= b:
                break
            j += 1
        if x < b:
            yield x, b


# --- the arithmetic ----------------------------------------------------------------------------------------


def elapsed(cal: BusinessCalendar, start: datetime, end: datetime, pauses: Iterable[Pause] = ()) -> timedelta:
    """Business time between two instants (``end`` not before ``start``), not counting paused time."""
    lo, hi = _to_us(start, "start"), _to_us(end, "end")
    if hi < lo:
        raise ValueError("end must not be before start")
    if hi == lo:
        return timedelta(0)
    total = 0
    for a, b in _without_pauses(
        _open_from(cal, lo, _first_ordinal(cal, start)), _normalise_pauses(pauses, lo)
    ):
        if a >= hi:
            break
        total += (b if b < hi else hi) - a
        if b >= hi:
            break
    return timedelta(microseconds=total)


def add(
    cal: BusinessCalendar, start: datetime, duration: timedelta, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """The earliest instant (UTC) at which ``duration`` of business time has passed since ``start``.

    ``None`` when it never passes: paused indefinitely first, or the calendar never opens again.
    """
    cursor = _to_us(start, "start")
    remaining = _duration_us(duration)
    if remaining == 0:
        return _from_us(cursor)
    paused = _normalise_pauses(pauses, cursor)
    if paused:
        for a, b in _without_pauses(_open_from(cal, cursor, _first_ordinal(cal, start)), paused):
            if b - a >= remaining:
                return _from_us(a + remaining)
            remaining -= b - a
        return None
    if cal.always_open:
        return _from_us(cursor + remaining)
    # The common case, written out: day by day, interval by interval.
    ordinal = _first_ordinal(cal, start)
    last = cal._last_open_ordinal
    days, day = cal._days, cal._day
    while last is None or ordinal <= last:
        intervals = days.get(ordinal)
        if intervals is None:
            intervals = day(ordinal)
        for a, b in intervals:
            if b <= cursor:
                continue
            if a < cursor:
                a = cursor
            if b - a >= remaining:
                return _from_us(a + remaining)
            remaining -= b - a
        ordinal += 1
    return None


def open_intervals(
    cal: BusinessCalendar, start: datetime, end: datetime, pauses: Iterable[Pause] = ()
) -> Iterator[tuple[datetime, datetime]]:
    """The stretches of ``[start, end)`` in which the clock runs, as ``(start, end)`` UTC pairs.

    Stretches are maximal: one ending where the next begins (Saturday 24:00, Sunday 00:00) are joined.
    """
    lo, hi = _to_us(start, "start"), _to_us(end, "end")
    if hi <= lo:
        return
    current: tuple[int, int] | None = None
    for a, b in _without_pauses(
        _open_from(cal, lo, _first_ordinal(cal, start)), _normalise_pauses(pauses, lo)
    ):
        if a >= hi:
            break
        b = min(b, hi)
        if current is not None and current[1] == a:
            current = (current[0], b)
        else:
            if current is not None:
                yield _from_us(current[0]), _from_us(current[1])
            current = (a, b)
        if b >= hi:
            break
    if current is not None:
        yield _from_us(current[0]), _from_us(current[1])


def is_open(cal: BusinessCalendar, at: datetime, pauses: Iterable[Pause] = ()) -> bool:
    """Whether the clock runs at the instant ``at`` (open and not paused)."""
    t = _to_us(at, "at")
    for a, _b in _without_pauses(_open_from(cal, t, _first_ordinal(cal, at)), _normalise_pauses(pauses, t)):
        return a == t
    return False
