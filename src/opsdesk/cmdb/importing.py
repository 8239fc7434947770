"""Checking the CI rows of an import file against the database in bulk; ``services.import_cis`` writes.

A file costs a handful of queries whatever its length: the CIs its rows may match (by external id, by
name), the CIs their reference attributes name, and the matched CIs (locked), each read in chunked ``IN``
queries. Every row is then checked in memory with the model's own ``full_clean`` and the same
normalisation as ``create_ci`` / ``update_ci``, so it is rejected for the same reasons with the same
messages as a form or API edit.

A row matches a CI that existed before the import: of the chosen class and organisation with the same
external id, else with the same name. A second row for the same item (the same matched CI, or the same
new external id, or without an external id the same new name) is rejected: the file gives each item once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from opsdesk.accounts.models import Organisation
from opsdesk.cmdb import attributes, references, transfer
from opsdesk.cmdb.choices import AttributeType
from opsdesk.cmdb.models import CI, CIClass, ClassTree, Relationship, RelationshipType, normalise_ci_fields
from opsdesk.core.audit import snapshot
from opsdesk.core.errors import IllegalTransition, PermissionDenied

CHUNK = 500  # ids or names per IN query
# Foreign keys the import never takes from the file (the class and organisation are chosen for the whole
# file, location and service are not import columns): not looked up again for every row.
FIXED_FIELDS = ("ci_class", "organisation", "location", "service")
UNIQUE_EXTERNAL_ID = next(c for c in CI._meta.constraints if c.name == "ci_unique_external_id")


@dataclass
class CIPlan:
    """What a valid file changes: new CIs (unsaved), changed CIs with their snapshot before the change."""

    create: list[CI] = field(default_factory=list)
    update: list[tuple[CI, dict[str, Any]]] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    fields: dict[str, Any]
    attrs: dict[str, Any]
    name: str
    external_id: str


def error_rejects(line: int, exc: ValidationError, values: dict[str, Any]) -> list[transfer.Reject]:
    found = []
    for key, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
        if key.startswith("attributes."):
            column = key.removeprefix("attributes.")
        else:
            column = "" if key == NON_FIELD_ERRORS else transfer.FIELD_COLUMNS.get(key, key)
        found.extend(transfer.Reject(line, column, message, values) for message in messages)
    return found


def header_rejects(header: list[str], allowed: Iterable[str], what: str) -> list[transfer.Reject]:
    allowed = set(allowed)
    return [
        transfer.Reject(1, column, f"{what} has no column or attribute '{column}'.")
        for column in header
        if column not in allowed
    ]


def extra_cells(row: transfer.Row) -> transfer.Reject | None:
    if "\0extra" not in row.values:
        return None
    extra = row.values.pop("\0extra")
    return transfer.Reject(row.line, "", f"{len(extra)} more cells than the header has columns.", row.values)


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _parse(row: transfer.Row) -> _Row:
    fields: dict[str, Any] = {}
    attrs: dict[str, Any] = {}
    for column, value in row.values.items():
        if column in transfer.IGNORED_COLUMNS:
            continue
        if column in transfer.COMMON_COLUMNS:
            fields[transfer.COMMON_COLUMNS[column]] = value.strip() if isinstance(value, str) else value
        else:
            attrs[column] = value
    for name in ("status", "environment", "criticality"):
        if name in fields and fields[name] in (None, ""):
            fields.pop(name)
    name = str(fields.get("name") or "").strip()
    external_id = str(fields.get("external_id") or "").strip()
    return _Row(row.line, row.values, fields, attrs, name, external_id)


class _Classes:
    """CI id -> class id of the CIs the organisation's CIs may refer to (None: no such CI, or another
    customer's: see ``cmdb.references``), read in bulk up front and cached: reference attributes and
    locations are checked without a query per row."""

    def __init__(self, organisation_id: int) -> None:
        self.targets = references.allowed_targets(organisation_id).order_by()
        self.known: dict[int, int | None] = {}

    def load(self, ids: Iterable[int]) -> None:
        wanted = {pk for pk in ids if pk not in self.known}
        for chunk in _chunks(wanted):
            self.known.update(dict.fromkeys(chunk))
            self.known.update(self.targets.filter(pk__in=chunk).values_list("pk", "ci_class_id"))

    def __call__(self, pk: int) -> int | None:
        if pk not in self.known:
            self.load([pk])
        return self.known[pk]


def _reference_ids(definitions: list[dict[str, Any]], values: Iterable[dict[str, Any]]) -> set[int]:
    """The CI ids named by the reference (``ci``) attributes among ``values`` (those that parse)."""
    names = [d["name"] for d in definitions if d["type"] == AttributeType.CI]
    found: set[int] = set()
    for attrs in values:
        for name in names:
            try:
                found.add(attributes.PARSERS[AttributeType.CI](attrs.get(name)))
            except (ValueError, TypeError):
                continue
    return found


class _Planner:
    def __init__(self, ci_class: CIClass, organisation: Organisation, tree: ClassTree) -> None:
        self.ci_class, self.organisation, self.tree = ci_class, organisation, tree
        self.definitions = tree.definitions(ci_class.pk)
        self.classes = _Classes(organisation.pk)
        self.plan = CIPlan()
        self.seen: dict[tuple[str, Any], int] = {}
        # External id -> the CI (pk) or new row (line) holding it, across the organisation's classes.
        self.holders: dict[str, Any] = {}
        self.by_external: dict[str, int] = {}  # of the import's class only
        self.by_name: dict[str, list[int]] = {}
        self.current: dict[int, CI] = {}

    def read(self, rows: list[_Row]) -> None:
        """The CIs the rows may be, then those they are (locked), then the CIs their references name."""
        org = CI.objects.filter(organisation=self.organisation).order_by()
        for chunk in _chunks({r.external_id for r in rows if r.external_id}):
            for pk, external_id, class_id in org.filter(external_id__in=chunk).values_list(
                "pk", "external_id", "ci_class_id"
            ):
                self.holders[external_id] = pk
                if class_id == self.ci_class.pk:
                    self.by_external[external_id] = pk
        mine = org.filter(ci_class=self.ci_class)
        for chunk in _chunks({r.name for r in rows if r.name}):
            for pk, name in mine.filter(name__in=chunk).values_list("pk", "name"):
                self.by_name.setdefault(name, []).append(pk)
        matched = {self._match(r)[0] for r in rows} - {None}
        for chunk in _chunks(sorted(matched)):
            self.current.update((ci.pk, ci) for ci in CI.objects.select_for_update().filter(pk__in=chunk))
        self.classes.load(
            _reference_ids(self.definitions, [r.attrs for r in rows])
            | _reference_ids(self.definitions, [ci.attributes or {} for ci in self.current.values()])
            | {ci.location_id for ci in self.current.values() if ci.location_id}
        )

    def _match(self, row: _Row) -> tuple[int | None, str]:
        """(pk of the existing CI the row is, or None; the reason it is ambiguous)."""
        pk = self.by_external.get(row.external_id) if row.external_id else None
        if pk is None and row.name:
            matches = self.by_name.get(row.name, [])
            if len(matches) > 1:
                return (
                    None,
                    f"{len(matches)} configuration items are called '{row.name}'; give the external id.",
                )
            pk = matches[0] if matches else None
        return pk, ""

    def check(self, row: _Row, report: transfer.ImportReport) -> list[transfer.Reject]:
        pk, ambiguous = self._match(row)
        if ambiguous:
            return [transfer.Reject(row.line, "name", ambiguous, row.values)]
        key = (
            ("pk", pk) if pk else ("external_id", row.external_id) if row.external_id else ("name", row.name)
        )
        if key in self.seen:
            column = "external_id" if key[0] == "external_id" else "name"
            return [
                transfer.Reject(
                    row.line, column, f"Line {self.seen[key]} already gives this item.", row.values
                )
            ]
        self.seen[key] = row.line
        try:
            if pk is None:
                self._create(row, report)
            else:
                self._update(self.current[pk], row, report)
        except ValidationError as exc:
            return error_rejects(row.line, exc, row.values)
        except IllegalTransition as exc:
            return [transfer.Reject(row.line, "status", str(exc), row.values)]
        return []

    def _validate(self, ci: CI) -> None:
        """``full_clean`` as ``core.crud`` runs it, with the lookups answered from what was read."""
        ci._class_tree = self.tree
        ci._class_of = self.classes
        errors: dict[str, Any] = {}
        try:
            ci.full_clean(exclude=FIXED_FIELDS, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        holder = self.holders.get(ci.external_id) if ci.external_id else None
        if "external_id" not in errors and holder is not None and holder != ci.pk:
            errors.setdefault(NON_FIELD_ERRORS, []).append(UNIQUE_EXTERNAL_ID.get_violation_error_message())
        if errors:
            raise ValidationError(errors)

    def _create(self, row: _Row, report: transfer.ImportReport) -> None:
        if not row.name:
            raise ValidationError({"name": ["A new configuration item needs a name."]})
        CI.check_start_status(row.fields.get("status"))
        fields = normalise_ci_fields({**row.fields, "attributes": row.attrs})
        ci = CI(ci_class=self.ci_class, organisation=self.organisation, **fields)
        self._validate(ci)
        if ci.external_id:
            self.holders[ci.external_id] = ("line", row.line)
        # A later row without an external id but with this name gives the same item again.
        self.seen.setdefault(("name", ci.name), row.line)
        self.plan.create.append(ci)
        report.created += 1

    def _update(self, ci: CI, row: _Row, report: transfer.ImportReport) -> None:
        fields = dict(row.fields)
        if not row.name:
            fields.pop("name", None)
        # Canonical values ("32" -> 32), so an unchanged row is seen as unchanged.
        canonical = attributes.clean_values(
            self.definitions,
            {**(ci.attributes or {}), **row.attrs},
            class_name=self.ci_class.name,
            ci_exists=lambda pk: self.classes(pk) is not None,
        )
        ci.check_editable()
        ci.check_status_change(fields.get("status"))
        changes = normalise_ci_fields({**fields, "attributes": canonical})
        changes = {k: v for k, v in changes.items() if getattr(ci, k) != v}
        before = snapshot(ci) if changes else {}
        for name, value in changes.items():
            setattr(ci, name, value)
        if changes:
            self._validate(ci)
        if not changes or snapshot(ci) == before:
            report.unchanged += 1
            return
        if "external_id" in changes:
            if self.holders.get(before["external_id"]) == ci.pk:
                del self.holders[before["external_id"]]
            if ci.external_id:
                self.holders[ci.external_id] = ci.pk
        ci.version += 1
        ci.updated_at = timezone.now()
        self.plan.update.append((ci, before))
        self.plan.changed_fields.update(changes)
        report.updated += 1


def plan_cis(
    rows: list[transfer.Row],
    report: transfer.ImportReport,
    *,
    ci_class: CIClass,
    organisation: Organisation,
    tree: ClassTree,
) -> CIPlan:
    """Check every row (rejects go to ``report``, in line order) and return what the valid ones change.
    Run inside the import's transaction: the matched CIs stay locked until it ends."""
    planner = _Planner(ci_class, organisation, tree)
    parsed: list[_Row | transfer.Reject] = [extra_cells(row) or _parse(row) for row in rows]
    planner.read([r for r in parsed if isinstance(r, _Row)])
    for item in parsed:
        if isinstance(item, transfer.Reject):
            report.rejects.append(item)
        else:
            report.rejects.extend(planner.check(item, report))
    return planner.plan


# --- relationships ----------------------------------------------------------------------------------------


@dataclass
class RelationshipPlan:
    """What a valid relationship file changes: new relationships (unsaved), changed ones with their
    snapshot before the change."""

    create: list[Relationship] = field(default_factory=list)
    update: list[tuple[Relationship, dict[str, Any]]] = field(default_factory=list)


class _Ends:
    """The CIs a file's rows name, by external id, else by name, among those the actor sees (the
    organisation's own first), read in chunked queries rather than twice per row."""

    def __init__(self, visible, rows: list[transfer.Row], organisation: Organisation | None) -> None:
        refs = {str(r.values.get(c) or "").strip() for r in rows for c in ("source", "target")} - {""}
        self.organisation = organisation
        self.found: dict[str, dict[str, list[CI]]] = {"external_id": {}, "name": {}}
        visible = visible.select_related("organisation", "ci_class").order_by("name", "id")
        for lookup, found in self.found.items():
            for chunk in _chunks(refs):
                for ci in visible.filter(**{f"{lookup}__in": chunk}):
                    found.setdefault(getattr(ci, lookup), []).append(ci)

    def find(self, ref: Any) -> tuple[CI | None, str]:
        ref = str(ref or "").strip()
        if not ref:
            return None, "Give the external id or name of a configuration item."
        for found in self.found.values():
            matches = found.get(ref, [])
            if self.organisation is not None and len(matches) > 1:
                own = [ci for ci in matches if ci.organisation_id == self.organisation.pk]
                matches = own or matches
            if len(matches) == 1:
                return matches[0], ""
            if matches:
                return None, f"Several configuration items match '{ref}'; give the external id."
        return None, f"No configuration item has the external id or name '{ref}'."


def plan_relationships(
    rows: list[transfer.Row],
    report: transfer.ImportReport,
    *,
    kinds: dict[str, RelationshipType],
    visible,
    organisation: Organisation | None,
    check_can_edit: Callable[..., None],
) -> RelationshipPlan:
    """Check every ``source, type, target`` row as add_relationship / update_relationship would (rejects
    go to ``report``, in line order) and return what the valid ones change. ``check_can_edit(*orgs)``
    raises PermissionDenied for an end the actor may not change. Run inside the import's transaction: the
    sources and their relationships stay locked until it ends."""
    parsed = [extra_cells(row) or row for row in rows]
    report.rejects.extend(item for item in parsed if isinstance(item, transfer.Reject))
    good = [row for row in parsed if isinstance(row, transfer.Row)]
    resolved = _resolve(good, report, kinds, _Ends(visible, good, organisation))
    checker = _RelationshipChecker(resolved, check_can_edit)
    for row in good:
        if row.line in resolved:
            report.rejects.extend(checker.check(row, report))
    report.rejects.sort(key=lambda reject: reject.line)
    return checker.plan


def _resolve(rows, report, kinds, ends) -> dict[int, tuple[CI, RelationshipType, CI]]:
    """Line -> (source, type, target) of the rows whose ends and type are found; the others rejected."""
    resolved = {}
    for row in rows:
        rejects, found = [], {}
        for column in ("source", "target"):
            found[column], problem = ends.find(row.values.get(column))
            if problem:
                rejects.append(transfer.Reject(row.line, column, problem, row.values))
        kind = kinds.get(str(row.values.get("type") or "").strip().lower())
        if kind is None:
            reason = f"No relationship type '{row.values.get('type')}'."
            rejects.append(transfer.Reject(row.line, "type", reason, row.values))
        report.rejects.extend(rejects)
        if not rejects:
            resolved[row.line] = (found["source"], kind, found["target"])
    return resolved


class _RelationshipChecker:
    def __init__(self, resolved: dict[int, tuple[CI, RelationshipType, CI]], check_can_edit) -> None:
        self.resolved, self.check_can_edit = resolved, check_can_edit
        self.plan = RelationshipPlan()
        self.tree = ClassTree.load()
        self.seen: dict[tuple[int, int, int], int] = {}
        # As add_relationship does: the sources locked first (one CI's relationships change one at a
        # time), then the relationships of every CI named, which the rows are checked against.
        sources = sorted({source.pk for source, _kind, _target in resolved.values()})
        for chunk in _chunks(sources):
            list(CI.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk"))
        ids = sorted({ci.pk for source, _kind, target in resolved.values() for ci in (source, target)})
        self.existing: dict[tuple[int, int, int], Relationship] = {}
        for chunk in _chunks(ids):
            for rel in Relationship.objects.select_for_update().filter(source_id__in=chunk).order_by():
                self.existing[(rel.source_id, rel.type_id, rel.target_id)] = rel
        # (source, type, target) -> the relationship (pk) or new row (line): Relationship.clean's
        # duplicate check, answered without a query.
        self.taken: dict[tuple[int, int, int], Any] = {key: rel.pk for key, rel in self.existing.items()}

    def check(self, row: transfer.Row, report: transfer.ImportReport) -> list[transfer.Reject]:
        source, kind, target = self.resolved[row.line]
        key = (source.pk, kind.pk, target.pk)
        if kind.symmetric and source.pk > target.pk:
            key = (target.pk, kind.pk, source.pk)
        if key in self.seen:
            reason = f"Line {self.seen[key]} already gives this relationship."
            return [transfer.Reject(row.line, "", reason, row.values)]
        self.seen[key] = row.line
        extra = {
            n: str(row.values.get(n) or "").strip() for n in ("redundancy_group", "notes") if n in row.values
        }
        current = self.existing.get((source.pk, kind.pk, target.pk)) or (
            self.existing.get((target.pk, kind.pk, source.pk)) if kind.symmetric else None
        )
        if current is not None and all(getattr(current, k) == v for k, v in extra.items()):
            report.unchanged += 1
            return []
        try:
            self.check_can_edit(source.organisation, target.organisation)
            if current is None:
                rel, before = Relationship(source=source, type=kind, target=target, **extra), {}
            else:
                rel, before = current, snapshot(current)
                rel.source, rel.target = (source, target) if rel.source_id == source.pk else (target, source)
                for name, value in extra.items():
                    setattr(rel, name, value)
            rel._class_tree, rel._existing = self.tree, self.taken
            rel.full_clean(exclude=("source", "type", "target"), validate_constraints=False)
        except ValidationError as exc:
            return error_rejects(row.line, exc, row.values)
        except PermissionDenied as exc:
            return [transfer.Reject(row.line, "", str(exc), row.values)]
        if current is None:
            self.taken[(source.pk, kind.pk, target.pk)] = ("line", row.line)
            self.plan.create.append(rel)
            report.created += 1
        else:
            rel.version += 1
            rel.updated_at = timezone.now()
            self.plan.update.append((rel, before))
            report.updated += 1
        return []
