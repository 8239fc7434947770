"""Names for what the ``holidays`` package knows: countries and subdivisions to choose from in the calendar
form, and the next public holidays a calendar closes on (for its page)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import holidays as holidays_package
from holidays.registry import COUNTRIES

from opsdesk.sla.calendars import supported_holiday_regions

_SMALL_WORDS = {"And": "and", "Of": "of", "The": "the"}


@functools.cache
def country_choices() -> list[tuple[str, str]]:
    """``[(code, "United Kingdom (GB)"), ...]`` sorted by name, for every country ``holidays`` supports."""
    supported = supported_holiday_regions()
    names = {}
    for module, entry in COUNTRIES.items():
        code = entry[1]
        if code in supported:
            words = [_SMALL_WORDS.get(w, w) for w in module.replace("_", " ").title().split()]
            names[code] = f"{' '.join(words)} ({code})"
    for code in supported:
        names.setdefault(code, code)
    return sorted(names.items(), key=lambda item: item[1])


@functools.cache
def subdivision_choices(country: str) -> list[tuple[str, str]]:
    """``[("ENG", "ENG – England"), ...]`` for a supported country; ``[]`` for none or an unknown one."""
    codes = supported_holiday_regions().get(country or "", ())
    if not codes:
        return []
    aliases = holidays_package.country_holidays(country).get_subdivision_aliases()
    return [(code, f"{code} – {', '.join(aliases[code])}" if aliases.get(code) else code) for code in codes]


@dataclass(frozen=True)
class Holiday:
    date: dt.date
    name: str


def upcoming_holidays(country: str, subdivision: str, start: dt.date, count: int = 8) -> list[Holiday]:
    """The next ``count`` public holidays on or after ``start`` (within a year and a bit)."""
    if not country:
        return []
    found = holidays_package.country_holidays(
        country, subdiv=subdivision or None, years=range(start.year, start.year + 2)
    )
    days = sorted(day for day in found if start <= day <= start + dt.timedelta(days=400))
    return [Holiday(day, found.get(day)) for day in days[:count]]
