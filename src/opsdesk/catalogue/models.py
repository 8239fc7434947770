"""The service catalogue: provider-wide services with ordered parameters, and customers' subscriptions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q

from opsdesk.accounts.choices import OrganisationKind
from opsdesk.accounts.models import Organisation, Workgroup
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.catalogue.querysets import ServiceQuerySet, SubscriptionQuerySet
from opsdesk.core.models import OpsdeskModel


class Service(OpsdeskModel):
    """A service the provider offers to every customer (not tenant-owned)."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        Workgroup, on_delete=models.PROTECT, related_name="services", help_text="The workgroup delivering it"
    )
    status = models.CharField(max_length=16, choices=ServiceStatus.choices, default=ServiceStatus.PIPELINE)
    service_hours = models.CharField(
        max_length=200, blank=True, help_text="Free text for now, e.g. 'Mon-Fri 08:00-18:00'"
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "name"], name="service_status_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/catalogue/{self.pk}/"

    @classmethod
    def restrict_extra(cls, qs, user):
        # Customers see only the services their organisation subscribes to (or did).
        if user.is_provider_staff:
            return qs
        if not user.organisation_id:
            return qs.none()
        subscribed = Subscription.objects.filter(service=OuterRef("pk"), organisation_id=user.organisation_id)
        return qs.filter(Exists(subscribed))


class ServiceParameter(models.Model):
    """One row of a service's parameter table ("Mailbox size" -> "2 GB"), kept in ``position`` order."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="parameters")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    value = models.CharField(max_length=500)

    class Meta:
        ordering = ["service", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="service_parameter_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class Subscription(OpsdeskModel):
    """A customer organisation receives a service from ``start_date`` to ``end_date`` (empty: open)."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="subscriptions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="subscriptions")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty: until further notice")
    sla_notes = models.CharField(
        "SLA", max_length=200, blank=True, help_text="The agreed service level, as text until SLAs exist"
    )

    objects = SubscriptionQuerySet.as_manager()
    tenant_path = "organisation"

    class Meta:
        ordering = ["service__name", "organisation__name", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="subscription_end_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "service", "start_date"], name="subscription_org_idx")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.service}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors.setdefault("end_date", []).append("The end date cannot be before the start date.")
        if self.organisation_id:
            org = Organisation.objects.filter(pk=self.organisation_id).first()
            if org is not None and org.kind != OrganisationKind.CUSTOMER:
                errors.setdefault("organisation", []).append("Only customer organisations subscribe.")
        if not errors and self.start_date and self.service_id and self.organisation_id:
            clash = self.overlapping().first()
            if clash is not None:
                until = clash.end_date.isoformat() if clash.end_date else "open-ended"
                errors.setdefault("start_date", []).append(
                    f"{self.organisation} already subscribes to {self.service} from "
                    f"{clash.start_date.isoformat()} ({until}); subscriptions must not overlap."
                )
        if errors:
            raise ValidationError(errors)

    def overlapping(self):
        qs = Subscription.objects.filter(service_id=self.service_id, organisation_id=self.organisation_id)
        qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        if self.end_date:
            qs = qs.filter(start_date__lte=self.end_date)
        if self.pk:
            qs = qs.exclude(pk=self.pk)
        return qs.order_by("start_date")
