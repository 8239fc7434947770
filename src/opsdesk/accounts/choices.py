from django.db import models


class OrganisationKind(models.TextChoices):
    PROVIDER = "provider", "Service provider"
    CUSTOMER = "customer", "Customer"


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    MANAGER = "manager", "Service-desk manager"
    AGENT = "agent", "Agent"
    CUSTOMER = "customer", "Customer user"
    CUSTOMER_MANAGER = "customer_manager", "Customer manager"


STAFF_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.AGENT})
CUSTOMER_ROLES = frozenset({Role.CUSTOMER, Role.CUSTOMER_MANAGER})
