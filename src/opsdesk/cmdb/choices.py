from django.db import models


class CIStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ORDERED = "ordered", "Ordered"
    IN_STOCK = "in_stock", "In stock"
    INSTALLED = "installed", "Installed"
    IN_MAINTENANCE = "in_maintenance", "In maintenance"
    RETIRED = "retired", "Retired"
    DISPOSED = "disposed", "Disposed"


# A disposed CI is gone for good: it keeps its history but takes no further changes.
FINAL_STATUSES = frozenset({CIStatus.DISPOSED})


class Environment(models.TextChoices):
    PRODUCTION = "production", "Production"
    TEST = "test", "Test"
    DEVELOPMENT = "development", "Development"


class Criticality(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class AttributeType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    BOOLEAN = "boolean", "Yes/no"
    CHOICE = "choice", "Choice"
    IP_ADDRESS = "ip", "IP address"
    CI = "ci", "Reference to a CI"


class ImpactDirection(models.TextChoices):
    """Which end of a relationship fails when the other one does."""

    SOURCE_DEPENDS = "source_depends", "The source fails when the target fails"
    TARGET_DEPENDS = "target_depends", "The target fails when the source fails"
    NONE = "none", "No impact either way"
