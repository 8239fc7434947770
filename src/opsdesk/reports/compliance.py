"""SLA compliance figures, added up by the database.

Definitions (the report page and the README say the same):

- **Which incidents count in a month**: those *opened* in that calendar month in the service desk's time
  zone (``settings.TIME_ZONE``), whatever their status now. Every such incident counts in "incidents";
  a clock without a target (no SLA applies, or the SLA sets none for the priority) counts in neither
  met, breached nor open.
- **Met**: the clock stopped (response: accepted; resolution: completed) within its target.
- **Breached**: the clock stopped after its target, or is still running past its due time, or is paused
  having already used more than its target: a breach that can no longer be undone. Counted at the
  moment the report is made (``now``).
- **Open**: still running or paused and not yet past its target; the outcome is not known yet, so it is
  left out of the met percentage. **Met %** = met / (met + breached).
- **Time to respond / resolve**: the business time (in the SLA's calendar, pauses not counted) the clock
  had used when it stopped, for the clocks that stopped; mean and 90th percentile. The percentile is the
  nearest-rank one: the smallest time that at least 90 % of the clocks stayed within.
- **Breaches**: incidents with at least one breached clock.

Everything is computed with ``GROUP BY`` over the incident rows (each clock's used time is stored on the
row when it stops); the percentile in the same query with ``percentile_disc`` on PostgreSQL, and with a
window function over the stopped clocks of the selected months on SQLite. No incident is loaded into
Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Aggregate, Avg, Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from opsdesk.accounts.choices import Role
from opsdesk.accounts.models import Organisation
from opsdesk.catalogue.models import Service
from opsdesk.incidents.choices import ClockState
from opsdesk.incidents.models import Incident

CLOCKS = ("response", "resolution")
DIMENSIONS = ("month", "organisation", "service", "priority")
DIMENSION_LABELS = {
    "month": "Month",
    "organisation": "Customer",
    "service": "Service",
    "priority": "Priority",
}
MAX_MONTHS = 36
NO_SERVICE = "none"

# The database column each dimension groups by.
_KEYS = {"month": "month", "organisation": "organisation_id", "service": "service_id", "priority": "priority"}


# --- who may read --------------------------------------------------------------------------------------


def can_read(user) -> bool:
    """Provider staff (within their customers) and customer managers (their organisation)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_provider_staff or user.role == Role.CUSTOMER_MANAGER


def visible_customers(user) -> QuerySet:
    """The customer organisations the user may report on."""
    return Organisation.objects.restrict(user).filter(kind="customer").order_by("name")


def visible_services(user) -> QuerySet:
    return Service.objects.restrict(user).order_by("name")


# --- months ----------------------------------------------------------------------------------------------


def parse_month(text: str) -> dt.date:
    """``"2025-01"`` -> 1 January 2025; ValueError for anything else."""
    year, _, month = str(text).strip().partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4 and len(month) in (1, 2)):
        raise ValueError("Use the form YYYY-MM, e.g. 2025-01.")
    try:
        return dt.date(int(year), int(month), 1)
    except ValueError as exc:
        raise ValueError("Use the form YYYY-MM, e.g. 2025-01.") from exc


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def month_start(month: dt.date) -> dt.datetime:
    """The instant the month begins in the service desk's time zone."""
    return dt.datetime(month.year, month.month, 1, tzinfo=timezone.get_default_timezone())


def this_month(now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), timezone.get_default_timezone()).date().replace(day=1)


# --- the selection -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Which incidents a report covers and how its rows are grouped."""

    first: dt.date
    last: dt.date
    organisation: int | None = None
    service: int | str | None = None  # a service id, or NO_SERVICE for incidents without one
    priority: int | None = None
    by: tuple[str, ...] = ("month", "organisation")

    def __post_init__(self):
        object.__setattr__(self, "by", tuple(d for d in DIMENSIONS if d in self.by))

    def incidents(self, user) -> QuerySet:
        """The incidents opened in the months selected, that the user may see, filtered."""
        qs = Incident.objects.restrict(user).filter(
            opened_at__gte=month_start(self.first), opened_at__lt=month_start(add_months(self.last, 1))
        )
        if self.organisation is not None:
            qs = qs.filter(organisation_id=self.organisation)
        if self.service == NO_SERVICE:
            qs = qs.filter(service__isnull=True)
        elif self.service is not None:
            qs = qs.filter(service_id=self.service)
        if self.priority is not None:
            qs = qs.filter(priority=self.priority)
        return qs

    def narrowed(self, **cell) -> Selection:
        """The selection of one report row (its month, customer, service, priority), ungrouped."""
        month = cell.get("month")
        service = cell.get("service_id", self.service)
        return Selection(
            first=month or self.first,
            last=month or self.last,
            organisation=cell.get("organisation_id", self.organisation),
            service=NO_SERVICE if "service_id" in cell and service is None else service,
            priority=cell.get("priority", self.priority),
            by=(),
        )


# --- clock outcomes as SQL conditions ---------------------------------------------------------------------


def met(clock: str) -> Q:
    return Q(**{f"{clock}_state": ClockState.STOPPED, f"{clock}_breached": False})


def breached(clock: str, now: dt.datetime) -> Q:
    state, used, target = f"{clock}_state", f"{clock}_used_seconds", f"{clock}_target_minutes"
    return (
        Q(**{f"{clock}_breached": True}) & ~Q(**{state: ""})
        | Q(**{state: ClockState.RUNNING, f"{clock}_due_at__lt": now})
        | Q(**{state: ClockState.PAUSED, f"{used}__gt": F(target) * 60})
    )


def still_open(clock: str, now: dt.datetime) -> Q:
    return Q(**{f"{clock}_state__in": (ClockState.RUNNING, ClockState.PAUSED)}) & ~breached(clock, now)


def any_breach(now: dt.datetime) -> Q:
    return breached("response", now) | breached("resolution", now)


# --- figures ------------------------------------------------------------------------------------------------


@dataclass
class ClockFigures:
    met: int = 0
    breached: int = 0
    open: int = 0
    mean_seconds: float | None = None
    p90_seconds: int | None = None

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def met_percent(self) -> float | None:
        """Met / (met + breached), in percent to one decimal; None when no clock has an outcome."""
        return round(100 * self.met / self.decided, 1) if self.decided else None

    def as_dict(self) -> dict:
        return {
            "met": self.met,
            "breached": self.breached,
            "open": self.open,
            "met_percent": self.met_percent,
            "mean_seconds": None if self.mean_seconds is None else round(self.mean_seconds),
            "p90_seconds": self.p90_seconds,
        }


@dataclass
class Row:
    month: dt.date | None = None
    organisation_id: int | None = None
    organisation: str = ""
    service_id: int | None = None
    service: str = ""
    priority: int | None = None
    incidents: int = 0
    breaches: int = 0
    response: ClockFigures = field(default_factory=ClockFigures)
    resolution: ClockFigures = field(default_factory=ClockFigures)

    def cell(self, by: tuple[str, ...]) -> dict:
        """The row's own values of the grouping dimensions (to narrow a selection to it)."""
        return {_KEYS[d]: getattr(self, _KEYS[d]) for d in by}


@dataclass
class Report:
    selection: Selection
    now: dt.datetime
    rows: list[Row]
    total: Row


def _grouped(qs: QuerySet, selection: Selection, by: tuple[str, ...]) -> tuple[QuerySet, list[str]]:
    if "month" in by:
        # The month as a CASE over the months' boundaries (computed here in the service desk's time
        # zone): plain comparisons the database runs natively, instead of a time-zone conversion per row.
        months = months_between(selection.first, selection.last)
        bounds = [
            When(opened_at__lt=month_start(add_months(selection.first, i + 1)), then=Value(i))
            for i in range(months)
        ]
        qs = qs.annotate(month=Case(*bounds, default=Value(months - 1), output_field=IntegerField()))
    return qs, [_KEYS[d] for d in by]


class PercentileDisc(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_disc(f) WITHIN GROUP (ORDER BY x)``: the first value
    whose cumulative share reaches ``f``, which is the nearest-rank percentile :func:`p90` computes."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _in_aggregate(qs: QuerySet) -> bool:
    """Whether the database computes percentiles in the ``GROUP BY`` itself (PostgreSQL)."""
    return connections[qs.db].vendor == "postgresql"


def _counts(qs: QuerySet, keys: list[str], now: dt.datetime) -> list[dict]:
    figures = {"n_incidents": Count("id"), "n_breaches": Count("id", filter=any_breach(now))}
    for clock in CLOCKS:
        figures[f"n_{clock}_met"] = Count("id", filter=met(clock))
        figures[f"n_{clock}_breached"] = Count("id", filter=breached(clock, now))
        figures[f"n_{clock}_open"] = Count("id", filter=still_open(clock, now))
        stopped = Q(**{f"{clock}_state": ClockState.STOPPED})
        figures[f"n_{clock}_mean"] = Avg(f"{clock}_used_seconds", filter=stopped)
        if _in_aggregate(qs):
            figures[f"n_{clock}_p90"] = PercentileDisc(f"{clock}_used_seconds", 0.9, filter=stopped)
    if keys:
        return list(qs.values(*keys).annotate(**figures).order_by(*keys))
    return [qs.aggregate(**figures)]


def p90(qs: QuerySet, keys: list[str], clock: str) -> dict[tuple, int]:
    """The nearest-rank 90th percentile of the business time used by the stopped ``clock``s, per group:
    the value at rank ceil(0.9 n) in each group sorted by time (a window function; no row leaves the
    database except the one per group)."""
    used = f"{clock}_used_seconds"
    stopped = qs.filter(**{f"{clock}_state": ClockState.STOPPED, f"{used}__isnull": False})
    partition = [F(k) for k in keys] or None
    ranked = stopped.annotate(
        rank=Window(RowNumber(), partition_by=partition, order_by=F(used).asc()),
        size=Window(Count("id"), partition_by=partition),
    )
    # rank = ceil(0.9 * size), in integers: 10 rank >= 9 size > 10 (rank - 1)
    ranked = ranked.annotate(tenfold=F("rank") * 10, ninefold=F("size") * 9)
    chosen = ranked.filter(tenfold__gte=F("ninefold"), tenfold__lt=F("ninefold") + 10)
    return {tuple(row[k] for k in keys): row[used] for row in chosen.values(*keys, used)}


def compliance(user, selection: Selection, now: dt.datetime | None = None) -> Report:
    """The report's rows (grouped as ``selection.by`` asks) and its total, as of ``now``."""
    now = now or timezone.now()
    base = selection.incidents(user).order_by()
    rows = _rows(base, selection, selection.by, now)
    total = rows[0] if not selection.by else _rows(base, selection, (), now)[0]
    return Report(selection=selection, now=now, rows=rows, total=total)


def _rows(base: QuerySet, selection: Selection, by: tuple[str, ...], now: dt.datetime) -> list[Row]:
    qs, keys = _grouped(base, selection, by)
    counted = _counts(qs, keys, now)
    in_aggregate = _in_aggregate(qs)
    percentiles = {clock: {} if in_aggregate else p90(qs, keys, clock) for clock in CLOCKS}
    org_names = dict(
        Organisation.objects.filter(pk__in={r.get("organisation_id") for r in counted}).values_list(
            "pk", "name"
        )
    )
    service_names = dict(
        Service.objects.filter(pk__in={r.get("service_id") for r in counted}).values_list("pk", "name")
    )
    rows = []
    for data in counted:
        key = tuple(data[k] for k in keys)
        row = Row(
            month=None if data.get("month") is None else add_months(selection.first, data["month"]),
            organisation_id=data.get("organisation_id"),
            service_id=data.get("service_id"),
            priority=data.get("priority"),
            incidents=data["n_incidents"] or 0,
            breaches=data["n_breaches"] or 0,
        )
        row.organisation = org_names.get(row.organisation_id, "")
        row.service = service_names.get(row.service_id, "") if "service" in by else ""
        if "service" in by and row.service_id is None:
            row.service = "No service"
        for clock in CLOCKS:
            setattr(
                row,
                clock,
                ClockFigures(
                    met=data[f"n_{clock}_met"] or 0,
                    breached=data[f"n_{clock}_breached"] or 0,
                    open=data[f"n_{clock}_open"] or 0,
                    mean_seconds=data[f"n_{clock}_mean"],
                    p90_seconds=data.get(f"n_{clock}_p90", percentiles[clock].get(key)),
                ),
            )
        rows.append(row)
    return rows


def breaches(user, selection: Selection, now: dt.datetime | None = None) -> QuerySet:
    """The incidents of the selection with at least one breached clock (newest first)."""
    now = now or timezone.now()
    return selection.incidents(user).filter(any_breach(now)).select_related("organisation", "service")


def breached_clocks(incident: Incident, now: dt.datetime) -> list[str]:
    """Which of the incident's clocks are breached, by the report's definition."""
    found = []
    for clock in CLOCKS:
        state = getattr(incident, f"{clock}_state")
        if not state:
            continue
        due, used = getattr(incident, f"{clock}_due_at"), getattr(incident, f"{clock}_used_seconds")
        target = getattr(incident, f"{clock}_target_minutes") or 0
        if (
            getattr(incident, f"{clock}_breached")
            or (state == ClockState.RUNNING and due is not None and due < now)
            or (state == ClockState.PAUSED and used is not None and used > target * 60)
        ):
            found.append(clock)
    return found
