"""Catalogue queries: every user-visible one still goes through ``restrict(user)``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.core.tenancy import RestrictedQuerySet


def active_on(on: dt.date) -> Q:
    """Subscriptions running on the day ``on`` (start and end dates inclusive)."""
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


class ServiceQuerySet(RestrictedQuerySet):
    def subscribed_by(self, organisation, on: dt.date | None = None) -> ServiceQuerySet:
        """Services ``organisation`` receives on the day ``on`` (default: today); retired ones never."""
        from opsdesk.catalogue.models import Subscription

        on = on or timezone.localdate()
        org_id = getattr(organisation, "pk", organisation)
        running = Subscription.objects.filter(active_on(on), service=OuterRef("pk"), organisation_id=org_id)
        return self.filter(Exists(running)).exclude(status=ServiceStatus.RETIRED)


class SubscriptionQuerySet(RestrictedQuerySet):
    def active(self, on: dt.date | None = None) -> SubscriptionQuerySet:
        return self.filter(active_on(on or timezone.localdate()))
