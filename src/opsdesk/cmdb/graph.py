"""The CMDB as a graph for :mod:`opsdesk.cmdb.impact`, and the impact report pages and the API show.

:class:`DatabaseGraph` answers each breadth-first level with one query over the relationships (whose
types say which end fails with the other), so an analysis costs a few queries per level, never one per
CI. :func:`impact_report` turns the ids into rows the user may see, plus the catalogue services that
fail and the customers subscribing to them, and calls :func:`add_open_records` for the open records
(incidents) on all of that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from opsdesk.accounts.models import Organisation
from opsdesk.catalogue.models import Service, Subscription
from opsdesk.cmdb import impact, links
from opsdesk.cmdb.choices import ImpactDirection
from opsdesk.cmdb.models import CI, Relationship, RelationshipType


class DatabaseGraph:
    def __init__(self) -> None:
        kinds = dict(RelationshipType.objects.values_list("pk", "impact"))
        self.source_depends = [pk for pk, kind in kinds.items() if kind == ImpactDirection.SOURCE_DEPENDS]
        self.target_depends = [pk for pk, kind in kinds.items() if kind == ImpactDirection.TARGET_DEPENDS]
        self.queries = 0

    def _edges(self, condition: Q) -> list[impact.Edge]:
        self.queries += 1
        rows = (
            Relationship.objects.filter(condition)
            .order_by()
            .values_list("source_id", "target_id", "redundancy_group", "type_id")
        )
        target_depends = set(self.target_depends)
        return [
            impact.Edge(target, source, group)
            if type_id in target_depends
            else impact.Edge(source, target, group)
            for source, target, group, type_id in rows
        ]

    def dependents_of(self, ids: set[int]) -> list[impact.Edge]:
        ids_list = list(ids)
        return self._edges(
            Q(type_id__in=self.source_depends, target_id__in=ids_list)
            | Q(type_id__in=self.target_depends, source_id__in=ids_list)
        )

    def dependencies_of(self, ids: set[int]) -> list[impact.Edge]:
        ids_list = list(ids)
        return self._edges(
            Q(type_id__in=self.source_depends, source_id__in=ids_list)
            | Q(type_id__in=self.target_depends, target_id__in=ids_list)
        )


@dataclass
class Side:
    """One direction of an analysis, ready to show: visible CIs in order, what else was hit."""

    cis: list[dict[str, Any]] = field(default_factory=list)
    degraded: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    customers: list[dict[str, Any]] = field(default_factory=list)
    hidden: int = 0  # reached CIs of organisations the user may not see
    depth_limited: bool = False
    size_limited: bool = False
    failed_ids: list[int] = field(default_factory=list)  # downstream: every CI that fails, hidden ones too
    failed_service_ids: list[int] = field(default_factory=list)  # downstream: their catalogue services
    records: list[links.ImpactSection] = field(default_factory=list)  # downstream: see add_open_records


ROW_FIELDS = ("name", "status", "ci_class__name", "organisation__name")


def _rows(
    ids: list[int], user, result: impact.Result, root: CI
) -> tuple[list[dict[str, Any]], int, dict[int, CI]]:
    # Only the columns a row shows (hundreds of CIs: whole rows with their JSON cost more than the query).
    visible = {
        ci.pk: ci
        for ci in CI.objects.restrict(user)
        .filter(pk__in=ids)
        .select_related("ci_class", "organisation")
        .only(*ROW_FIELDS)
        .order_by()
    }
    names = {pk: ci.name for pk, ci in visible.items()} | {root.pk: root.name}
    rows = []
    for pk in ids:
        ci = visible.get(pk)
        if ci is None:
            continue
        via = result.via.get(pk)
        rows.append(
            {
                "ci": ci,
                "id": ci.pk,
                "name": ci.name,
                "ci_class": ci.ci_class.name,
                "status": ci.status,
                "organisation": ci.organisation.name,
                "depth": result.depth.get(pk, 0),
                "via": via if via in names else None,
                "via_name": names.get(via, ""),
            }
        )
    return rows, len([pk for pk in ids if pk not in visible]), visible


def _failed_services(ids: list[int]) -> list[int]:
    """The catalogue services the CIs ``ids`` stand for, whoever may see them."""
    return sorted(
        set(
            CI.objects.filter(pk__in=ids, service__isnull=False)
            .order_by()
            .values_list("service_id", flat=True)
        )
    )


def _services_and_customers(
    service_ids: list[int], user
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    services = [
        {"id": s.pk, "name": s.name, "service": s}
        for s in Service.objects.restrict(user).filter(pk__in=service_ids).order_by("name")
    ]
    subscribers = Subscription.objects.active().filter(service_id__in=service_ids).values("organisation_id")
    customers = [
        {"id": o.pk, "name": o.name}
        for o in Organisation.objects.restrict(user).filter(pk__in=subscribers).order_by("name")
    ]
    return services, customers


def impact_report(
    ci: CI,
    user,
    *,
    max_depth: int = impact.MAX_DEPTH,
    max_nodes: int = impact.MAX_NODES,
) -> dict[str, Side]:
    """Downstream (what fails with ``ci``) and upstream (what ``ci`` relies on), as ``user`` may see them.

    The analysis runs over the whole graph, so a redundant path through another tenant's (or the
    provider's) CI still counts; only the rows shown are restricted; ``hidden`` counts the rest.
    """
    graph = DatabaseGraph()
    report = {}
    for name, run in (("downstream", impact.downstream), ("upstream", impact.upstream)):
        result = run(graph, ci.pk, max_depth=max_depth, max_nodes=max_nodes)
        ids = result.ids
        side = Side(depth_limited=result.depth_limited, size_limited=result.size_limited)
        side.cis, side.hidden, _ = _rows(ids, user, result, ci)
        if name == "downstream":
            side.failed_ids = ids
            side.failed_service_ids = _failed_services([ci.pk, *ids])
            side.services, side.customers = _services_and_customers(side.failed_service_ids, user)
            degraded = sorted(result.degraded)
            side.degraded, _, _ = _rows(degraded, user, result, ci)
        report[name] = side
    add_open_records(ci, report, user)
    return report


RECORDS_LIMIT = 50


def add_open_records(ci: CI, report: dict[str, Side], user, *, limit: int = RECORDS_LIMIT) -> None:
    """Fill ``report["downstream"].records``: the open records (incidents) ``user`` may see on ``ci``, on
    every CI that fails with it and on the catalogue services of those CIs, the most pressing ``limit`` of
    each kind with the total. CIs the user may not see count too: a customer's own incident naming the
    provider's router is on the impact when that router fails; another customer's incidents never are."""
    down = report["downstream"]
    down.records = links.impact_sections(
        [ci.pk, *down.failed_ids], down.failed_service_ids, user, limit=limit
    )
