"""The one write path for the service catalogue: services, their parameters, their lifecycle and the
customers' subscriptions. Every change is audited (``core.crud`` / ``core.audit``).

Only administrators and managers change the catalogue; ``by=None`` is the system (demo, commands).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from opsdesk.accounts.models import Organisation, User
from opsdesk.accounts.services import is_manager, require_manager
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.catalogue.models import Service, ServiceParameter, Subscription
from opsdesk.catalogue.signals import service_saved
from opsdesk.catalogue.workflow import SERVICE_WORKFLOW
from opsdesk.core import crud
from opsdesk.core.audit import record
from opsdesk.core.errors import IllegalTransition

Parameters = Iterable[tuple[str, str]]


can_manage = is_manager


def check_can_manage(user: User | None) -> None:
    require_manager(user, "change the service catalogue")


def _clean_parameters(parameters: Parameters) -> list[tuple[str, str]]:
    rows, seen, problems = [], set(), []
    for name, value in parameters:
        name, value = (name or "").strip(), (value or "").strip()
        if not name or not value:
            problems.append("Every parameter needs a name and a value.")
        elif len(name) > 100 or len(value) > 500:
            problems.append(f"Parameter '{name[:40]}' is too long (name 100, value 500 characters).")
        elif name.lower() in seen:
            problems.append(f"Parameter '{name}' appears twice.")
        else:
            seen.add(name.lower())
            rows.append((name, value))
    if problems:
        raise ValidationError({"parameters": list(dict.fromkeys(problems))})
    return rows


def _parameter_list(service: Service) -> list[list[str]]:
    return [[p.name, p.value] for p in service.parameters.order_by("position", "id")]


def _write_parameters(service: Service, rows: list[tuple[str, str]]) -> None:
    service.parameters.all().delete()
    ServiceParameter.objects.bulk_create(
        ServiceParameter(service=service, position=i, name=name, value=value)
        for i, (name, value) in enumerate(rows, start=1)
    )


# --- services ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_service(*, by: User | None = None, parameters: Parameters = (), **fields: Any) -> Service:
    check_can_manage(by)
    rows = _clean_parameters(parameters)
    status = fields.get("status", ServiceStatus.PIPELINE)
    if status == ServiceStatus.RETIRED:
        raise ValidationError({"status": ["A new service starts in the pipeline or live, not retired."]})
    service = crud.create(Service, **fields)
    if rows:
        _write_parameters(service, rows)
        record(service, "update", {"parameters": [[], [list(r) for r in rows]]}, summary="parameters set")
    service_saved.send(sender=Service, service=service, created=True, previous={}, by=by)
    return service


def _announce(before: Service, after: Service, by: User | None) -> None:
    """Tell listeners (the CMDB) when a service's name or status changed."""
    previous = {n: getattr(before, n) for n in ("name", "status") if getattr(before, n) != getattr(after, n)}
    if previous:
        service_saved.send(sender=Service, service=after, created=False, previous=previous, by=by)


@transaction.atomic
def update_service(
    service: Service,
    changes: dict[str, Any],
    *,
    by: User | None = None,
    expected_version: int | None = None,
    parameters: Parameters | None = None,
) -> Service:
    """Change fields (and, if given, replace the parameter table). A status change must follow the
    lifecycle (pipeline -> live -> retired): anything else raises IllegalTransition."""
    check_can_manage(by)
    changes = dict(changes)
    fresh = crud.lock(service, expected_version)
    target = changes.get("status")
    if target is not None and target not in ServiceStatus.values:
        raise ValidationError({"status": [f"Unknown status '{target}'."]})
    if target is not None and target != fresh.status:
        if not SERVICE_WORKFLOW.actions_to(fresh.status, target):
            allowed = [t.action for t in SERVICE_WORKFLOW.allowed_actions(fresh.status)]
            raise IllegalTransition(f"change the status to '{target}'", fresh.status, allowed)
    elif target is not None:
        changes.pop("status")
    if fresh.status == ServiceStatus.RETIRED and (changes or parameters is not None):
        raise IllegalTransition("edit", fresh.status, [])
    if changes:
        before = Service(name=fresh.name, status=fresh.status)
        fresh = crud.update(fresh, changes)
        _announce(before, fresh, by)
    if parameters is not None:
        fresh = set_parameters(fresh, parameters, by=by)
    return fresh


def transition(
    service: Service, action: str, *, by: User | None = None, expected_version: int | None = None
) -> Service:
    """Run a lifecycle action (``go_live``, ``retire``) from the service's current status."""
    check_can_manage(by)
    with transaction.atomic():
        fresh = crud.lock(service, expected_version)
        target = SERVICE_WORKFLOW.check(action, fresh.status).target
        before = Service(name=fresh.name, status=fresh.status)
        fresh = crud.update(fresh, {"status": target})
        _announce(before, fresh, by)
        return fresh


def go_live(service: Service, *, by: User | None = None, expected_version: int | None = None) -> Service:
    return transition(service, "go_live", by=by, expected_version=expected_version)


def retire_service(
    service: Service, *, by: User | None = None, expected_version: int | None = None
) -> Service:
    return transition(service, "retire", by=by, expected_version=expected_version)


@transaction.atomic
def set_parameters(
    service: Service, parameters: Parameters, *, by: User | None = None, expected_version: int | None = None
) -> Service:
    """Replace the service's parameter table with ``parameters`` (ordered ``(name, value)`` rows)."""
    check_can_manage(by)
    rows = _clean_parameters(parameters)
    fresh = crud.lock(service, expected_version)
    if fresh.status == ServiceStatus.RETIRED:
        raise IllegalTransition("edit", fresh.status, [])
    before = _parameter_list(fresh)
    after = [list(r) for r in rows]
    if before == after:
        return fresh
    _write_parameters(fresh, rows)
    fresh.version += 1
    fresh.save(update_fields=["version", "updated_at"])
    record(fresh, "update", {"parameters": [before, after]}, summary="parameters changed")
    return fresh


# --- subscriptions -----------------------------------------------------------------------------------------


@transaction.atomic
def subscribe(
    service: Service,
    organisation: Organisation,
    *,
    start_date: dt.date,
    end_date: dt.date | None = None,
    sla_notes: str = "",
    by: User | None = None,
) -> Subscription:
    """``organisation`` receives ``service`` from ``start_date`` (to ``end_date``); no overlaps."""
    check_can_manage(by)
    # Serialise subscriptions of one service so two overlapping ones cannot both pass the check.
    service = crud.lock(service)
    if service.status == ServiceStatus.RETIRED:
        raise ValidationError({"service": ["A retired service takes no new subscriptions."]})
    return crud.create(
        Subscription,
        service=service,
        organisation=organisation,
        start_date=start_date,
        end_date=end_date,
        sla_notes=sla_notes or "",
    )


@transaction.atomic
def update_subscription(
    subscription: Subscription,
    changes: dict[str, Any],
    *,
    by: User | None = None,
    expected_version: int | None = None,
) -> Subscription:
    check_can_manage(by)
    crud.lock(subscription.service)
    unknown = set(changes) - {"start_date", "end_date", "sla_notes"}
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    if "sla_notes" in changes:
        changes = {**changes, "sla_notes": changes["sla_notes"] or ""}
    return crud.update(subscription, changes, expected_version=expected_version)


def end_subscription(
    subscription: Subscription,
    end_date: dt.date,
    *,
    by: User | None = None,
    expected_version: int | None = None,
) -> Subscription:
    return update_subscription(subscription, {"end_date": end_date}, by=by, expected_version=expected_version)
