"""One filter definition for the incident queue and ``GET /api/v1/incidents``.

Both the list page and the API parse their query string into :class:`IncidentFilter` and call
:meth:`IncidentFilter.apply` on a queryset that is already restricted to the user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date

from opsdesk.incidents.choices import OPEN_STATUSES, Channel, Status
from opsdesk.incidents.models import parse_number

SORTABLE = {
    "number": "id",
    "title": "title",
    "priority": "priority",
    "status": "status",
    "opened": "opened_at",
    "organisation": "organisation__name",
    "workgroup": "workgroup__name",
    "owner": "owner__username",
    "updated": "updated_at",
    "due": "next_due_at",  # the soonest due time of a running SLA clock; none sorts last
}
# Service-level states an incident can be filtered by (any of its clocks):
SLA_STATES = {
    "at_risk": "a running clock is past its first warning threshold but not yet due",
    "breached": "a clock is past its due time, or stopped after it",
    "paused": "the resolution clock is paused (pending)",
}
DEFAULT_SORT = "-number"
# Newest first within a date range: by opening time, which its index serves directly. (By number,
# PostgreSQL walks the primary key from the newest incident down to the range, a million rows for
# "opened before" an early day.)
DATE_RANGE_SORT = "-opened"


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _first(query, name: str) -> str:
    value = query.get(name, "") if hasattr(query, "get") else ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")


def _ids(values: list[str], name: str, errors: dict) -> list[int]:
    out = []
    for v in values:
        if v in ("", None):
            continue
        if v == "none":
            out.append(0)
            continue
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            errors.setdefault(name, []).append(f"'{v}' is not a valid id.")
    return out


def _numbers(values: list[str], name: str, errors: dict) -> list[int]:
    """Incident numbers (``INC-000042``) or plain ids."""
    out = []
    for v in values:
        pk = parse_number(v)
        if pk is None:
            errors.setdefault(name, []).append(f"'{v}' is not an incident number.")
        else:
            out.append(pk)
    return out


@dataclass
class IncidentFilter:
    status: list[str] = field(default_factory=list)  # also "open"
    priority: list[int] = field(default_factory=list)
    organisation: list[int] = field(default_factory=list)
    workgroup: list[int] = field(default_factory=list)  # 0 means "no workgroup"
    owner: list[int] = field(default_factory=list)  # 0 means "unowned"
    channel: list[str] = field(default_factory=list)
    category: list[int] = field(default_factory=list)
    requester: list[int] = field(default_factory=list)
    service: list[int] = field(default_factory=list)  # 0 means "no service"
    ci: list[int] = field(default_factory=list)  # incidents naming any of these configuration items
    parent: list[int] = field(default_factory=list)  # child incidents of these major incidents
    sla: list[str] = field(default_factory=list)  # SLA_STATES
    opened_from: dt.date | None = None
    opened_to: dt.date | None = None
    q: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, query, *, me_id: int | None = None) -> IncidentFilter:
        """Parse a QueryDict (or dict of lists). ``owner=me`` means the current user."""
        errors: dict[str, list[str]] = {}

        def get_list(name: str) -> list[str]:
            values = query.getlist(name) if hasattr(query, "getlist") else query.get(name, [])
            if isinstance(values, str):
                values = [values]
            out: list[str] = []
            for v in values:
                out.extend(part.strip() for part in str(v).split(",") if part.strip())
            return out

        status = get_list("status")
        for s in status:
            if s not in Status.values and s != "open":
                errors.setdefault("status", []).append(f"Unknown status '{s}'.")
        channel = get_list("channel")
        for c in channel:
            if c not in Channel.values:
                errors.setdefault("channel", []).append(f"Unknown channel '{c}'.")
        priority = []
        for p in get_list("priority"):
            if p.isdigit() and 0 <= int(p) <= 4:
                priority.append(int(p))
            else:
                errors.setdefault("priority", []).append(f"Priority must be 0-4, not '{p}'.")
        owners = get_list("owner")
        if me_id is not None:
            owners = [str(me_id) if o == "me" else o for o in owners]
        dates = {}
        for name in ("opened_from", "opened_to"):
            raw = get_list(name)
            if raw:
                parsed = parse_date(raw[0]) if len(raw[0]) == 10 else None
                if parsed is None:
                    errors.setdefault(name, []).append("Use a date like 2026-01-31.")
                dates[name] = parsed
        sla = get_list("sla")
        for value in sla:
            if value not in SLA_STATES:
                errors.setdefault("sla", []).append(
                    f"Unknown SLA state '{value}'; use {', '.join(SLA_STATES)}."
                )
        default_sort = DATE_RANGE_SORT if dates else DEFAULT_SORT
        sort = (get_list("sort") or [default_sort])[0]
        if sort.lstrip("-") not in SORTABLE:
            errors.setdefault("sort", []).append(f"Sort by one of: {', '.join(sorted(SORTABLE))}.")
        result = cls(
            status=status,
            priority=priority,
            organisation=_ids(get_list("organisation"), "organisation", errors),
            workgroup=_ids(get_list("workgroup"), "workgroup", errors),
            owner=_ids(owners, "owner", errors),
            channel=channel,
            category=_ids(get_list("category"), "category", errors),
            requester=_ids(get_list("requester"), "requester", errors),
            service=_ids(get_list("service"), "service", errors),
            ci=[pk for pk in _ids(get_list("ci"), "ci", errors) if pk],
            parent=_numbers(get_list("parent"), "parent", errors),
            sla=sla,
            q=_first(query, "q")[:200].strip(),
            sort=sort,
            **dates,
        )
        if errors:
            raise ValidationError(errors)
        return result

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.status:
            statuses = set(self.status)
            if "open" in statuses:
                statuses.discard("open")
                statuses.update(OPEN_STATUSES)
            qs = qs.filter(status__in=sorted(statuses))
        if self.priority:
            qs = qs.filter(priority__in=self.priority)
        if self.organisation:
            qs = qs.filter(organisation_id__in=self.organisation)
        for name in ("workgroup", "owner", "service"):
            values = getattr(self, name)
            if values:
                real = [v for v in values if v]
                if 0 in values and real:
                    qs = qs.filter(Q(**{f"{name}_id__in": real}) | Q(**{f"{name}__isnull": True}))
                elif 0 in values:
                    qs = qs.filter(**{f"{name}__isnull": True})
                else:
                    qs = qs.filter(**{f"{name}_id__in": real})
        if self.channel:
            qs = qs.filter(channel__in=self.channel)
        if self.category:
            qs = qs.filter(category_id__in=self.category)
        if self.requester:
            qs = qs.filter(requester_id__in=self.requester)
        if self.ci:
            # A subquery, not a join: an incident naming two of the CIs is still one row.
            named = qs.model.cis.through.objects.filter(ci_id__in=self.ci).values("incident_id")
            qs = qs.filter(pk__in=named)
        if self.parent:
            qs = qs.filter(parent_id__in=self.parent)
        if self.sla:
            qs = qs.filter(sla_condition(self.sla, timezone.now()))
        # Dates are days in the current time zone, compared as instants so the opened_at index serves.
        if self.opened_from:
            qs = qs.filter(opened_at__gte=_start_of(self.opened_from))
        if self.opened_to:
            qs = qs.filter(opened_at__lt=_start_of(self.opened_to + dt.timedelta(days=1)))
        if self.q:
            qs = qs.search(self.q)
        return qs

    @property
    def default_sort(self) -> str:
        return DATE_RANGE_SORT if self.opened_from or self.opened_to else DEFAULT_SORT

    def order_fields(self) -> list[str]:
        """Ordering with ``id`` as the tie-breaker, so cursor pagination is stable."""
        desc = self.sort.startswith("-")
        column = SORTABLE[self.sort.lstrip("-")]
        if column == "id":
            return ["-id" if desc else "id"]
        return [f"-{column}" if desc else column, "-id" if desc else "id"]

    def to_query(self) -> dict[str, str]:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, "", []) or (f.name == "sort" and value == self.default_sort):
                continue
            out[f.name] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        return out


def sla_condition(states: list[str], now: dt.datetime) -> Q:
    """Incidents in any of the SLA ``states`` at the instant ``now`` (indexed columns only)."""
    condition = Q(pk__in=[])
    for state in states:
        if state == "at_risk":
            condition |= Q(next_warn_at__lte=now, next_due_at__gte=now)
        elif state == "breached":
            condition |= Q(next_due_at__lt=now) | Q(response_breached=True) | Q(resolution_breached=True)
        elif state == "paused":
            condition |= Q(resolution_state="paused")
    return condition
