"""Service-level clocks as pure functions: no database, no clock (every instant is a parameter).

A clock counts business time in a calendar (:mod:`opsdesk.sla.calendars`) from its ``start`` towards a
``target``. It may be paused (``pauses``: ``(start, end)`` instants, ``end=None`` while still paused) and is
stopped once, at ``stopped_at``. :func:`read` says, at an instant ``at``, what the clock shows:

- ``state``: ``running``, ``paused`` (an open pause covers ``at``) or ``stopped``;
- ``due_at``: the instant the target is (or was) reached, counted without paused time; ``None`` while
  paused (nobody knows when the pause will end) or if the calendar never opens again;
- ``used``: business time counted so far (up to the stop, for a stopped clock);
- ``breached``: more business time used than the target allows. Stopping exactly at the due instant
  meets the target; a running clock is breached from just after its due instant.

:func:`threshold_at` gives the instant a percentage of the target is used (the warnings), and
:class:`Policy` is an SLA as a pure value: which calendar, which targets per priority, which thresholds
and which pending reasons pause the resolution clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from opsdesk.sla.calendars import BusinessCalendar, Pause, add, elapsed

RUNNING = "running"
PAUSED = "paused"
STOPPED = "stopped"

RESPONSE = "response"  # time to Accepted
RESOLUTION = "resolution"  # time to Completed
CLOCKS = (RESPONSE, RESOLUTION)

_ONE_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Reading:
    state: str
    target: timedelta
    used: timedelta
    due_at: datetime | None

    @property
    def breached(self) -> bool:
        return self.used > self.target

    @property
    def remaining(self) -> timedelta:
        return max(self.target - self.used, timedelta(0))

    @property
    def met(self) -> bool:
        return self.state == STOPPED and not self.breached


def minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


def share(target: timedelta, percent: int) -> timedelta:
    """``percent`` % of ``target``, to the microsecond (rounded down)."""
    return timedelta(microseconds=(target // _ONE_US) * percent // 100)


def open_pause(pauses: Iterable[Pause], at: datetime) -> Pause | None:
    """The pause covering the instant ``at`` that has not ended, if any."""
    for start, end in pauses:
        if start <= at and end is None:
            return start, end
    return None


def due(cal: BusinessCalendar, target: timedelta, start: datetime, pauses: Iterable[Pause] = ()):
    """The instant ``target`` of business time has passed since ``start`` without paused time
    (``None``: paused for good before that, or the calendar never opens again)."""
    return add(cal, start, target, pauses)


def threshold_at(
    cal: BusinessCalendar, target: timedelta, percent: int, start: datetime, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """The instant ``percent`` % of the target is used up."""
    return add(cal, start, share(target, percent), pauses)


def read(
    cal: BusinessCalendar,
    target: timedelta,
    start: datetime,
    pauses: Iterable[Pause] = (),
    *,
    at: datetime,
    stopped_at: datetime | None = None,
) -> Reading:
    """What the clock shows at ``at`` (see the module documentation)."""
    pauses = list(pauses)
    if stopped_at is not None:
        # A pause still open at the stop ends there: after the stop nothing counts anyway.
        closed = [(s, stopped_at if e is None or e > stopped_at else e) for s, e in pauses if s < stopped_at]
        end = max(stopped_at, start)
        return Reading(STOPPED, target, elapsed(cal, start, end, closed), due(cal, target, start, closed))
    end = max(at, start)
    used = elapsed(cal, start, end, pauses)
    if open_pause(pauses, end) is not None:
        return Reading(PAUSED, target, used, None)
    return Reading(RUNNING, target, used, due(cal, target, start, pauses))


# --- an SLA as a pure value -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """What the clocks of an incident under one SLA need to know."""

    sla_id: int
    name: str
    calendar_id: int
    calendar_name: str
    calendar: BusinessCalendar
    targets: Mapping[int, tuple[int, int]]  # priority -> (response minutes, resolution minutes)
    warning_thresholds: tuple[int, ...] = (75, 100)
    pausing_reasons: frozenset[str] = field(default_factory=frozenset)

    def target_minutes(self, clock: str, priority: int) -> int | None:
        pair = self.targets.get(priority)
        if pair is None:
            return None
        return pair[0] if clock == RESPONSE else pair[1]

    def pauses_for(self, reason: str) -> bool:
        return reason in self.pausing_reasons

    @property
    def first_threshold(self) -> int:
        return self.warning_thresholds[0] if self.warning_thresholds else 100
