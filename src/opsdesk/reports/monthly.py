"""The monthly service report for one customer: incident counts by priority and by service, SLA
compliance, every breach explained from its clock events, and the trend over the previous months.

Same definitions as :mod:`opsdesk.reports.compliance` (incidents opened in the month, in the service
desk's time zone; outcomes as of the moment the report is made).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.utils import timezone

from opsdesk.incidents.choices import Clock, ClockEventKind, ClockState
from opsdesk.incidents.models import ClockEvent, Incident
from opsdesk.reports.compliance import (
    Row,
    Selection,
    add_months,
    breached_clocks,
    breaches,
    compliance,
)
from opsdesk.reports.templatetags.report_ui import duration

TREND_MONTHS = 6  # previous months shown beside the report's month
MAX_EXPLAINED = 200  # breaches explained in full; the rest are counted and listed on the breaches page

K = ClockEventKind


@dataclass
class Step:
    at: dt.datetime
    kind: str
    text: str


@dataclass
class ClockStory:
    clock: str
    label: str
    steps: list[Step] = field(default_factory=list)
    verdict: str = ""


@dataclass
class BreachStory:
    incident: Incident
    clocks: list[ClockStory]


@dataclass
class MonthlyReport:
    organisation: object
    month: dt.date
    now: dt.datetime
    total: Row
    by_priority: list[Row]
    by_service: list[Row]
    trend: list[Row]
    breaches: list[BreachStory]
    unexplained: int
    time_zone: str

    @property
    def month_param(self) -> str:
        return self.month.strftime("%Y-%m")


def _when(instant: dt.datetime | None) -> str:
    if instant is None:
        return "—"
    return timezone.localtime(instant).strftime("%a %d %b %Y %H:%M")


def _minutes(value: int | None) -> str:
    return duration(None if value is None else value * 60)


def _step(event: ClockEvent) -> Step:
    reason = event.reason or ""
    target = _minutes(event.target_minutes)
    used = duration(event.used_seconds)
    if event.kind == K.STARTED:
        text = f"Started: {reason}. Target {target} of business time, due {_when(event.due_at)}."
    elif event.kind == K.PAUSED:
        text = f"Paused: {reason}, with {used} of business time used."
    elif event.kind == K.RESUMED:
        text = f"Resumed: {reason}. Now due {_when(event.due_at)}."
    elif event.kind == K.TARGET_CHANGED:
        text = f"Target changed: {reason}. Target {target}, due {_when(event.due_at)}."
    elif event.kind == K.WARNED:
        percent = event.details.get("percent") or event.details.get("threshold")
        text = f"Warning sent{f' at {percent} % of the target' if percent else ''}."
    elif event.kind == K.MET:
        text = f"Met: {reason} after {used}, within the {target} target."
    elif not event.details.get("stopped"):  # noticed by the sweep while the clock was running
        text = f"{reason or 'Target missed'}."
    else:
        over = None
        if event.used_seconds is not None and event.target_minutes is not None:
            over = event.used_seconds - event.target_minutes * 60
        excess = f", {duration(over)} over the {target} target" if over and over > 0 else ""
        text = f"Missed: {reason or 'the due time passed'} after {used} of business time{excess}."
    return Step(at=event.at, kind=ClockEventKind(event.kind).label, text=text)


def _verdict(incident: Incident, clock: str, now: dt.datetime) -> str:
    """What the events alone do not say: a clock that has not stopped but can no longer be met."""
    state = getattr(incident, f"{clock}_state")
    due = getattr(incident, f"{clock}_due_at")
    target = getattr(incident, f"{clock}_target_minutes")
    used = getattr(incident, f"{clock}_used_seconds")
    if state == ClockState.STOPPED:
        return ""  # the last step (missed) already says when and by how much
    if state == ClockState.PAUSED:
        return (
            f"Paused with {duration(used)} of business time used, more than its {_minutes(target)} "
            f"target; it cannot be met any more."
        )
    return f"Still running when this report was made ({_when(now)}): it was due {_when(due)}."


def explain(incident: Incident, events: list[ClockEvent], now: dt.datetime) -> BreachStory:
    stories = []
    for clock in breached_clocks(incident, now):
        steps = [_step(e) for e in events if e.clock == clock]
        stories.append(
            ClockStory(
                clock=clock,
                label=Clock(clock).label,
                steps=steps,
                verdict=_verdict(incident, clock, now),
            )
        )
    return BreachStory(incident=incident, clocks=stories)


def _trend(user, organisation, month: dt.date, now: dt.datetime) -> list[Row]:
    first = add_months(month, -TREND_MONTHS)
    selection = Selection(first=first, last=month, organisation=organisation.pk, by=("month",))
    found = {row.month: row for row in compliance(user, selection, now).rows}
    months = [add_months(first, i) for i in range(TREND_MONTHS + 1)]
    return [found.get(m) or Row(month=m) for m in months]


def build(user, organisation, month: dt.date, now: dt.datetime) -> MonthlyReport:
    selection = Selection(first=month, last=month, organisation=organisation.pk, by=())
    total = compliance(user, selection, now).total
    by_priority = compliance(user, replace(selection, by=("priority",)), now).rows
    by_service = compliance(user, replace(selection, by=("service",)), now).rows
    breached = list(breaches(user, selection, now).order_by("opened_at", "id")[: MAX_EXPLAINED + 1])
    shown = breached[:MAX_EXPLAINED]
    events = defaultdict(list)
    for event in ClockEvent.objects.filter(incident__in=[i.pk for i in shown]).order_by("at", "id"):
        events[event.incident_id].append(event)
    return MonthlyReport(
        organisation=organisation,
        month=month,
        now=now,
        total=total,
        by_priority=by_priority,
        by_service=by_service,
        trend=_trend(user, organisation, month, now),
        breaches=[explain(i, events[i.pk], now) for i in shown],
        unexplained=max(total.breaches - len(shown), 0),
        time_zone=timezone.get_default_timezone_name(),
    )
