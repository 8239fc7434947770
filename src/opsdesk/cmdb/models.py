"""Configuration items: classes (a hierarchy with typed attribute definitions), CIs, relationship types
and relationships. Validation of attribute values lives in ``cmdb.attributes``; writes in ``services``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from opsdesk.accounts.models import Organisation
from opsdesk.catalogue.models import Service
from opsdesk.cmdb import attributes, references, workflow
from opsdesk.cmdb.choices import FINAL_STATUSES, CIStatus, Criticality, Environment, ImpactDirection
from opsdesk.core.errors import IllegalTransition
from opsdesk.core.models import OpsdeskModel
from opsdesk.core.tenancy import RestrictedQuerySet

SERVICE_CLASS = "service"
LOCATION_CLASS = "location"


class CIClass(OpsdeskModel):
    """A kind of CI (Server, Router, ...). Provider-wide configuration, readable by every user."""

    name = models.CharField(max_length=100, unique=True)
    key = models.SlugField(max_length=50, unique=True, help_text="Stable short name, e.g. server")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=list, blank=True, help_text="This class's own definitions")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "CI class"
        verbose_name_plural = "CI classes"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        tree = ClassTree.load()
        if self.pk:
            tree.by_id[self.pk] = self
        if self.parent_id and self.pk and self.parent_id in tree.descendants(self.pk):
            raise ValidationError({"parent": ["A class cannot sit below itself or one of its subclasses."]})
        inherited = tree.inherited_names(self.pk) if self.pk else set()
        if not self.pk and self.parent_id:
            inherited = {d["name"] for d in tree.definitions(self.parent_id)}
        below = tree.names_below(self.pk) if self.pk else set()
        self.attributes = attributes.clean_definitions(self.attributes, inherited | below)


@dataclass
class ClassTree:
    """Every class in memory (there are dozens, not thousands): ancestry, descendants, inherited
    attribute definitions. One query; build one per request or per validation."""

    by_id: dict[int, CIClass] = field(default_factory=dict)

    @classmethod
    def load(cls) -> ClassTree:
        return cls({c.pk: c for c in CIClass.objects.all()})

    def lineage(self, class_id: int) -> list[CIClass]:
        """The class and its ancestors, root first."""
        chain: list[CIClass] = []
        seen: set[int] = set()
        current = self.by_id.get(class_id)
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            chain.append(current)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return list(reversed(chain))

    def is_a(self, class_id: int, key: str) -> bool:
        return any(c.key == key for c in self.lineage(class_id))

    def descendants(self, class_id: int) -> set[int]:
        """The class itself and every class below it."""
        found = {class_id}
        changed = True
        while changed:
            changed = False
            for c in self.by_id.values():
                if c.parent_id in found and c.pk not in found:
                    found.add(c.pk)
                    changed = True
        return found

    def definitions(self, class_id: int) -> list[dict[str, Any]]:
        """Inherited definitions first, then the class's own."""
        return [d for c in self.lineage(class_id) for d in (c.attributes or [])]

    def inherited_names(self, class_id: int) -> set[str]:
        return {d["name"] for c in self.lineage(class_id)[:-1] for d in (c.attributes or [])}

    def names_below(self, class_id: int) -> set[str]:
        """Attribute names defined by strict descendants (a parent may not take them over)."""
        below = self.descendants(class_id) - {class_id}
        return {d["name"] for pk in below for d in (self.by_id[pk].attributes or [])}


class CIQuerySet(RestrictedQuerySet):
    def search(self, text: str) -> CIQuerySet:
        """CIs whose name contains ``text``, or whose serial number, asset tag or external id is ``text``
        (any case; PostgreSQL serves all four from the trigram index of migration 0003)."""
        term = text.strip()
        if not term:
            return self
        return self.filter(
            Q(name__icontains=term)
            | Q(serial_number__iexact=term)
            | Q(asset_tag__iexact=term)
            | Q(external_id__iexact=term)
        )


class CI(OpsdeskModel):
    """A configuration item owned by an organisation (a customer, or the provider for shared kit)."""

    objects = CIQuerySet.as_manager()

    name = models.CharField(max_length=200)
    ci_class = models.ForeignKey(CIClass, on_delete=models.PROTECT, related_name="cis", verbose_name="class")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cis")
    status = models.CharField(max_length=16, choices=CIStatus.choices, default=CIStatus.INSTALLED)
    environment = models.CharField(max_length=16, choices=Environment.choices, default=Environment.PRODUCTION)
    criticality = models.CharField(max_length=16, choices=Criticality.choices, default=Criticality.MEDIUM)
    location = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A CI of the Location class",
    )
    vendor = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    serial_number = models.CharField(max_length=100, blank=True)
    asset_tag = models.CharField(max_length=100, blank=True)
    # ``version`` is the record's optimistic-locking counter (OpsdeskModel), hence this name.
    software_version = models.CharField("version", max_length=100, blank=True)
    external_id = models.CharField(
        max_length=200, blank=True, help_text="The id in another system (inventory, discovery)"
    )
    notes = models.TextField(blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cis",
        help_text="For CIs of the Service class: the catalogue service it stands for",
    )

    tenant_path = "organisation"

    class Meta:
        verbose_name = "configuration item"
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="ci_name_idx"),
            models.Index(fields=["organisation", "ci_class", "status"], name="ci_org_class_idx"),
            models.Index(fields=["ci_class", "name"], name="ci_class_name_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~Q(external_id=""),
                name="ci_unique_external_id",
            ),
            models.UniqueConstraint(
                fields=["service"],
                condition=Q(service__isnull=False),
                name="ci_one_per_service",
                violation_error_message="Another configuration item already stands for this service.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/cmdb/{self.pk}/"

    @staticmethod
    def check_start_status(status: str | None) -> None:
        """A new CI starts in one of ``workflow.START_STATUSES`` (never retired or disposed)."""
        if status is not None and status in CIStatus.values and status not in workflow.START_STATUSES:
            allowed = ", ".join(workflow.START_STATUSES)
            message = f"A new configuration item cannot start {status}; it starts as one of: {allowed}."
            raise ValidationError({"status": [message]})

    def check_editable(self) -> None:
        """A disposed CI takes no further changes."""
        if self.status in FINAL_STATUSES:
            raise IllegalTransition("edit", self.status, [])

    def check_status_change(self, target: str | None) -> None:
        """A status change follows ``workflow.CI_WORKFLOW`` (IllegalTransition, 409, names the allowed)."""
        if target is not None:
            workflow.check_status_change(self.status, target)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if not self.ci_class_id:
            return
        # An import checking many CIs gives the class tree and the classes of the CIs named (references,
        # location), read once for the whole file.
        tree = getattr(self, "_class_tree", None) or ClassTree.load()
        class_of = getattr(self, "_class_of", None) or references.class_lookup(self.organisation_id)
        klass = tree.by_id.get(self.ci_class_id)
        if klass is None:
            return
        try:
            self.attributes = attributes.clean_values(
                tree.definitions(self.ci_class_id),
                self.attributes,
                class_name=klass.name,
                ci_exists=lambda pk: class_of(pk) is not None,
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if self.service_id and not tree.is_a(self.ci_class_id, SERVICE_CLASS):
            errors["service"] = ["Only a CI of the Service class stands for a catalogue service."]
        elif self.service_id and CI.objects.filter(service_id=self.service_id).exclude(pk=self.pk).exists():
            errors["service"] = ["Another configuration item already stands for this service."]
        if self.location_id:
            if self.pk and self.location_id == self.pk:
                errors["location"] = ["A CI cannot be its own location."]
            else:
                place = class_of(self.location_id)
                if place is None or not tree.is_a(place, LOCATION_CLASS):
                    errors["location"] = ["The location must be a CI of the Location class."]
        if errors:
            raise ValidationError(errors)


TEXT_FIELDS = ("vendor", "model", "serial_number", "asset_tag", "software_version", "external_id", "notes")


def normalise_ci_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Given CI fields as stored: empty text rather than None, the name trimmed, no attributes as {}."""
    fields = dict(fields)
    for name in TEXT_FIELDS:
        if name in fields and fields[name] is None:
            fields[name] = ""
    if "name" in fields and isinstance(fields["name"], str):
        fields["name"] = fields["name"].strip()
    if "attributes" in fields and fields["attributes"] is None:
        fields["attributes"] = {}
    return fields


class RelationshipType(OpsdeskModel):
    """``runs on`` / ``hosts``: how two CIs relate, which classes it may join, which way failure flows."""

    key = models.SlugField(max_length=50, unique=True)
    forward_name = models.CharField(max_length=60, unique=True, help_text="Read from the source: runs on")
    reverse_name = models.CharField(max_length=60, help_text="Read from the target: hosts")
    symmetric = models.BooleanField(default=False, help_text="Reads the same both ways (connected to)")
    impact = models.CharField(
        max_length=16, choices=ImpactDirection.choices, default=ImpactDirection.SOURCE_DEPENDS
    )
    source_classes = models.ManyToManyField(
        CIClass, blank=True, related_name="+", help_text="Empty: any class (subclasses included)"
    )
    target_classes = models.ManyToManyField(
        CIClass, blank=True, related_name="+", help_text="Empty: any class (subclasses included)"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["forward_name"]

    def __str__(self) -> str:
        return self.forward_name


class Relationship(OpsdeskModel):
    """``source`` <forward name> ``target``. Relationships of one dependent CI that share a
    ``redundancy_group`` are alternatives: the dependent fails only when all of them have failed."""

    source = models.ForeignKey(CI, on_delete=models.CASCADE, related_name="outgoing")
    type = models.ForeignKey(RelationshipType, on_delete=models.PROTECT, related_name="relationships")
    target = models.ForeignKey(CI, on_delete=models.CASCADE, related_name="incoming")
    redundancy_group = models.CharField(
        max_length=50,
        blank=True,
        help_text="Same group name on several relationships of one CI: any one of them is enough",
    )
    notes = models.CharField(max_length=200, blank=True)

    tenant_path = "source__organisation"

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "type", "target"], name="relationship_unique"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="relationship_no_self"),
        ]
        indexes = [
            models.Index(fields=["target", "type"], name="relationship_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.type} {self.target}"

    def clean(self) -> None:
        if not (self.source_id and self.target_id and self.type_id):
            return
        if self.source_id == self.target_id:
            raise ValidationError({"target": ["A CI cannot be related to itself."]})
        kind = self.type
        # An import checking many relationships gives the class tree and the relationships already there
        # (``_existing``: {(source id, type id, target id): pk}), read once for the whole file.
        tree = getattr(self, "_class_tree", None) or ClassTree.load()
        errors: dict[str, list[str]] = {}
        for end, ci, allowed in (
            ("source", self.source, kind.source_classes.all()),
            ("target", self.target, kind.target_classes.all()),
        ):
            allowed_ids = {c.pk for c in allowed}
            if allowed_ids and not any(c.pk in allowed_ids for c in tree.lineage(ci.ci_class_id)):
                names = ", ".join(sorted(c.name for c in allowed))
                errors[end] = [
                    f"'{kind.forward_name}' needs a {end} of class {names}; {ci} is a {ci.ci_class}."
                ]
        if errors:
            raise ValidationError(errors)
        if self._already_related(kind.symmetric):
            raise ValidationError({"target": [f"{self.source} already {kind.forward_name} {self.target}."]})

    def _already_related(self, symmetric: bool) -> bool:
        """Whether another relationship of this type joins the two CIs (either way round if symmetric)."""
        pairs = [(self.source_id, self.target_id)]
        if symmetric:
            pairs.append((self.target_id, self.source_id))
        existing = getattr(self, "_existing", None)
        if existing is not None:
            return any(existing.get((s, self.type_id, t), self.pk) != self.pk for s, t in pairs)
        same = Relationship.objects.filter(type_id=self.type_id).exclude(pk=self.pk)
        return any(same.filter(source_id=s, target_id=t).exists() for s, t in pairs)

    @property
    def redundant(self) -> bool:
        return bool(self.redundancy_group)

    @classmethod
    def restrict_extra(cls, qs, user):
        # Both ends must be visible: a customer never learns the names of another tenant's CIs.
        scope = user.organisation_scope()
        return qs if scope is None else qs.filter(target__organisation_id__in=list(scope))
