"""Forms of the CMDB pages. They parse input; attribute values are checked by ``cmdb.attributes`` (through
the services), whose errors are mapped back onto the attribute's field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from opsdesk.accounts.models import Organisation
from opsdesk.catalogue.models import Service
from opsdesk.cmdb import listing, workflow
from opsdesk.cmdb.choices import AttributeType, CIStatus, Criticality, Environment
from opsdesk.cmdb.models import CI, LOCATION_CLASS, SERVICE_CLASS, ClassTree, RelationshipType
from opsdesk.core.views import StyledForm

OUTDATED = {"required": "This form is out of date; reload the page.", "invalid": "This form is out of date."}
PREFIX = "attr_"


def class_choices(tree: ClassTree) -> list[tuple[str, str]]:
    """Classes as an indented tree (parents before their children), keyed by class key."""
    rows: list[tuple[str, str]] = []

    def walk(parent_id, depth):
        children = sorted((c for c in tree.by_id.values() if c.parent_id == parent_id), key=lambda c: c.name)
        for child in children:
            rows.append((child.key, "\u2003" * depth + child.name))
            walk(child.pk, depth + 1)

    walk(None, 0)
    return rows


class CIFilterForm(StyledForm):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, serial number, asset tag"}),
    )
    ci_class = forms.ChoiceField(label="Class", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any"), *CIStatus.choices])
    environment = forms.ChoiceField(
        label="Environment", required=False, choices=[("", "Any"), *Environment.choices]
    )
    organisation = forms.ModelChoiceField(
        label="Organisation", required=False, queryset=Organisation.objects.none(), empty_label="Any"
    )
    criticality = forms.ChoiceField(
        label="Criticality", required=False, choices=[("", "Any"), *Criticality.choices]
    )
    location = forms.CharField(
        label="Location", required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )
    vendor = forms.CharField(
        label="Vendor", required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )
    attribute = forms.CharField(
        label="Attribute",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "os=Linux"}),
        help_text="name=value, e.g. ram_gb=64",
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, tree: ClassTree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ci_class"].choices = [("", "Any"), *class_choices(tree)]
        self.fields["organisation"].queryset = Organisation.objects.restrict(user)
        self.tree = tree

    def clean_sort(self) -> str:
        return listing.parse_sort(self.cleaned_data.get("sort"))

    def clean(self):
        data = super().clean()
        tree, class_ids, class_name = self.tree, None, ""
        if data.get("ci_class"):
            match = next(c for c in tree.by_id.values() if c.key == data["ci_class"])
            class_ids, class_name = tree.descendants(match.pk), match.name
            data["ci_class_ids"] = class_ids
        data["attribute_condition"] = None
        if (data.get("attribute") or "").strip():
            try:
                data["attribute_condition"] = listing.attribute_condition(
                    data["attribute"], tree, class_ids, class_name
                )
            except ValidationError as exc:
                self.add_error("attribute", exc)
        return data


class ImportForm(StyledForm):
    RELATIONSHIPS = "relationships"

    file = forms.FileField(label="File (CSV or JSON)", help_text="The first line names the columns.")
    what = forms.ChoiceField(label="Class", help_text="The class of every row, or relationships")
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        required=False,
        help_text="Owner of the CIs (required for CIs; for relationships, where ends are looked up first)",
    )
    dry_run = forms.BooleanField(label="Dry run: check and report, change nothing", required=False)
    partial = forms.BooleanField(
        label="Import the valid rows and give me the rejected ones as a file", required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        tree = ClassTree.load()
        active = {c.key for c in tree.by_id.values() if c.is_active}
        classes = [(k, label) for k, label in class_choices(tree) if k in active]
        self.fields["what"].choices = [*classes, (self.RELATIONSHIPS, "Relationships")]
        self.fields["organisation"].queryset = Organisation.objects.restrict(user)

    def clean(self):
        data = super().clean()
        if data.get("what") != self.RELATIONSHIPS and not data.get("organisation"):
            self.add_error("organisation", "Choose the organisation that owns the imported items.")
        return data


def attribute_field(definition: dict[str, Any]) -> forms.Field:
    kind, label = definition["type"], definition["label"]
    common: dict[str, Any] = {"label": label, "required": False, "help_text": definition.get("help", "")}
    if kind == AttributeType.BOOLEAN:
        # Not a checkbox: "not recorded" and "no" are different answers.
        return forms.ChoiceField(choices=[("", "—"), ("true", "Yes"), ("false", "No")], **common)
    if kind == AttributeType.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in definition["choices"]]], **common)
    if kind == AttributeType.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == AttributeType.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if kind == AttributeType.CI:
        common["help_text"] = common["help_text"] or "The number of a configuration item"
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common)
    if kind == AttributeType.IP_ADDRESS:
        common["help_text"] = common["help_text"] or "IPv4 or IPv6, e.g. 10.0.0.5"
    return forms.CharField(max_length=1000, **common)


def status_choices(ci: CI | None) -> list[tuple[str, str]]:
    """What the status may be set to, in the order of the status list: a new CI's start statuses, else the
    CI's own status and those the workflow leads to from it (the services refuse any other)."""
    if ci is None:
        offered = set(workflow.START_STATUSES)
    else:
        offered = {ci.status, *workflow.next_statuses(ci.status)}
    return [(value, label) for value, label in CIStatus.choices if value in offered]


class CIForm(StyledForm):
    name = forms.CharField(label="Name", max_length=200)
    organisation = forms.ModelChoiceField(label="Organisation", queryset=Organisation.objects.none())
    status = forms.ChoiceField(label="Status", choices=CIStatus.choices, initial=CIStatus.INSTALLED)
    environment = forms.ChoiceField(label="Environment", choices=Environment.choices)
    criticality = forms.ChoiceField(
        label="Criticality", choices=Criticality.choices, initial=Criticality.MEDIUM
    )
    location = forms.ModelChoiceField(
        label="Location", required=False, queryset=CI.objects.none(), empty_label="—"
    )
    vendor = forms.CharField(label="Vendor", required=False, max_length=100)
    model = forms.CharField(label="Model", required=False, max_length=100)
    serial_number = forms.CharField(label="Serial number", required=False, max_length=100)
    asset_tag = forms.CharField(label="Asset tag", required=False, max_length=100)
    software_version = forms.CharField(label="Version", required=False, max_length=100)
    external_id = forms.CharField(
        label="External id", required=False, max_length=200, help_text="Its id in another system"
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    service = forms.ModelChoiceField(
        label="Catalogue service", required=False, queryset=Service.objects.none(), empty_label="—"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=OUTDATED)

    COMMON = (
        "name",
        "organisation",
        "status",
        "environment",
        "criticality",
        "location",
        "vendor",
        "model",
        "serial_number",
        "asset_tag",
        "software_version",
        "external_id",
        "notes",
        "service",
    )

    def __init__(self, *args, user=None, ci_class, tree: ClassTree, ci: CI | None = None, **kwargs):
        self.definitions = tree.definitions(ci_class.pk)
        if ci is not None and "initial" not in kwargs:
            initial = {name: getattr(ci, name) for name in self.COMMON}
            initial.update(organisation=ci.organisation_id, location=ci.location_id, service=ci.service_id)
            initial["version"] = ci.version
            for key, value in (ci.attributes or {}).items():
                initial[PREFIX + key] = ("true" if value else "false") if isinstance(value, bool) else value
            kwargs["initial"] = initial
        # Attribute fields go in before styling, so they get Tabler's classes too.
        self.base_fields = {**self.base_fields}
        for definition in self.definitions:
            self.base_fields[PREFIX + definition["name"]] = attribute_field(definition)
        super().__init__(*args, **kwargs)
        self.ci = ci
        self.fields["organisation"].queryset = Organisation.objects.restrict(user).filter(is_active=True)
        locations = tree.descendants(next(c.pk for c in tree.by_id.values() if c.key == LOCATION_CLASS))
        self.fields["location"].queryset = CI.objects.restrict(user).filter(ci_class_id__in=locations)
        if tree.is_a(ci_class.pk, SERVICE_CLASS):
            self.fields["service"].queryset = Service.objects.restrict(user)
        else:
            del self.fields["service"]
        self.fields["status"].choices = status_choices(ci)
        if ci is None:
            del self.fields["version"]
        else:
            self.fields["version"].required = True

    @property
    def attribute_fields(self):
        return [self[PREFIX + d["name"]] for d in self.definitions]

    @property
    def common_fields(self):
        return [self[name] for name in self.COMMON if name in self.fields]

    def values(self) -> dict[str, Any]:
        """The CI's fields and its attributes (raw; the services check them against the class)."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.COMMON if name in self.fields}
        fields["attributes"] = {
            d["name"]: data.get(PREFIX + d["name"])
            for d in self.definitions
            if data.get(PREFIX + d["name"]) not in (None, "")
        }
        return fields

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if getattr(self.ci, k) != v}


def attribute_errors_to_fields(exc: ValidationError) -> ValidationError:
    """``attributes.ram_gb`` (the services' name) -> ``attr_ram_gb`` (the form field)."""
    if not hasattr(exc, "error_dict"):
        return exc
    mapped = {
        (PREFIX + key.removeprefix("attributes.") if key.startswith("attributes.") else key): messages
        for key, messages in exc.message_dict.items()
    }
    return ValidationError(mapped)


def relationship_choices() -> list[tuple[str, str]]:
    """Each type once per direction, as read from this CI: ``runs-on:out`` runs on, ``runs-on:in`` hosts."""
    choices = []
    for kind in RelationshipType.objects.order_by("forward_name"):
        choices.append((f"{kind.key}:out", kind.forward_name))
        if not kind.symmetric:
            choices.append((f"{kind.key}:in", kind.reverse_name))
    return sorted(choices, key=lambda c: c[1])


class RelationshipForm(StyledForm):
    relation = forms.ChoiceField(label="Relationship")
    other = forms.CharField(
        label="Other CI",
        max_length=200,
        help_text="Its name or number",
        widget=forms.TextInput(attrs={"list": "ci-names"}),
    )
    redundancy_group = forms.CharField(
        label="Redundancy group",
        required=False,
        max_length=50,
        help_text="Give relationships of one CI the same group when any one of them is enough (two uplinks).",
    )

    def __init__(self, *args, user=None, ci: CI, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.ci = user, ci
        self.fields["relation"].choices = relationship_choices()

    def clean_other(self) -> CI:
        value = self.cleaned_data["other"].strip()
        visible = CI.objects.restrict(self.user).exclude(pk=self.ci.pk)
        query = Q(pk=int(value)) if value.isdigit() else Q(name__iexact=value)
        found = list(visible.filter(query)[:2])
        if not found and value.isdigit():
            found = list(visible.filter(name__iexact=value)[:2])
        if not found:
            raise ValidationError(f"There is no configuration item “{value}”.")
        if len(found) > 1:
            raise ValidationError(f"Several configuration items are called “{value}”; give its number.")
        return found[0]

    def clean_relation(self) -> tuple[RelationshipType, bool]:
        key, _, direction = self.cleaned_data["relation"].partition(":")
        kind = RelationshipType.objects.filter(key=key).first()
        if kind is None:
            raise ValidationError("Choose a relationship.")
        return kind, direction == "out"
