"""Forms of the pages where managers define CI classes (with their typed attributes) and relationship
types. They only parse: the definitions are checked by ``cmdb.attributes.clean_definitions`` through
``services.create_class`` / ``update_class``, the same code the API uses."""

from __future__ import annotations

from typing import Any

from django import forms

from opsdesk.cmdb.choices import AttributeType, ImpactDirection
from opsdesk.cmdb.forms import OUTDATED
from opsdesk.cmdb.models import CIClass, ClassTree
from opsdesk.core.views import StyledForm

ROW_FIELDS = ("name", "label", "type", "required", "choices", "help")


def indented_classes(tree: ClassTree, exclude: set[int] = frozenset()) -> list[tuple[int, str]]:
    """Classes as an indented tree (parents first), keyed by id."""
    rows: list[tuple[int, str]] = []

    def walk(parent_id, depth):
        children = sorted((c for c in tree.by_id.values() if c.parent_id == parent_id), key=lambda c: c.name)
        for child in children:
            if child.pk in exclude:
                continue
            rows.append((child.pk, "\u2003" * depth + child.name))
            walk(child.pk, depth + 1)

    walk(None, 0)
    return rows


class ClassForm(StyledForm):
    name = forms.CharField(label="Name", max_length=100)
    key = forms.SlugField(
        label="Key", max_length=50, help_text="Stable short name used by the API and imports"
    )
    parent = forms.TypedChoiceField(label="Parent class", required=False, coerce=int, empty_value=None)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(
        label="Active (new configuration items may use it)", required=False, initial=True
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=OUTDATED)

    def __init__(self, *args, tree: ClassTree, klass: CIClass | None = None, **kwargs):
        if klass is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": klass.name,
                    "key": klass.key,
                    "parent": klass.parent_id,
                    "description": klass.description,
                    "is_active": klass.is_active,
                    "version": klass.version,
                },
            )
        super().__init__(*args, **kwargs)
        # A class cannot sit below itself or below one of its subclasses: those are not offered.
        below = tree.descendants(klass.pk) if klass is not None else set()
        self.fields["parent"].choices = [("", "— none (a top-level class)"), *indented_classes(tree, below)]
        self.tree = tree

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        parent = self.tree.by_id.get(data["parent"]) if data["parent"] else None
        return {
            "name": data["name"],
            "key": data["key"],
            "parent": parent,
            "description": data["description"],
            "is_active": data["is_active"],
        }


class AttributeRowForm(StyledForm):
    """One attribute definition as a row: name, label, type, required, choices, help."""

    name = forms.CharField(label="Name", required=False, max_length=60)
    label = forms.CharField(label="Label", required=False, max_length=100)
    type = forms.ChoiceField(label="Type", required=False, choices=[("", "—"), *AttributeType.choices])
    required = forms.BooleanField(label="Required", required=False)
    choices = forms.CharField(
        label="Choices", required=False, max_length=2000, help_text="For a choice: separate with commas"
    )
    help = forms.CharField(label="Help text", required=False, max_length=300)

    WIDTHS = {"name": "10rem", "label": "11rem", "type": "10rem", "choices": "12rem", "help": "12rem"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, width in self.WIDTHS.items():
            self.fields[name].widget.attrs["style"] = f"min-width: {width}"

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(name) for name in ROW_FIELDS)

    def definition(self) -> dict[str, Any]:
        """The row as the definition the API takes; the checks are left to ``clean_definitions``."""
        data = self.cleaned_data
        item: dict[str, Any] = {
            "name": data["name"].strip(),
            "type": data["type"],
            "required": data["required"],
        }
        if data["label"].strip():
            item["label"] = data["label"].strip()
        choices = [c.strip() for c in data["choices"].split(",") if c.strip()]
        if choices or data["type"] == AttributeType.CHOICE:
            item["choices"] = choices
        if data["help"].strip():
            item["help"] = data["help"].strip()
        return item


class BaseAttributeRows(forms.BaseFormSet):
    def definitions(self) -> list[dict[str, Any]]:
        """The kept rows, in order (blank rows and rows marked for removal are left out)."""
        return [
            form.definition()
            for form in self.forms
            if form.cleaned_data and not form.is_blank() and not form.cleaned_data.get("DELETE")
        ]


AttributeRows = forms.formset_factory(
    AttributeRowForm, formset=BaseAttributeRows, extra=2, can_delete=True, max_num=100, validate_max=True
)


def definitions_initial(klass: CIClass | None) -> list[dict[str, Any]]:
    rows = []
    for item in (klass.attributes if klass is not None else None) or []:
        row = {name: item.get(name, "") for name in ROW_FIELDS}
        row["required"] = bool(item.get("required"))
        row["choices"] = ", ".join(item.get("choices") or [])
        rows.append(row)
    return rows


def attribute_rows(data=None, *, klass: CIClass | None = None, add_row: bool = False) -> BaseAttributeRows:
    """The formset of a class's own definitions; ``add_row`` gives one more blank row (no JavaScript)."""
    if data is not None and add_row:
        data = data.copy()
        data["attrs-TOTAL_FORMS"] = str(int(data.get("attrs-TOTAL_FORMS") or 0) + 1)
    return AttributeRows(
        data, prefix="attrs", initial=None if data is not None else definitions_initial(klass)
    )


class RelationshipTypeForm(StyledForm):
    forward_name = forms.CharField(
        label="Forward name", max_length=60, help_text="Read from the source: runs on"
    )
    reverse_name = forms.CharField(
        label="Reverse name",
        max_length=60,
        required=False,
        help_text="Read from the target: hosts (a symmetric type reads the same both ways)",
    )
    key = forms.SlugField(
        label="Key", max_length=50, help_text="Stable short name used by the API and imports"
    )
    symmetric = forms.BooleanField(label="Symmetric (connected to)", required=False)
    impact = forms.ChoiceField(label="Which end fails with the other", choices=ImpactDirection.choices)
    source_classes = forms.TypedMultipleChoiceField(
        label="Source classes",
        required=False,
        coerce=int,
        help_text="None chosen: any class. Subclasses of a chosen class are allowed too.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    target_classes = forms.TypedMultipleChoiceField(
        label="Target classes",
        required=False,
        coerce=int,
        help_text="None chosen: any class. Subclasses of a chosen class are allowed too.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, error_messages=OUTDATED)

    def __init__(self, *args, tree: ClassTree, kind=None, **kwargs):
        if kind is not None:
            kwargs.setdefault(
                "initial",
                {
                    "forward_name": kind.forward_name,
                    "reverse_name": kind.reverse_name,
                    "key": kind.key,
                    "symmetric": kind.symmetric,
                    "impact": kind.impact,
                    "source_classes": [c.pk for c in kind.source_classes.all()],
                    "target_classes": [c.pk for c in kind.target_classes.all()],
                    "description": kind.description,
                    "version": kind.version,
                },
            )
        super().__init__(*args, **kwargs)
        for name in ("source_classes", "target_classes"):
            self.fields[name].choices = indented_classes(tree)
        if kind is not None:
            # Relationships already recorded read one way or both: that does not change afterwards.
            for name in ("key", "symmetric"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed once the type exists (as in the API)."
        self.tree = tree

    def clean(self):
        data = super().clean()
        if not data.get("symmetric") and not (data.get("reverse_name") or "").strip():
            self.add_error("reverse_name", "Give the reverse name (or make the type symmetric).")
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in ("key", "forward_name", "reverse_name", "symmetric", "impact")}
        values["description"] = data["description"]
        if values["symmetric"]:
            values["reverse_name"] = values["forward_name"]
        for name in ("source_classes", "target_classes"):
            values[name] = [self.tree.by_id[pk] for pk in data[name]]
        return values
