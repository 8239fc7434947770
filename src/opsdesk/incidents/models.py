"""Incident records, their categories, the priority matrix, and the timeline (comments, attachments,
status changes)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from opsdesk.accounts.models import Organisation, Person, Workgroup
from opsdesk.catalogue.models import Service
from opsdesk.core.models import OpsdeskModel
from opsdesk.incidents.choices import (
    PRIORITY_CHOICES,
    Channel,
    Clock,
    ClockEventKind,
    ClockState,
    Impact,
    PendingReason,
    ResolutionCode,
    Status,
    Urgency,
)
from opsdesk.incidents.querysets import CommentQuerySet, IncidentQuerySet

NUMBER_PREFIX = "INC-"
# The sort key of an incident without a running clock: after every real due time.
NEVER_DUE = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
CLOCK_FIELDS = tuple(
    f"{clock}_{name}"
    for clock in Clock.values
    for name in ("state", "due_at", "target_minutes", "warn_at", "breached", "warned", "used_seconds")
) + ("next_due_at", "next_warn_at")


def format_number(pk: int) -> str:
    return f"{NUMBER_PREFIX}{pk:06d}"


def parse_number(value: str) -> int | None:
    """``INC-000042``, ``inc-42`` or ``42`` -> 42; anything else -> None."""
    text = str(value).strip().upper().removeprefix(NUMBER_PREFIX)
    return int(text) if text.isdigit() and len(text) < 18 else None


class Category(OpsdeskModel):
    """Admin-managed category list; a category with a parent is a subcategory."""

    name = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subcategories"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["parent__name", "name"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name")]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name

    def clean(self):
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": "Subcategories cannot have subcategories of their own."})


class PriorityRule(models.Model):
    """One cell of the priority matrix; seeded with the manual's defaults, editable by administrators."""

    impact = models.CharField(max_length=16, choices=Impact.choices)
    urgency = models.CharField(max_length=16, choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(choices=PRIORITY_CHOICES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["impact", "urgency"], name="priority_rule_unique")]
        ordering = ["impact", "urgency"]

    def __str__(self) -> str:
        return f"{self.impact} x {self.urgency} -> P{self.priority}"


class Incident(OpsdeskModel):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="incidents")
    requester = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="incidents")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PHONE)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    subcategory = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="sub_incidents"
    )
    impact = models.CharField(max_length=16, choices=Impact.choices, default=Impact.LOW)
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    priority = models.PositiveSmallIntegerField(choices=PRIORITY_CHOICES, default=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    workgroup = models.ForeignKey(
        Workgroup, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_incidents",
    )
    pending_reason = models.CharField(max_length=16, choices=PendingReason.choices, blank=True)
    resolution_code = models.CharField(max_length=16, choices=ResolutionCode.choices, blank=True)
    resolution_notes = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    assigned_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="Major incident this one is a child of",
    )
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        help_text="The affected service (one the organisation subscribes to)",
    )
    cis = models.ManyToManyField(
        "cmdb.CI",
        blank=True,
        related_name="incidents",
        verbose_name="affected configuration items",
        help_text="CIs of the organisation (or the provider's shared ones); set through incidents.services",
    )

    # --- service-level clocks (written only by incidents.clocks; the events explain every change) ---
    sla = models.ForeignKey(
        "sla.Sla", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    response_state = models.CharField(max_length=8, choices=ClockState.choices, blank=True, default="")
    response_due_at = models.DateTimeField(null=True, blank=True)
    response_target_minutes = models.PositiveIntegerField(null=True, blank=True)
    response_warn_at = models.DateTimeField(null=True, blank=True, help_text="First warning threshold")
    response_breached = models.BooleanField(default=False)
    response_warned = models.PositiveSmallIntegerField(
        default=0, help_text="Highest warning threshold (percent) already notified"
    )
    response_used_seconds = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Business time counted at the last clock change (final once stopped)"
    )
    resolution_state = models.CharField(max_length=8, choices=ClockState.choices, blank=True, default="")
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolution_target_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, help_text="First warning threshold")
    resolution_breached = models.BooleanField(default=False)
    resolution_warned = models.PositiveSmallIntegerField(
        default=0, help_text="Highest warning threshold (percent) already notified"
    )
    resolution_used_seconds = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Business time counted at the last clock change (final once stopped)"
    )
    # The earliest due time / first-threshold time of the running clocks: the queue's "due soonest" sort
    # and its "at risk" / "breached" filters. NEVER_DUE (not NULL) when no clock runs, so it sorts last.
    next_due_at = models.DateTimeField(default=NEVER_DUE)
    next_warn_at = models.DateTimeField(null=True, blank=True)

    objects = IncidentQuerySet.as_manager()
    tenant_path = "organisation"
    audit_exclude = ("created_at", "updated_at", "version", *CLOCK_FIELDS)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # Same direction as the queue's tie-breaker (IncidentFilter.order_fields): one b-tree serves
            # "status, id" forwards and "-status, -id" backwards, so sorted pages are index scans.
            models.Index(fields=["status", "id"], name="inc_status_idx"),
            models.Index(fields=["organisation", "-id"], name="inc_org_idx"),
            models.Index(fields=["workgroup", "status"], name="inc_wg_status_idx"),
            models.Index(fields=["owner", "status"], name="inc_owner_status_idx"),
            models.Index(fields=["priority", "id"], name="inc_priority_idx"),
            models.Index(fields=["requester", "-id"], name="inc_requester_idx"),
            models.Index(fields=["opened_at"], name="inc_opened_idx"),
            models.Index(fields=["channel", "-id"], name="inc_channel_idx"),
            models.Index(fields=["category", "-id"], name="inc_category_idx"),
            models.Index(fields=["service", "-id"], name="inc_service_idx"),
            models.Index(fields=["next_due_at", "id"], name="inc_next_due_idx"),
            models.Index(fields=["next_warn_at"], name="inc_next_warn_idx"),
            models.Index(fields=["response_due_at"], name="inc_response_due_idx"),
            models.Index(fields=["resolution_due_at"], name="inc_resolution_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        return format_number(self.pk) if self.pk else "INC-(new)"

    def get_absolute_url(self) -> str:
        return f"/incidents/{self.number}/"

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.COMPLETED, Status.CLOSED)

    @classmethod
    def restrict_extra(cls, qs, user):
        # A customer user sees the incidents they requested; a customer manager the whole organisation's.
        if user.role == "customer":
            return qs.filter(requester_id=user.person_id) if user.person_id else qs.none()
        return qs


class Comment(OpsdeskModel):
    """A public reply (the customer sees it) or an internal work note (the customer never does)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    is_public = models.BooleanField(default=True)

    objects = CommentQuerySet.as_manager()
    tenant_path = "incident__organisation"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["incident", "created_at"], name="comment_incident_idx")]

    def __str__(self) -> str:
        return f"{'Reply' if self.is_public else 'Work note'} on incident {self.incident_id}"

    @classmethod
    def restrict_extra(cls, qs, user):
        if user.is_customer:
            qs = qs.filter(is_public=True, incident__in=Incident.objects.restrict(user))
        return qs


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.incident_id}/{instance.sha256[:16]}"


class Attachment(OpsdeskModel):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    is_public = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    tenant_path = "incident__organisation"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename

    @classmethod
    def restrict_extra(cls, qs, user):
        if user.is_customer:
            qs = qs.filter(is_public=True, incident__in=Incident.objects.restrict(user))
        return qs


class StatusChange(models.Model):
    """One row per lifecycle transition: the timeline's status entries and the stage metrics' source."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="status_changes")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=16)
    note = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at"], name="statuschange_incident_idx")]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} -> {self.to_status}"


class ClockEvent(models.Model):
    """One change of a service-level clock: the SLA timeline that explains a due time or a breach."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="clock_events")
    clock = models.CharField(max_length=12, choices=Clock.choices)
    kind = models.CharField(max_length=16, choices=ClockEventKind.choices)
    at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True, help_text="The due time after this event")
    target_minutes = models.PositiveIntegerField(null=True, blank=True)
    used_seconds = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Business time counted up to this event"
    )
    reason = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["incident", "at"], name="clockevent_incident_idx")]

    def __str__(self) -> str:
        return f"{self.get_clock_display()} clock {self.kind} at {self.at:%Y-%m-%d %H:%M}"


class SavedView(OpsdeskModel):
    """A named incident-queue filter an agent saved for themselves (the query string of the queue page)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_incident_views"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="savedview_unique_name")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def restrict_extra(cls, qs, user):
        # Saved views are personal: everyone sees only their own.
        return qs.filter(user=user)
