"""The CI list page's filters and sort orders: one place that turns the filter form into a queryset,
used by the list and by its export (which keeps the filters).

The attribute filter is checked against the class definitions (``os=Linux``: some class in scope must
define ``os``, and the value must be of its type), so a typo gets a message rather than an empty list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from opsdesk.cmdb import attributes
from opsdesk.cmdb.choices import AttributeType, Criticality
from opsdesk.cmdb.models import CI, ClassTree

# sort key -> the column it orders by (ties broken by id)
SORTABLE = {
    "name": "name",
    "class": "ci_class__name",
    "status": "status",
    "organisation": "organisation__name",
    "criticality": "criticality_rank",
    "updated": "updated_at",
}
DEFAULT_SORT = "name"
# Most critical first when sorting ascending ("critical, high, medium, low" is not alphabetical).
CRITICALITY_RANK = Case(
    *[When(criticality=value, then=Value(rank)) for rank, value in enumerate(Criticality.values)],
    default=Value(len(Criticality.values)),
    output_field=IntegerField(),
)


@dataclass
class Column:
    label: str
    key: str | None
    first_desc: bool = False


COLUMNS = [
    Column("Name", "name"),
    Column("Class", "class"),
    Column("Status", "status"),
    Column("Criticality", "criticality"),
    Column("Environment", None),
    Column("Organisation", "organisation"),
    Column("Location", None),
    Column("Updated", "updated", first_desc=True),
]


def parse_sort(raw: str | None) -> str:
    """``name`` / ``-updated`` ...; raises ValidationError for anything else."""
    value = (raw or DEFAULT_SORT).strip()
    if value.lstrip("-") not in SORTABLE:
        raise ValidationError(f"Sort by one of: {', '.join(SORTABLE)} (with - for descending).")
    return value


def order_fields(sort: str) -> list[str]:
    desc = sort.startswith("-")
    column = SORTABLE[sort.lstrip("-")]
    return [f"-{column}" if desc else column, "-id" if desc else "id"]


def with_sort_columns(qs: QuerySet, sort: str) -> QuerySet:
    if sort.lstrip("-") == "criticality":
        qs = qs.annotate(criticality_rank=CRITICALITY_RANK)
    return qs


def headers(query, sort: str) -> list[dict[str, Any]]:
    """The table's column headers: a link that sorts by the column (again: the other way) and aria-sort."""
    current, current_desc = sort.lstrip("-"), sort.startswith("-")
    out = []
    for column in COLUMNS:
        header: dict[str, Any] = {"label": column.label, "url": None, "aria_sort": None}
        if column.key:
            if column.key == current:
                desc = not current_desc
                header["aria_sort"] = "descending" if current_desc else "ascending"
            else:
                desc = column.first_desc
            q = query.copy()
            q.pop("cursor", None)
            q["sort"] = f"-{column.key}" if desc else column.key
            header["url"] = f"?{q.urlencode()}"
        out.append(header)
    return out


def _scope_definitions(tree: ClassTree, class_ids: set[int] | None) -> dict[str, dict[str, Any]]:
    """Attribute definitions by name, of the classes in scope (and what they inherit)."""
    ids = class_ids if class_ids is not None else set(tree.by_id)
    found: dict[str, dict[str, Any]] = {}
    for pk in sorted(ids):
        for definition in tree.definitions(pk):
            found.setdefault(definition["name"], definition)
    return found


def attribute_condition(term: str, tree: ClassTree, class_ids: set[int] | None, class_name: str = "") -> Q:
    """``name=value`` (or ``name:value``) as a condition on the CIs' attributes; ValidationError with a
    message a user can act on when the name is unknown in scope or the value is not of its type."""
    name, value = _split(term)
    definitions = _scope_definitions(tree, class_ids)
    definition = definitions.get(name)
    if definition is None:
        where = f"{class_name} has" if class_name else "No class has"
        known = ", ".join(sorted(definitions)) or "none"
        if class_name:
            raise ValidationError(f"{where} no attribute '{name}' (its attributes: {known}).")
        raise ValidationError(f"{where} an attribute '{name}'.")
    kind, label = definition["type"], definition["label"]
    if kind == AttributeType.CHOICE:
        match = next((c for c in definition["choices"] if c.lower() == value.lower()), None)
        if match is None:
            raise ValidationError(f"{label} is one of: {', '.join(definition['choices'])}.")
        return Q(**{f"attributes__{name}": match})
    try:
        parsed = attributes.PARSERS[kind](value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValidationError(f"{label} must be {attributes.EXPECTED[kind]}.") from exc
    if kind == AttributeType.TEXT:
        return Q(**{f"attributes__{name}__iexact": parsed})
    return Q(**{f"attributes__{name}": parsed})


def _split(term: str) -> tuple[str, str]:
    term = term.strip()
    cut = min((i for i in (term.find("="), term.find(":")) if i > 0), default=-1)
    name, value = (term[:cut].strip(), term[cut + 1 :].strip()) if cut > 0 else ("", "")
    if not attributes.NAME.match(name) or not value:
        raise ValidationError(f"Write the attribute filter as name=value (e.g. os=Linux), not '{term[:60]}'.")
    return name, value


def filter_cis(user, data: dict[str, Any], tree: ClassTree) -> QuerySet:
    """The CIs ``user`` sees, narrowed by the cleaned filter form ``data``."""
    qs = CI.objects.restrict(user).select_related("ci_class", "organisation", "location")
    if data.get("ci_class"):
        qs = qs.filter(ci_class_id__in=data["ci_class_ids"])
    for name in ("status", "environment", "criticality"):
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    if data.get("organisation") is not None:
        qs = qs.filter(organisation=data["organisation"])
    if data.get("location", "").strip():
        qs = qs.filter(location__name__icontains=data["location"].strip())
    if data.get("vendor", "").strip():
        qs = qs.filter(vendor__icontains=data["vendor"].strip())
    if data.get("attribute_condition") is not None:
        qs = qs.filter(data["attribute_condition"])
    return qs.search(data.get("q") or "")
