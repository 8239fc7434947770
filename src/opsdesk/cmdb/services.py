"""The one write path of the CMDB: classes, relationship types, CIs and their relationships.

Every change runs in a transaction and is audited through ``core.crud``. Who may do what:

* administrators and managers manage classes and relationship types;
* provider staff create, edit and retire CIs and relate them, within their organisation scope (an agent
  limited to Acme works on Acme's and the provider's CIs only);
* customers only read their own organisation's CIs (never through here).

``by=None`` is the system (data migrations, commands, demo data).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q

from opsdesk.accounts.models import Organisation, User
from opsdesk.accounts.services import is_manager, require_manager
from opsdesk.cmdb import attributes, links, references, transfer
from opsdesk.cmdb.choices import FINAL_STATUSES, CIStatus
from opsdesk.cmdb.models import CI, CIClass, ClassTree, Relationship, RelationshipType
from opsdesk.core import crud
from opsdesk.core.errors import IllegalTransition, PermissionDenied

CI_FIELDS = frozenset(
    {
        "name",
        "ci_class",
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
        "attributes",
        "service",
    }
)
TEXT_FIELDS = ("vendor", "model", "serial_number", "asset_tag", "software_version", "external_id", "notes")

can_manage_classes = is_manager


def can_edit(user: User | None) -> bool:
    """Provider staff (and the system) edit CIs; customers read."""
    return user is None or bool(getattr(user, "is_provider_staff", False))


def check_can_edit(user: User | None, *organisations: Organisation | None) -> None:
    if not can_edit(user):
        raise PermissionDenied("Only service-provider staff may change configuration items.")
    scope = user.organisation_scope() if user is not None else None
    for organisation in organisations:
        if organisation is not None and scope is not None and organisation.pk not in scope:
            raise PermissionDenied(f"You do not work for {organisation}.")


def check_can_manage_classes(user: User | None) -> None:
    require_manager(user, "change CI classes and relationship types")


def _unknown(changes: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})


# --- classes and relationship types -----------------------------------------------------------------------

CLASS_FIELDS = ("name", "key", "parent", "description", "attributes", "is_active")


@transaction.atomic
def create_class(*, by: User | None = None, **fields: Any) -> CIClass:
    check_can_manage_classes(by)
    _unknown(fields, CLASS_FIELDS)
    return crud.create(CIClass, **fields)


@transaction.atomic
def update_class(
    klass: CIClass, changes: dict[str, Any], *, by: User | None = None, expected_version: int | None = None
) -> CIClass:
    """Change a class. New or changed attribute definitions apply to each CI the next time it is saved."""
    check_can_manage_classes(by)
    _unknown(changes, CLASS_FIELDS)
    return crud.update(klass, changes, expected_version=expected_version)


@transaction.atomic
def delete_class(klass: CIClass, *, by: User | None = None, expected_version: int | None = None) -> None:
    """Remove a class nothing uses: no CI of it, no subclass, no relationship type naming it. A class in
    use is switched off instead (``is_active`` false: no new CIs of it)."""
    check_can_manage_classes(by)
    fresh = crud.lock(klass, expected_version)
    uses = []
    if CI.objects.filter(ci_class=fresh).exists():
        uses.append(f"{CI.objects.filter(ci_class=fresh).count()} configuration items are of this class")
    if CIClass.objects.filter(parent=fresh).exists():
        uses.append("it has subclasses")
    kinds = RelationshipType.objects.filter(Q(source_classes=fresh) | Q(target_classes=fresh)).distinct()
    if kinds.exists():
        uses.append("relationship types name it: " + ", ".join(k.forward_name for k in kinds))
    if uses:
        reason = "; ".join(uses)
        raise ProtectedError(f"{fresh} is in use ({reason}); deactivate it instead.", {fresh})
    crud.delete(fresh)


TYPE_FIELDS = ("key", "forward_name", "reverse_name", "symmetric", "impact", "description")


@transaction.atomic
def create_relationship_type(
    *,
    by: User | None = None,
    source_classes: Iterable[CIClass] = (),
    target_classes: Iterable[CIClass] = (),
    **fields: Any,
) -> RelationshipType:
    check_can_manage_classes(by)
    _unknown(fields, TYPE_FIELDS)
    if fields.get("symmetric"):
        fields["reverse_name"] = fields.get("forward_name", "")
    m2m = {"source_classes": list(source_classes), "target_classes": list(target_classes)}
    return crud.create(RelationshipType, m2m=m2m, **fields)


@transaction.atomic
def update_relationship_type(
    kind: RelationshipType,
    changes: dict[str, Any],
    *,
    by: User | None = None,
    expected_version: int | None = None,
) -> RelationshipType:
    check_can_manage_classes(by)
    changes = dict(changes)
    m2m = {name: list(changes.pop(name)) for name in ("source_classes", "target_classes") if name in changes}
    _unknown(changes, TYPE_FIELDS)
    if "symmetric" in changes and changes["symmetric"] != kind.symmetric:
        raise ValidationError({"symmetric": ["A type does not change between one-way and symmetric."]})
    if kind.symmetric and ("forward_name" in changes or "reverse_name" in changes):
        # A symmetric type reads the same both ways.
        changes["reverse_name"] = changes.get("forward_name", kind.forward_name)
    return crud.update(kind, changes, expected_version=expected_version, m2m=m2m)


# --- configuration items ----------------------------------------------------------------------------------


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    fields = dict(fields)
    for name in TEXT_FIELDS:
        if name in fields and fields[name] is None:
            fields[name] = ""
    if "name" in fields and isinstance(fields["name"], str):
        fields["name"] = fields["name"].strip()
    if "attributes" in fields and fields["attributes"] is None:
        fields["attributes"] = {}
    return fields


@transaction.atomic
def create_ci(*, by: User | None = None, **fields: Any) -> CI:
    _unknown(fields, CI_FIELDS)
    check_can_edit(by, fields.get("organisation"))
    fields = _normalise(fields)
    if fields.get("status") in (CIStatus.RETIRED, CIStatus.DISPOSED):
        raise ValidationError({"status": ["A new configuration item cannot start retired or disposed."]})
    return crud.create(CI, **fields)


@transaction.atomic
def update_ci(
    ci: CI, changes: dict[str, Any], *, by: User | None = None, expected_version: int | None = None
) -> CI:
    """Change fields of a CI (its attributes are replaced as a whole and checked against its class)."""
    _unknown(changes, CI_FIELDS)
    fresh = crud.lock(ci, expected_version)
    check_can_edit(by, fresh.organisation, changes.get("organisation"))
    if fresh.status in FINAL_STATUSES:
        raise IllegalTransition("edit", fresh.status, [])
    changes = _normalise(changes)
    if "attributes" not in changes:
        # Values of attributes the class no longer defines go with the next edit (audited), rather than
        # blocking an unrelated change.
        klass = changes.get("ci_class") or fresh.ci_class
        defined = {d["name"] for d in ClassTree.load().definitions(klass.pk)}
        kept = {k: v for k, v in (fresh.attributes or {}).items() if k in defined}
        if kept != (fresh.attributes or {}):
            changes["attributes"] = kept
    changes = {k: v for k, v in changes.items() if getattr(fresh, k) != v}
    if not changes:
        return fresh
    return crud.update(fresh, changes)


def retire_ci(ci: CI, *, by: User | None = None, expected_version: int | None = None) -> CI:
    with transaction.atomic():
        fresh = crud.lock(ci, expected_version)
        if fresh.status in (CIStatus.RETIRED, *FINAL_STATUSES):
            allowed = [] if fresh.status in FINAL_STATUSES else ["dispose"]
            raise IllegalTransition("retire", fresh.status, allowed)
        return update_ci(fresh, {"status": CIStatus.RETIRED}, by=by)


def ci_uses(ci: CI) -> list[str]:
    """What still refers to ``ci`` (and would lose it if it were deleted), in words; empty if nothing."""
    uses = []
    related = Relationship.objects.filter(Q(source=ci) | Q(target=ci)).count()
    if related:
        uses.append(f"{related} relationship{'s' if related != 1 else ''}")
    uses.extend(links.uses(ci))  # incidents (and any other records of higher apps) naming it
    if ci.service_id:
        uses.append(f"it stands for the catalogue service {ci.service}")
    placed = CI.objects.filter(location=ci).count()
    if placed:
        uses.append(f"it is the location of {placed} configuration item{'s' if placed != 1 else ''}")
    return uses


@transaction.atomic
def delete_ci(ci: CI, *, by: User | None = None, expected_version: int | None = None) -> None:
    """Remove a CI entered by mistake. A CI anything refers to (relationships, incidents, a catalogue
    service, CIs located in it) is kept: retire or dispose of it instead, so its history stays whole.
    The audit trail keeps the deleted CI's last values either way."""
    check_can_edit(by, ci.organisation)
    fresh = crud.lock(ci, expected_version)
    uses = ci_uses(fresh)
    if uses:
        raise ProtectedError(
            f"{fresh} is still in use ({'; '.join(uses)}); retire or dispose of it instead.", {fresh}
        )
    crud.delete(fresh)


# --- relationships ----------------------------------------------------------------------------------------


@transaction.atomic
def add_relationship(
    source: CI,
    kind: RelationshipType,
    target: CI,
    *,
    by: User | None = None,
    redundancy_group: str = "",
    notes: str = "",
) -> Relationship:
    """``source`` <kind> ``target`` (e.g. an application runs on a server). Both CIs must be within the
    actor's scope; the type must allow both classes; a CI is never related to itself."""
    check_can_edit(by, source.organisation, target.organisation)
    # Serialise changes to one CI's relationships (the duplicate check, the redundancy groups).
    crud.lock(source)
    return crud.create(
        Relationship,
        source=source,
        type=kind,
        target=target,
        redundancy_group=(redundancy_group or "").strip(),
        notes=(notes or "").strip(),
    )


@transaction.atomic
def update_relationship(
    relationship: Relationship,
    changes: dict[str, Any],
    *,
    by: User | None = None,
    expected_version: int | None = None,
) -> Relationship:
    """Change a relationship's redundancy group or notes (its ends and type are what it is: remove it
    and add another instead)."""
    check_can_edit(by, relationship.source.organisation, relationship.target.organisation)
    _unknown(changes, ("redundancy_group", "notes"))
    changes = {k: (v or "").strip() for k, v in changes.items()}
    fresh = crud.lock(relationship, expected_version)
    changes = {k: v for k, v in changes.items() if getattr(fresh, k) != v}
    return crud.update(fresh, changes) if changes else fresh


@transaction.atomic
def remove_relationship(
    relationship: Relationship, *, by: User | None = None, expected_version: int | None = None
) -> None:
    check_can_edit(by, relationship.source.organisation, relationship.target.organisation)
    crud.delete(crud.lock(relationship, expected_version))


# --- import -----------------------------------------------------------------------------------------------
# A whole file runs in one transaction, each row in a savepoint: a rejected row leaves no trace, and unless
# ``partial`` is asked for, one rejected row (or a dry run) rolls the whole file back. Every row goes
# through create_ci / update_ci / add_relationship, so it is checked and audited like a form or API edit.


def _error_rejects(line: int, exc: ValidationError, values: dict[str, Any]) -> list[transfer.Reject]:
    found = []
    for key, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
        if key.startswith("attributes."):
            column = key.removeprefix("attributes.")
        else:
            column = "" if key == NON_FIELD_ERRORS else transfer.FIELD_COLUMNS.get(key, key)
        found.extend(transfer.Reject(line, column, message, values) for message in messages)
    return found


def _finish(report: transfer.ImportReport) -> transfer.ImportReport:
    if report.dry_run or (report.rejects and not report.partial):
        transaction.set_rollback(True)
    else:
        report.applied = bool(report.created or report.updated)
    return report


def _header_rejects(header: list[str], allowed: Iterable[str], what: str) -> list[transfer.Reject]:
    allowed = set(allowed)
    return [
        transfer.Reject(1, column, f"{what} has no column or attribute '{column}'.")
        for column in header
        if column not in allowed
    ]


def import_cis(
    data: bytes | str,
    *,
    ci_class: CIClass,
    organisation: Organisation,
    by: User | None = None,
    file_format: str = "csv",
    dry_run: bool = False,
    partial: bool = False,
) -> transfer.ImportReport:
    """Create or update CIs of one class in one organisation from a CSV or JSON file. A row matches an
    existing CI by external id, else by name (within the organisation and class). Raises
    ``transfer.FileProblem`` when the file cannot be read at all."""
    check_can_edit(by, organisation)
    header, rows = transfer.read_rows(data, file_format)
    report = transfer.ImportReport("cis", file_format, header, dry_run=dry_run, partial=partial)
    names = [d["name"] for d in ClassTree.load().definitions(ci_class.pk)]
    allowed = {*transfer.COMMON_COLUMNS, *transfer.IGNORED_COLUMNS, *names}
    report.rejects = _header_rejects(header, allowed, ci_class.name)
    if "name" not in header and "external_id" not in header:
        report.rejects.append(transfer.Reject(1, "name", "The file needs a name or external_id column."))
    if report.rejects:
        return report
    with transaction.atomic():
        existing = CI.objects.filter(organisation=organisation, ci_class=ci_class)
        by_external: dict[str, int] = {}
        by_name: dict[str, list[int]] = {}
        for pk, name, external_id in existing.values_list("pk", "name", "external_id"):
            if external_id:
                by_external[external_id] = pk
            by_name.setdefault(name, []).append(pk)
        seen: dict[tuple[str, Any], int] = {}
        for row in rows:
            rejects = _import_ci_row(row, report, ci_class, organisation, by, by_external, by_name, seen)
            report.rejects.extend(rejects)
        return _finish(report)


def _import_ci_row(row, report, ci_class, organisation, by, by_external, by_name, seen):
    values = row.values
    if "\0extra" in values:
        extra = values.pop("\0extra")
        return [
            transfer.Reject(row.line, "", f"{len(extra)} more cells than the header has columns.", values)
        ]
    fields: dict[str, Any] = {}
    attrs: dict[str, Any] = {}
    for column, value in values.items():
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
    pk = by_external.get(external_id) if external_id else None
    if pk is None and name:
        matches = by_name.get(name, [])
        if len(matches) > 1:
            reason = f"{len(matches)} configuration items are called '{name}'; give the external id."
            return [transfer.Reject(row.line, "name", reason, values)]
        pk = matches[0] if matches else None
    key = ("pk", pk) if pk else ("external_id", external_id) if external_id else ("name", name)
    if key in seen:
        column = "external_id" if key[0] == "external_id" else "name"
        return [transfer.Reject(row.line, column, f"Line {seen[key]} already gives this item.", values)]
    seen[key] = row.line
    try:
        with transaction.atomic():
            if pk is None:
                if not name:
                    return [
                        transfer.Reject(row.line, "name", "A new configuration item needs a name.", values)
                    ]
                ci = create_ci(
                    by=by, ci_class=ci_class, organisation=organisation, attributes=attrs, **fields
                )
                report.created += 1
                if ci.external_id:
                    by_external[ci.external_id] = ci.pk
                by_name.setdefault(ci.name, []).append(ci.pk)
            else:
                current = CI.objects.get(pk=pk)
                if not name:
                    fields.pop("name", None)
                merged = {**(current.attributes or {}), **attrs}
                # Canonical values ("32" -> 32), so an unchanged row is seen as unchanged.
                canonical = attributes.clean_values(
                    ClassTree.load().definitions(ci_class.pk),
                    merged,
                    class_name=ci_class.name,
                    ci_exists=references.exists_check(organisation.pk, by),
                )
                changes = {**fields, "attributes": canonical}
                result = update_ci(current, changes, by=by)
                if result.version == current.version:
                    report.unchanged += 1
                else:
                    report.updated += 1
    except ValidationError as exc:
        return _error_rejects(row.line, exc, values)
    except (IllegalTransition, PermissionDenied) as exc:
        return [
            transfer.Reject(
                row.line, "status" if isinstance(exc, IllegalTransition) else "", str(exc), values
            )
        ]
    return []


def _find_ci(visible, ref: Any, organisation: Organisation | None) -> tuple[CI | None, str]:
    """A CI by external id, else by name, among those the actor sees (the organisation's own first)."""
    ref = str(ref or "").strip()
    if not ref:
        return None, "Give the external id or name of a configuration item."
    for lookup in ("external_id", "name"):
        found = list(visible.filter(**{lookup: ref})[:20])
        if organisation is not None and len(found) > 1:
            own = [ci for ci in found if ci.organisation_id == organisation.pk]
            found = own or found
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, f"Several configuration items match '{ref}'; give the external id."
    return None, f"No configuration item has the external id or name '{ref}'."


def import_relationships(
    data: bytes | str,
    *,
    by: User | None = None,
    organisation: Organisation | None = None,
    file_format: str = "csv",
    dry_run: bool = False,
    partial: bool = False,
) -> transfer.ImportReport:
    """Relate CIs from a file of ``source, type, target[, redundancy_group, notes]`` rows; the ends are
    given by external id or name, the type by key (``runs-on``) or forward name (``runs on``)."""
    check_can_edit(by, organisation)
    header, rows = transfer.read_rows(data, file_format)
    report = transfer.ImportReport("relationships", file_format, header, dry_run=dry_run, partial=partial)
    report.rejects = _header_rejects(header, transfer.RELATIONSHIP_COLUMNS, "A relationship")
    report.rejects += [
        transfer.Reject(1, column, f"The file needs a {column} column.")
        for column in ("source", "type", "target")
        if column not in header
    ]
    if report.rejects:
        return report
    kinds: dict[str, RelationshipType] = {}
    for kind in RelationshipType.objects.all():
        kinds[kind.key] = kinds[kind.forward_name.lower()] = kind
    visible = CI.objects.restrict(by) if by is not None else CI.objects.all()
    with transaction.atomic():
        for row in rows:
            report.rejects.extend(_import_relationship_row(row, report, kinds, visible, by, organisation))
        return _finish(report)


def _import_relationship_row(row, report, kinds, visible, by, organisation):
    values = row.values
    if "\0extra" in values:
        extra = values.pop("\0extra")
        return [
            transfer.Reject(row.line, "", f"{len(extra)} more cells than the header has columns.", values)
        ]
    rejects = []
    ends = {}
    for column in ("source", "target"):
        ends[column], problem = _find_ci(visible, values.get(column), organisation)
        if problem:
            rejects.append(transfer.Reject(row.line, column, problem, values))
    kind = kinds.get(str(values.get("type") or "").strip().lower())
    if kind is None:
        rejects.append(
            transfer.Reject(row.line, "type", f"No relationship type '{values.get('type')}'.", values)
        )
    if rejects:
        return rejects
    extra = {
        name: str(values.get(name) or "").strip() for name in ("redundancy_group", "notes") if name in values
    }
    source, target = ends["source"], ends["target"]
    same = Relationship.objects.filter(type=kind)
    current = same.filter(source=source, target=target).first() or (
        same.filter(source=target, target=source).first() if kind.symmetric else None
    )
    try:
        with transaction.atomic():
            if current is None:
                add_relationship(source, kind, target, by=by, **extra)
                report.created += 1
            elif all(getattr(current, k) == v for k, v in extra.items()):
                report.unchanged += 1
            else:
                update_relationship(current, extra, by=by)
                report.updated += 1
    except ValidationError as exc:
        return _error_rejects(row.line, exc, values)
    except PermissionDenied as exc:
        return [transfer.Reject(row.line, "", str(exc), values)]
    return []
