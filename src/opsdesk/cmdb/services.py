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

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q

from opsdesk.accounts.models import Organisation, User
from opsdesk.accounts.services import is_manager, require_manager
from opsdesk.cmdb import importing, links, transfer, workflow
from opsdesk.cmdb.choices import CIStatus
from opsdesk.cmdb.models import (
    CI,
    CIClass,
    ClassTree,
    Relationship,
    RelationshipType,
    normalise_ci_fields,
)
from opsdesk.core import audit, crud
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


def can_delete_ci(user: User | None, ci: CI) -> bool:
    """The rule of ``delete_ci`` (and of editing): staff, within the organisations they work for."""
    try:
        check_can_edit(user, ci.organisation)
    except PermissionDenied:
        return False
    return True


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
    uses = class_uses(fresh)
    if uses:
        reason = "; ".join(uses)
        raise ProtectedError(f"{fresh} is in use ({reason}); deactivate it instead.", {fresh})
    crud.delete(fresh)


def class_uses(klass: CIClass) -> list[str]:
    """What still uses ``klass`` (and keeps it from being deleted), in words; empty if nothing."""
    uses = []
    count = CI.objects.filter(ci_class=klass).count()
    if count:
        uses.append(f"{count} configuration item{'s are' if count != 1 else ' is'} of this class")
    if CIClass.objects.filter(parent=klass).exists():
        uses.append("it has subclasses")
    kinds = RelationshipType.objects.filter(Q(source_classes=klass) | Q(target_classes=klass)).distinct()
    names = [k.forward_name for k in kinds.order_by("forward_name")]
    if names:
        uses.append("relationship types name it: " + ", ".join(names))
    return uses


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


@transaction.atomic
def create_ci(*, by: User | None = None, **fields: Any) -> CI:
    _unknown(fields, CI_FIELDS)
    check_can_edit(by, fields.get("organisation"))
    fields = normalise_ci_fields(fields)
    CI.check_start_status(fields.get("status"))
    return crud.create(CI, **fields)


@transaction.atomic
def update_ci(
    ci: CI, changes: dict[str, Any], *, by: User | None = None, expected_version: int | None = None
) -> CI:
    """Change fields of a CI (its attributes are replaced as a whole and checked against its class)."""
    _unknown(changes, CI_FIELDS)
    fresh = crud.lock(ci, expected_version)
    check_can_edit(by, fresh.organisation, changes.get("organisation"))
    fresh.check_editable()
    fresh.check_status_change(changes.get("status"))
    changes = normalise_ci_fields(changes)
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
    """The retire button: ``update_ci`` to retired, refused (409) where the workflow has no way there."""
    with transaction.atomic():
        fresh = crud.lock(ci, expected_version)
        allowed = workflow.next_statuses(fresh.status)
        if CIStatus.RETIRED not in allowed:
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
# A whole file runs in one transaction. CI rows are all checked first (``importing.plan_cis``: the same
# checks as create_ci / update_ci, with the database read in bulk), then the valid ones are written in bulk
# with their audit entries; unless ``partial`` is asked for, one rejected row (or a dry run) writes nothing.
# Relationship rows likewise (``importing.plan_relationships``, the checks of add_relationship /
# update_relationship).


def _finish(report: transfer.ImportReport) -> transfer.ImportReport:
    if report.dry_run or (report.rejects and not report.partial):
        transaction.set_rollback(True)
    else:
        report.applied = bool(report.created or report.updated)
    return report


def _writes(report: transfer.ImportReport) -> bool:
    return not report.dry_run and (report.partial or not report.rejects)


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
    tree = ClassTree.load()
    names = [d["name"] for d in tree.definitions(ci_class.pk)]
    allowed = {*transfer.COMMON_COLUMNS, *transfer.IGNORED_COLUMNS, *names}
    report.rejects = importing.header_rejects(header, allowed, ci_class.name)
    if "name" not in header and "external_id" not in header:
        report.rejects.append(transfer.Reject(1, "name", "The file needs a name or external_id column."))
    if report.rejects:
        return report
    with transaction.atomic():
        plan = importing.plan_cis(rows, report, ci_class=ci_class, organisation=organisation, tree=tree)
        if _writes(report):
            _write_cis(plan)
        return _finish(report)


def _write_cis(plan: importing.CIPlan) -> None:
    """The changes of a checked file, in bulk: the updates first (an external id a row gives up may be
    taken by a new CI), then the new CIs; one audit entry each, as create_ci / update_ci leave them."""
    if plan.update:
        changed = [ci for ci, _before in plan.update]
        fields = sorted(plan.changed_fields | {"version", "updated_at"})
        CI.objects.bulk_update(changed, fields, batch_size=importing.CHUNK)
        audit.record_updates(changed, [before for _ci, before in plan.update])
    if plan.create:
        CI.objects.bulk_create(plan.create, batch_size=importing.CHUNK)
        audit.record_creates(plan.create, [""] * len(plan.create))


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
    report.rejects = importing.header_rejects(header, transfer.RELATIONSHIP_COLUMNS, "A relationship")
    report.rejects += [
        transfer.Reject(1, column, f"The file needs a {column} column.")
        for column in ("source", "type", "target")
        if column not in header
    ]
    if report.rejects:
        return report
    kinds: dict[str, RelationshipType] = {}
    for kind in RelationshipType.objects.prefetch_related("source_classes", "target_classes"):
        kinds[kind.key] = kinds[kind.forward_name.lower()] = kind
    visible = CI.objects.restrict(by) if by is not None else CI.objects.all()
    with transaction.atomic():
        plan = importing.plan_relationships(
            rows,
            report,
            kinds=kinds,
            visible=visible,
            organisation=organisation,
            check_can_edit=lambda *organisations: check_can_edit(by, *organisations),
        )
        if _writes(report):
            _write_relationships(plan)
        return _finish(report)


def _write_relationships(plan: importing.RelationshipPlan) -> None:
    """As _write_cis: the changed relationships, then the new ones, each with its audit entry."""
    if plan.update:
        changed = [rel for rel, _before in plan.update]
        fields = ["redundancy_group", "notes", "version", "updated_at"]
        Relationship.objects.bulk_update(changed, fields, batch_size=importing.CHUNK)
        audit.record_updates(changed, [before for _rel, before in plan.update])
    if plan.create:
        Relationship.objects.bulk_create(plan.create, batch_size=importing.CHUNK)
        audit.record_creates(plan.create, [""] * len(plan.create))
