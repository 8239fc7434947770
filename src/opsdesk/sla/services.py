"""The one write path for SLAs: an SLA and its five targets (P0-P4) are written together, in one
transaction, and audited (``core.crud`` / ``core.audit``); an edit sends
:data:`opsdesk.sla.signals.sla_changed` once, inside the transaction. Plus which SLA a subscription is
under, and :func:`sla_for`, which SLA applies to a customer (and service) on a day.

Only administrators and managers change SLAs; ``by=None`` is the system (demo, commands).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from opsdesk.accounts.models import Organisation, User
from opsdesk.accounts.services import is_manager, require_manager
from opsdesk.catalogue.models import Subscription
from opsdesk.core import crud
from opsdesk.core.audit import record
from opsdesk.sla.choices import PRIORITIES
from opsdesk.sla.models import Sla, SlaTarget, SubscriptionSla
from opsdesk.sla.signals import sla_changed

# One target as given: {"priority": 0, "response_minutes": 15, "resolution_minutes": 240}.
Targets = Iterable[Mapping[str, Any]]
FIELDS = {
    "name",
    "organisation",
    "is_default",
    "calendar",
    "warning_thresholds",
    "notify_roles",
    "pausing_reasons",
    "is_active",
    "notes",
}


can_manage = is_manager


def check_can_manage(user: User | None) -> None:
    require_manager(user, "change SLAs")


def _minutes(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def clean_targets(targets: Targets) -> dict[int, tuple[int, int]]:
    """``{priority: (response, resolution)}`` for all five priorities, or a ValidationError on ``targets``."""
    rows: dict[int, tuple[int, int]] = {}
    problems: list[str] = []
    for target in targets:
        priority = target.get("priority")
        response = _minutes(target.get("response_minutes"))
        resolution = _minutes(target.get("resolution_minutes"))
        if isinstance(priority, bool) or priority not in PRIORITIES:
            problems.append(f"Unknown priority {priority!r}: use 0 to 4.")
        elif priority in rows:
            problems.append(f"P{priority} appears twice.")
        elif response is None or resolution is None or response <= 0 or resolution <= 0:
            problems.append(f"P{priority}: both targets are a positive number of minutes.")
            rows[priority] = (0, 0)
        elif resolution < response:
            problems.append(f"P{priority}: the resolution target cannot be shorter than the response target.")
            rows[priority] = (response, resolution)
        else:
            rows[priority] = (response, resolution)
    missing = [f"P{p}" for p in PRIORITIES if p not in rows]
    if missing:
        problems.append(f"Every priority needs targets; missing: {', '.join(missing)}.")
    if problems:
        raise ValidationError({"targets": list(dict.fromkeys(problems))})
    return rows


def target_table(sla: Sla) -> list[list[int]]:
    """The targets as ``[[priority, response, resolution], ...]`` in priority order (for the audit)."""
    return [[t.priority, t.response_minutes, t.resolution_minutes] for t in sla.targets.order_by("priority")]


def _write_targets(sla: Sla, rows: dict[int, tuple[int, int]]) -> None:
    sla.targets.all().delete()
    SlaTarget.objects.bulk_create(
        SlaTarget(sla=sla, priority=p, response_minutes=response, resolution_minutes=resolution)
        for p, (response, resolution) in sorted(rows.items())
    )


def _check_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValidationError({name: ["This field cannot be set."] for name in sorted(unknown)})


@transaction.atomic
def create_sla(*, targets: Targets, by: User | None = None, **fields: Any) -> Sla:
    """A new SLA with its targets for all five priorities."""
    check_can_manage(by)
    _check_fields(fields)
    rows = clean_targets(targets)
    sla = crud.create(Sla, **fields)
    _write_targets(sla, rows)
    record(sla, "update", {"targets": [[], target_table(sla)]}, summary="targets set")
    return sla


def _replace_targets(sla: Sla, rows: dict[int, tuple[int, int]], *, bump: bool = True) -> bool:
    """Write the targets if they differ (audited; the version bumped unless the edit did already);
    whether they did."""
    before = target_table(sla)
    after = [[p, response, resolution] for p, (response, resolution) in sorted(rows.items())]
    if before == after:
        return False
    _write_targets(sla, rows)
    if bump:
        sla.version += 1
    sla.save(update_fields=["version", "updated_at"])
    record(sla, "update", {"targets": [before, after]}, summary="targets changed")
    return True


def _announce(sla: Sla, by: User | None, what: str) -> None:
    """Tell the open incidents under ``sla`` (inside the transaction) that it changed: once per edit."""
    sla_changed.send(sender=Sla, sla=sla, by=by, reason=f"SLA {sla.name} changed: {what}")


@transaction.atomic
def set_targets(
    sla: Sla, targets: Targets, *, by: User | None = None, expected_version: int | None = None
) -> Sla:
    """Replace the SLA's targets (all five priorities)."""
    check_can_manage(by)
    rows = clean_targets(targets)
    fresh = crud.lock(sla, expected_version)
    if _replace_targets(fresh, rows):
        _announce(fresh, by, "targets")
    return fresh


@transaction.atomic
def update_sla(
    sla: Sla,
    changes: dict[str, Any],
    *,
    by: User | None = None,
    expected_version: int | None = None,
    targets: Targets | None = None,
) -> Sla:
    """Change fields and, if given, replace the targets; one version check and one version bump cover
    both, and ``sla_changed`` is sent once, naming what changed (notes alone concern no clock)."""
    check_can_manage(by)
    _check_fields(changes)
    rows = clean_targets(targets) if targets is not None else None
    fresh = crud.lock(sla, expected_version)
    version = fresh.version
    if "organisation" in changes and getattr(changes["organisation"], "pk", changes["organisation"]) != (
        fresh.organisation_id
    ):
        raise ValidationError({"organisation": ["An SLA cannot move to another organisation."]})
    changes = {k: v for k, v in changes.items() if k != "organisation" and _differs(fresh, k, v)}
    changed = [name for name in changes if name != "notes"]
    if changes:
        fresh = crud.update(fresh, changes)
    if rows is not None and _replace_targets(fresh, rows, bump=fresh.version == version):
        changed.append("targets")
    if changed:
        _announce(fresh, by, ", ".join(name.replace("_", " ") for name in changed))
    return fresh


def _differs(sla: Sla, name: str, value: Any) -> bool:
    if name == "calendar":
        return getattr(value, "pk", value) != sla.calendar_id
    if name in ("notify_roles", "pausing_reasons") and isinstance(value, list):
        return sorted(getattr(sla, name)) != sorted(value)  # a set of choices: the order means nothing
    return getattr(sla, name) != value


@transaction.atomic
def set_subscription_sla(
    subscription: Subscription,
    sla: Sla | None,
    *,
    by: User | None = None,
    expected_version: int | None = None,
) -> Subscription:
    """Put ``subscription`` under ``sla`` (``None``: back to the organisation's default).

    The SLA is part of the subscription's state: a change bumps the subscription's version (its ETag), and
    ``expected_version`` is checked against it.
    """
    check_can_manage(by)
    fresh = crud.lock(subscription, expected_version)
    if sla is not None and not sla.is_active:
        raise ValidationError({"sla": ["This SLA is inactive; choose an active one."]})
    if sla is not None and sla.organisation_id not in (None, fresh.organisation_id):
        raise ValidationError({"sla": [f"{sla.name} is another customer's SLA."]})
    link = SubscriptionSla.objects.select_for_update().filter(subscription=fresh).first()
    if sla is None and link is not None:
        crud.delete(link)
    elif sla is not None and link is None:
        crud.create(SubscriptionSla, subscription=fresh, sla=sla)
    elif sla is not None and link.sla_id != sla.pk:
        crud.update(link, {"sla": sla})
    else:
        return fresh
    fresh.version += 1
    fresh.save(update_fields=["version", "updated_at"])
    return fresh


def subscription_sla(subscription: Subscription) -> Sla | None:
    """The SLA the subscription names (``None``: it runs under the organisation's default)."""
    link = SubscriptionSla.objects.filter(subscription=subscription).select_related("sla").first()
    return link.sla if link is not None else None


def default_sla_for(organisation: Organisation | int) -> Sla | None:
    """The organisation's default SLA, else the provider-wide default."""
    org_id = getattr(organisation, "pk", organisation)
    active = Sla.objects.filter(is_active=True, is_default=True).select_related("calendar")
    return active.filter(organisation_id=org_id).first() or active.filter(organisation__isnull=True).first()


def sla_for(organisation: Organisation | int, service=None, on: dt.date | None = None) -> Sla | None:
    """The SLA that applies to ``organisation`` (receiving ``service``) on the day ``on`` (default today):

    1. the SLA named by the organisation's subscription to ``service`` running that day;
    2. else the organisation's default SLA;
    3. else the provider-wide default (``None`` only if there is none).

    Inactive SLAs never apply. This is not a user-visible query (it decides for the system), so it is not
    restricted to a user.
    """
    on = on or timezone.localdate()
    org_id = getattr(organisation, "pk", organisation)
    if service is not None:
        link = (
            SubscriptionSla.objects.filter(
                subscription__in=Subscription.objects.active(on).filter(
                    organisation_id=org_id, service_id=getattr(service, "pk", service)
                ),
                sla__is_active=True,
            )
            .select_related("sla__calendar")
            .first()
        )
        if link is not None:
            return link.sla
    return default_sla_for(org_id)
