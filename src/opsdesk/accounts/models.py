"""Organisations (the provider and its customers), sites, people, user accounts, workgroups, API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from opsdesk.accounts.choices import CUSTOMER_ROLES, STAFF_ROLES, OrganisationKind, Role
from opsdesk.core.models import OpsdeskModel
from opsdesk.core.tenancy import RestrictedQuerySet


class Organisation(OpsdeskModel):
    name = models.CharField(max_length=150, unique=True)
    short_name = models.SlugField(max_length=40, unique=True, help_text="Short code, e.g. ACME")
    kind = models.CharField(
        max_length=16, choices=OrganisationKind.choices, default=OrganisationKind.CUSTOMER
    )
    time_zone = models.CharField(max_length=64, default="Europe/London")
    email_domain = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    is_active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)

    tenant_path = "id"

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(OpsdeskModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=150)
    address = models.TextField(blank=True)

    tenant_path = "organisation"

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="site_unique_name")]

    def __str__(self) -> str:
        return f"{self.organisation.short_name}: {self.name}"


class Person(OpsdeskModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="people")
    full_name = models.CharField(max_length=150)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=50, blank=True)
    mobile = models.CharField(max_length=50, blank=True)
    job_title = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)

    tenant_path = "organisation"

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name

    @classmethod
    def restrict_extra(cls, qs, user):
        # A customer user sees only themselves; a customer manager everyone of their organisation.
        if user.role == Role.CUSTOMER:
            return qs.filter(pk=user.person_id) if user.person_id else qs.none()
        return qs


class UserQuerySet(RestrictedQuerySet, models.QuerySet):
    pass


class OpsdeskUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A login. Staff belong to the provider; customer users to their organisation (through ``person``)."""

    person = models.OneToOneField(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    limited_to = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="+",
        help_text="For agents: the customers they may work for. Empty means all customers.",
    )

    objects = OpsdeskUserManager()
    tenant_path = "person__organisation"
    audit_exclude = ("password", "last_login")

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # Administrators (and superusers) use the Django admin for configuration; nobody else does.
        # Derived here, so every path that sets a role (services, admin, API) keeps it right.
        self.is_staff = self.is_superuser or self.role == Role.ADMIN
        if kwargs.get("update_fields") is not None and "role" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff"}
        super().save(*args, **kwargs)

    @property
    def organisation_id(self) -> int | None:
        return self.person.organisation_id if self.person_id else None

    @property
    def is_customer(self) -> bool:
        return self.role in CUSTOMER_ROLES

    @property
    def is_provider_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER) or self.is_superuser

    def organisation_scope(self) -> frozenset[int] | None:
        """Organisation ids this user may see; ``None`` means every organisation."""
        cached = getattr(self, "_scope_cache", False)
        if cached is not False:
            return cached
        scope: frozenset[int] | None
        if self.is_superuser or self.role in (Role.ADMIN, Role.MANAGER):
            scope = None
        elif self.role == Role.AGENT:
            limited = frozenset(self.limited_to.values_list("id", flat=True))
            if limited:
                provider = Organisation.objects.filter(kind=OrganisationKind.PROVIDER).values_list(
                    "id", flat=True
                )
                scope = limited | frozenset(provider)
            else:
                scope = None
        else:
            scope = frozenset({self.organisation_id}) if self.organisation_id else frozenset()
        self._scope_cache = scope
        return scope

    @classmethod
    def restrict_extra(cls, qs, user):
        # Customers see only their own login; staff see users of the organisations in their scope.
        if user.is_customer:
            return qs.filter(pk=user.pk)
        return qs


class Workgroup(OpsdeskModel):
    name = models.CharField(max_length=100, unique=True)
    email = models.EmailField(blank=True, help_text="Shared mailbox notified on assignment")
    description = models.TextField(blank=True)
    lead = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    members = models.ManyToManyField(User, blank=True, related_name="workgroups")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def restrict_extra(cls, qs, user):
        return qs if user.is_provider_staff else qs.none()


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise the token")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
