from django.db import models


class Weekday(models.IntegerChoices):
    """As ``datetime.weekday()``: 0 is Monday."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class ExceptionKind(models.TextChoices):
    CLOSED = "closed", "Closed all day"
    OPEN = "open", "Open (these hours replace the usual ones)"


# Priorities 0 (critical) to 4 (planning), as in the operations manual; every SLA has a target for each.
PRIORITIES = (0, 1, 2, 3, 4)


class PendingReason(models.TextChoices):
    """The incident pending reasons an SLA may let stop its clock (the same values as the incidents'
    pending reasons; ``sla`` sits below ``incidents`` and cannot import them)."""

    CUSTOMER = "customer", "Waiting for customer"
    PART_SHIPPED = "part_shipped", "Part shipped, receipt not acknowledged"
    EXTERNAL = "external", "External support contacted"
    SCHEDULED = "scheduled", "Scheduled event"


class NotifyRole(models.TextChoices):
    """Who is told when an SLA warning threshold is reached."""

    OWNER = "owner", "Owner"
    WORKGROUP_LEAD = "workgroup_lead", "Workgroup lead"
    MANAGER = "manager", "Service-desk manager"


DEFAULT_WARNING_THRESHOLDS = (75, 100)
