from django.db import models


class Impact(models.TextChoices):
    SEVERE = "severe", "Severe"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    NONE = "none", "None"


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    CRITICAL = "critical", "Critical"
    URGENT = "urgent", "Urgent"
    NORMAL = "normal", "Normal"
    NEGOTIATED = "negotiated", "Negotiated"


class Status(models.TextChoices):
    NEW = "new", "New"
    ASSIGNED = "assigned", "Assigned"
    ACCEPTED = "accepted", "Accepted"
    PENDING = "pending", "Pending"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.ACCEPTED, Status.PENDING)


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    WEB = "web", "Web"
    PORTAL = "portal", "Portal"
    FAX = "fax", "Fax"
    MONITORING = "monitoring", "Monitoring"
    API = "api", "API"


class PendingReason(models.TextChoices):
    CUSTOMER = "customer", "Waiting for customer"
    PART_SHIPPED = "part_shipped", "Part shipped, receipt not acknowledged"
    EXTERNAL = "external", "External support contacted"
    SCHEDULED = "scheduled", "Scheduled event"


class ResolutionCode(models.TextChoices):
    FIXED = "fixed", "Fixed"
    WORKAROUND = "workaround", "Workaround applied"
    CONFIGURATION = "configuration", "Configuration changed"
    HARDWARE = "hardware", "Hardware replaced"
    ADVICE = "advice", "Advice given"
    NO_FAULT = "no_fault", "No fault found"
    DUPLICATE = "duplicate", "Duplicate"
    WITHDRAWN = "withdrawn", "Withdrawn by customer"


PRIORITY_LABELS = {
    0: "0 – Natural disaster",
    1: "1 – Business units or sites",
    2: "2 – Workgroups or departments",
    3: "3 – One person",
    4: "4 – Request / negotiated",
}
PRIORITY_CHOICES = [(p, label) for p, label in PRIORITY_LABELS.items()]


class Clock(models.TextChoices):
    """The two service-level clocks of an incident."""

    RESPONSE = "response", "Response"  # time to Accepted
    RESOLUTION = "resolution", "Resolution"  # time to Completed


class ClockState(models.TextChoices):
    """How a clock moves; whether it met its target is ``<clock>_breached``."""

    NONE = "", "No SLA"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    STOPPED = "stopped", "Stopped"


class ClockEventKind(models.TextChoices):
    STARTED = "started", "Started"
    PAUSED = "paused", "Paused"
    RESUMED = "resumed", "Resumed"
    TARGET_CHANGED = "target_changed", "Target changed"
    WARNED = "warned", "Warned"
    BREACHED = "breached", "Breached"
    MET = "met", "Met"
