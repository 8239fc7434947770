"""The SLA that applies, as a pure :class:`~opsdesk.sla.clocks.Policy`, cheaply.

Every new incident asks which SLA applies (the rules of :func:`opsdesk.sla.services.sla_for`) and needs
its targets and calendar. Here that is one query, which also returns the versions of the SLA and of its
calendar; the targets and the calendar are then taken from a per-process cache keyed by those versions, so
an edit (which bumps a version or ``updated_at``) is seen by every process at its next lookup. The signal
receivers of SLA and calendar edits also clear this process's cache at once.
"""

from __future__ import annotations

import datetime as dt
import threading

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from opsdesk.catalogue.models import Subscription
from opsdesk.sla.clocks import Policy
from opsdesk.sla.models import Calendar, Sla, SlaTarget, SubscriptionSla
from opsdesk.sla.signals import calendar_changed, sla_changed

_KEY_FIELDS = ("id", "version", "updated_at", "calendar_id", "calendar__version", "calendar__updated_at")
_CACHE_LIMIT = 256
_cache: dict[tuple, Policy] = {}
_lock = threading.Lock()


def clear_cache(**_kwargs) -> None:
    with _lock:
        _cache.clear()


sla_changed.connect(clear_cache, dispatch_uid="sla-policy-cache-sla")
calendar_changed.connect(clear_cache, dispatch_uid="sla-policy-cache-calendar")


def _load(key: tuple) -> Policy:
    sla_id, _v, _u, calendar_id, _cv, _cu = key
    sla = Sla.objects.get(pk=sla_id)
    calendar = Calendar.objects.prefetch_related("hours", "exceptions").get(pk=calendar_id)
    targets = {
        t.priority: (t.response_minutes, t.resolution_minutes)
        for t in SlaTarget.objects.filter(sla_id=sla_id)
    }
    return Policy(
        sla_id=sla.pk,
        name=sla.name,
        calendar_id=calendar.pk,
        calendar_name=calendar.name,
        calendar=calendar.to_business_calendar(),
        targets=targets,
        warning_thresholds=tuple(sla.warning_thresholds or ()),
        pausing_reasons=frozenset(sla.pausing_reasons or ()),
    )


def _cached(row: dict) -> Policy:
    key = tuple(row[name] for name in _KEY_FIELDS)
    policy = _cache.get(key)
    if policy is None:
        policy = _load(key)
        with _lock:
            if len(_cache) >= _CACHE_LIMIT:
                _cache.clear()
            _cache[key] = policy
    return policy


def policy_for(organisation, service=None, on: dt.date | None = None) -> Policy | None:
    """The policy of the SLA that applies to ``organisation`` receiving ``service`` on the day ``on``:
    the same rules as :func:`opsdesk.sla.services.sla_for`, in one query when the cache is warm."""
    on = on or timezone.localdate()
    org_id = getattr(organisation, "pk", organisation)
    service_id = getattr(service, "pk", service)
    own_default = Q(organisation_id=org_id, is_default=True)
    provider_default = Q(organisation__isnull=True, is_default=True)
    candidates = own_default | provider_default
    rank = [When(own_default, then=Value(1))]
    qs = Sla.objects.filter(is_active=True)
    if service_id is not None:
        linked = Exists(
            SubscriptionSla.objects.filter(
                sla=OuterRef("pk"),
                subscription__in=Subscription.objects.active(on).filter(
                    organisation_id=org_id, service_id=service_id
                ),
            )
        )
        qs = qs.annotate(linked=linked)
        candidates |= Q(linked=True)
        rank.insert(0, When(linked=True, then=Value(0)))
    row = (
        qs.filter(candidates)
        .annotate(rank=Case(*rank, default=Value(2), output_field=IntegerField()))
        .order_by("rank")
        .values(*_KEY_FIELDS)
        .first()
    )
    return _cached(row) if row is not None else None


def policy(sla_id: int) -> Policy | None:
    """The current policy of the SLA ``sla_id`` (one query when the cache is warm)."""
    row = Sla.objects.filter(pk=sla_id).values(*_KEY_FIELDS).first()
    return _cached(row) if row is not None else None


def policies(sla_ids) -> dict[int, Policy]:
    """Policies of several SLAs (one query when the cache is warm)."""
    rows = Sla.objects.filter(pk__in=set(sla_ids)).values(*_KEY_FIELDS)
    return {row["id"]: _cached(row) for row in rows}


def slas_using(calendar_id: int) -> list[int]:
    return list(Sla.objects.filter(calendar_id=calendar_id).values_list("id", flat=True))
