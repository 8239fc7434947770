"""What administrators type into the SLA and calendar forms, read and written back: business-time
durations ("4h", "1h 30m", "90m"), a day's opening hours ("09:00-12:30, 13:30-17:30") and calendar
exceptions, one per line ("2026-12-24 09:00-13:00 Christmas Eve", "2026-12-29 closed Stock take").

Pure functions: they raise ``ValueError`` with a message meant for the person who typed the text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

# --- business-time durations -----------------------------------------------------------------------------

MAX_MINUTES = 99_999 * 60
DURATION_HINT = "Write a time such as 4h, 1h 30m or 90m."
_UNITS = {
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\d\s.,]+)")
_CLOCK = re.compile(r"(\d+):([0-5]\d)")


def parse_business_time(text: str) -> int:
    """``"4h"`` -> 240, ``"1h 30m"`` / ``"1 h 30 min"`` / ``"1:30"`` / ``"1.5h"`` -> 90, ``"90m"`` -> 90."""
    raw = " ".join((text or "").lower().replace(" and ", " ").split())
    if not raw:
        raise ValueError(DURATION_HINT)
    if raw.isdigit():
        raise ValueError(f"Add a unit: “{raw}m” for minutes or “{raw}h” for hours.")
    clock = _CLOCK.fullmatch(raw)
    if clock:
        total = int(clock[1]) * 60 + int(clock[2])
    else:
        total = _sum_parts(raw)
    if total <= 0:
        raise ValueError("A target must be longer than zero.")
    if total > MAX_MINUTES:
        raise ValueError("That is longer than any target can be (99,999 hours at most).")
    return total


def _sum_parts(raw: str) -> int:
    position, total, units_seen = 0, Decimal(0), []
    for match in _PART.finditer(raw):
        if raw[position : match.start()].strip(" ,"):
            raise ValueError(DURATION_HINT)
        position = match.end()
        unit = match[2]
        if unit not in _UNITS:
            if unit in ("d", "day", "days", "w", "wk", "week", "weeks"):
                raise ValueError("Give days as business hours (e.g. 16h for two 8-hour days): use h and m.")
            raise ValueError(f"“{unit}” is not a unit here: use h for hours and m for minutes.")
        size = _UNITS[unit]
        if units_seen and (size in units_seen or size > units_seen[-1]):
            raise ValueError("Give hours first, then minutes, each once (e.g. 1h 30m).")
        units_seen.append(size)
        try:
            total += Decimal(match[1].replace(",", ".")) * size
        except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
            raise ValueError(DURATION_HINT)
    rest = raw[position:].strip(" ,")
    if rest.isdigit() and units_seen == [60]:  # "1h30": the minutes after the hours
        total += int(rest)
    elif not units_seen or rest:
        raise ValueError(DURATION_HINT)
    if total != total.to_integral_value():
        raise ValueError("Targets are counted in whole minutes (e.g. 1.5h or 1h 30m, not 1.01h).")
    return int(total)


def format_business_time(minutes: int) -> str:
    """``90`` -> ``"1h 30m"``, ``240`` -> ``"4h"``, ``15`` -> ``"15m"``: what :func:`parse_business_time`
    reads back."""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    return f"{hours}h" if hours else f"{rest}m"


# --- opening hours -----------------------------------------------------------------------------------------

MIDNIGHT = dt.time(0)
HOURS_HINT = (
    "Write the hours as 09:00-17:30; several intervals separated by commas, e.g. 09:00-12:30, 13:30-17:30."
)
_TIME = r"\d{1,2}(?:[:.]\d{2})?"
_INTERVAL = re.compile(rf"({_TIME})\s*(?:-|–|—|to)\s*({_TIME})")
_INTERVALS = re.compile(rf"{_INTERVAL.pattern}(?:\s*[,;]?\s*{_INTERVAL.pattern})*")


def _clock_time(text: str, *, is_end: bool) -> dt.time:
    hour, _sep, minute = text.replace(".", ":").partition(":")
    h, m = int(hour), int(minute or 0)
    if h == 24 and m == 0 and is_end:
        return MIDNIGHT
    if h > 23 or m > 59:
        raise ValueError(f"{text} is not a time of day.")
    return dt.time(h, m)


def _minutes_of(t: dt.time, *, is_end: bool) -> int:
    return 24 * 60 if is_end and t == MIDNIGHT else t.hour * 60 + t.minute


def check_intervals(intervals: Iterable[tuple[dt.time, dt.time]]) -> list[tuple[dt.time, dt.time]]:
    """Sorted; each ends after it starts (00:00 as an end is midnight) and none overlap."""
    rows = sorted(intervals)
    for start, end in rows:
        if _minutes_of(end, is_end=True) <= _minutes_of(start, is_end=False):
            raise ValueError(
                f"{start:%H:%M}-{end:%H:%M}: the end must be after the start (24:00 or 00:00 means midnight)."
            )
    for (s1, e1), (s2, e2) in zip(rows, rows[1:], strict=False):
        if _minutes_of(e1, is_end=True) > _minutes_of(s2, is_end=False):
            raise ValueError(f"{s1:%H:%M}-{e1:%H:%M} and {s2:%H:%M}-{e2:%H:%M} overlap.")
    return rows


def parse_intervals(text: str) -> list[tuple[dt.time, dt.time]]:
    """``"09:00-12:30, 13:30-17:30"`` -> two intervals; empty or ``closed`` -> none."""
    raw = (text or "").strip().lower()
    if raw in ("", "closed", "-", "–", "—"):
        return []
    if not _INTERVALS.fullmatch(raw):
        raise ValueError(HOURS_HINT)
    return check_intervals(
        (_clock_time(a, is_end=False), _clock_time(b, is_end=True)) for a, b in _INTERVAL.findall(raw)
    )


def format_intervals(intervals: Iterable[tuple[dt.time, dt.time]]) -> str:
    return ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in sorted(intervals))


# --- exceptions, one per line ------------------------------------------------------------------------------

EXCEPTION_HINT = (
    "write “YYYY-MM-DD closed” or “YYYY-MM-DD 09:00-13:00”, optionally followed by a note "
    "(e.g. “2026-12-24 09:00-13:00 Christmas Eve”)."
)
_LINE = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})(?:\s+(.*))?")


def parse_exceptions(text: str) -> list[dict]:
    """One line per date -> exception rows as the calendar services take them (an open date with
    several intervals gives several rows)."""
    rows: list[dict] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.fullmatch(line.strip())
        if not match:
            raise ValueError(f"Line {number}: {EXCEPTION_HINT}")
        try:
            day = dt.date.fromisoformat("-".join(f"{int(p):02d}" for p in match[1].split("-")))
        except ValueError:
            raise ValueError(f"Line {number}: {match[1]} is not a date.")
        rest = (match[2] or "").strip()
        if not rest or rest.lower() == "closed" or rest.lower().startswith("closed "):
            note = rest[6:].strip(" -–—:") if rest else ""
            rows.append({"date": day, "kind": "closed", "start": None, "end": None, "note": note})
            continue
        hours = _INTERVALS.match(rest.lower())
        if not hours:
            raise ValueError(f"Line {number}: {EXCEPTION_HINT}")
        note = rest[hours.end() :].strip(" -–—:,")
        try:
            intervals = check_intervals(
                (_clock_time(a, is_end=False), _clock_time(b, is_end=True))
                for a, b in _INTERVAL.findall(hours[0])
            )
        except ValueError as exc:
            raise ValueError(f"Line {number}: {exc}")
        for start, end in intervals:
            rows.append({"date": day, "kind": "open", "start": start, "end": end, "note": note})
    return rows


def format_exceptions(rows: Iterable) -> str:
    """Stored exception rows -> the lines :func:`parse_exceptions` reads back (one per date)."""
    by_date: dict[dt.date, list] = defaultdict(list)
    for row in rows:
        by_date[row.date].append(row)
    lines = []
    for day, group in sorted(by_date.items()):
        note = next((r.note for r in group if r.note), "")
        if any(r.kind == "closed" for r in group):
            what = "closed"
        else:
            what = format_intervals((r.start, r.end) for r in group if r.start and r.end)
        lines.append(f"{day.isoformat()} {what} {note}".strip())
    return "\n".join(lines)
