"""The CMDB API: ``/api/v1/cis`` (+ ``/relationships``, ``/impact``), ``/api/v1/ci-classes`` and
``/api/v1/ci-relationship-types``.

Reads go through ``.restrict(user)``: a customer sees only its own organisation's CIs (anything else is a
404), staff the organisations in their scope. Writes go through ``cmdb.services``: staff change CIs and
relationships, administrators and managers classes and relationship types (403 otherwise). Single
objects carry an ETag; a write with a stale ``If-Match`` is a 412 and changes nothing. A delete that would
orphan something (a CI with relationships or incidents, a class in use) is a 409 saying why.
"""

from typing import Any, Literal

from django.db.models import Q
from django.http import HttpResponse
from ninja import Query, Router, Status

from opsdesk.accounts.models import Organisation
from opsdesk.catalogue.models import Service
from opsdesk.cmdb import attributes, impact, links, services, transfer
from opsdesk.cmdb.choices import AttributeType, CIStatus, Environment
from opsdesk.cmdb.graph import impact_report
from opsdesk.cmdb.models import CI, CIClass, ClassTree, Relationship, RelationshipType
from opsdesk.cmdb.schemas import (
    CIClassIn,
    CIClassOut,
    CIClassPatch,
    CIIn,
    CIOut,
    CIPatch,
    ImpactOut,
    LinkedSectionOut,
    RelationshipIn,
    RelationshipOut,
    RelationshipPatch,
    RelationshipTypeIn,
    RelationshipTypeOut,
    RelationshipTypePatch,
)
from opsdesk.core.api import (
    ERRORS,
    ApiError,
    add_history_route,
    created,
    expected_version,
    get_visible,
    page_of,
    page_size_default,
    page_size_max,
    paginate,
    reference,
    references,
    set_etag,
)

router = Router(tags=["cmdb"])
classes_router = Router(tags=["cmdb"])
types_router = Router(tags=["cmdb"])


def _cis(user):
    return CI.objects.restrict(user).select_related("ci_class", "organisation")


def class_filter(value: str, tree: ClassTree | None = None) -> set[int]:
    """A class given by id or key, with every class below it (``hardware`` lists servers too)."""
    tree = tree or ClassTree.load()
    match = [c for c in tree.by_id.values() if c.key == value or str(c.pk) == value]
    if not match:
        raise ApiError(422, "Some fields are not valid.", {"class": [f"No such CI class: {value}."]})
    return tree.descendants(match[0].pk)


def _resolve(user, data: dict[str, Any]) -> dict[str, Any]:
    """Ids in a body -> objects the caller may see; an unknown one is a 422 on its field."""
    if data.get("ci_class") is not None:
        data["ci_class"] = reference(
            CIClass.objects.filter(is_active=True), data["ci_class"], "ci_class", "CI class"
        )
    if data.get("organisation") is not None:
        data["organisation"] = reference(
            Organisation.objects.restrict(user), data["organisation"], "organisation", "organisation"
        )
    for name, qs, what in (
        ("location", CI.objects.restrict(user), "configuration item"),
        ("service", Service.objects.restrict(user), "service"),
    ):
        if name in data:
            data[name] = reference(qs, data[name], name, what)
    for name in ("ci_class", "organisation"):
        if name in data and data[name] is None:
            raise ApiError(422, "Some fields are not valid.", {name: ["This field cannot be empty."]})
    return data


ATTRIBUTE_QUERY = Query(
    None, description="name=value, repeatable: CIs whose attribute has that value (ram_gb=64)"
)


def attribute_filter(terms: list[str]) -> Q:
    """``ram_gb=64``, ``virtual=true``, ``family=Linux``: CIs whose attribute has that value (a number or
    yes/no is matched as such, and as text)."""
    condition = Q()
    for term in terms:
        name, sep, raw = term.partition("=")
        if not sep or not attributes.NAME.match(name):
            raise ApiError(
                422, "Some fields are not valid.", {"attribute": [f"Write name=value, not '{term[:60]}'."]}
            )
        options = Q(**{f"attributes__{name}": raw})
        if raw.lower() in ("true", "false"):
            options |= Q(**{f"attributes__{name}": raw.lower() == "true"})
        else:
            try:
                number = attributes.PARSERS[AttributeType.NUMBER](raw)
            except (ValueError, TypeError, OverflowError):
                number = None
            if number is not None:
                options |= Q(**{f"attributes__{name}": number})
        condition &= options
    return condition


def _filtered(user, ci_class, status, environment, organisation, attribute, q):
    qs = _cis(user)
    if ci_class:
        qs = qs.filter(ci_class_id__in=class_filter(ci_class))
    if status:
        qs = qs.filter(status=status)
    if environment:
        qs = qs.filter(environment=environment)
    if organisation is not None:
        qs = qs.filter(organisation_id=organisation)
    if attribute:
        qs = qs.filter(attribute_filter(attribute))
    return qs.search(q)


CLASS_QUERY = Query(None, alias="class", description="Class id or key (subclasses included)")
SEARCH_QUERY = Query(
    "", max_length=200, description="Part of the name, serial number, asset tag or external id"
)


@router.get("", response={200: page_of(CIOut), **ERRORS})
def list_cis(
    request,
    ci_class: str | None = CLASS_QUERY,
    status: CIStatus | None = None,
    environment: Environment | None = None,
    organisation: int | None = None,
    attribute: list[str] | None = ATTRIBUTE_QUERY,
    q: str = SEARCH_QUERY,
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = None,
    count: bool = False,
):
    qs = _filtered(request.auth, ci_class, status, environment, organisation, attribute, q)
    return paginate(request, qs, ["name", "id"], limit=limit, cursor=cursor, count=count)


@router.get("/export", response={200: None, **ERRORS})
def export_cis(
    request,
    file_format: Literal["csv", "json"] = Query("csv", alias="format", description="csv or json"),
    ci_class: str | None = CLASS_QUERY,
    status: CIStatus | None = None,
    environment: Environment | None = None,
    organisation: int | None = None,
    attribute: list[str] | None = ATTRIBUTE_QUERY,
    q: str = SEARCH_QUERY,
):
    """Every CI the list filters select (not paginated), as a CSV or JSON download: the common fields,
    then the attributes of the classes in the result."""
    qs = _filtered(request.auth, ci_class, status, environment, organisation, attribute, q)
    return transfer.export_response(qs, ClassTree.load(), file_format, stream=False)


@router.get("/relationships/export", response={200: None, **ERRORS})
def export_relationships(
    request,
    file_format: Literal["csv", "json"] = Query("csv", alias="format", description="csv or json"),
    ci_class: str | None = CLASS_QUERY,
    status: CIStatus | None = None,
    environment: Environment | None = None,
    organisation: int | None = None,
    attribute: list[str] | None = ATTRIBUTE_QUERY,
    q: str = SEARCH_QUERY,
):
    """The relationships whose source is a CI the list filters select (both ends visible to you), in the
    relationship import's columns (``source, type, target, redundancy_group, notes``; a CI is named by
    its external id, else its name), so the file imports back unchanged."""
    qs = _filtered(request.auth, ci_class, status, environment, organisation, attribute, q)
    rels = Relationship.objects.restrict(request.auth).filter(source__in=qs)
    return transfer.relationships_export_response(rels, file_format, stream=False)


@router.post("", response={201: CIOut, **ERRORS})
def create_ci(request, payload: CIIn, response: HttpResponse):
    user = request.auth
    services.check_can_edit(user)
    data = _resolve(user, payload.model_dump())
    ci = services.create_ci(by=user, **data)
    return created(response, _cis(user).get(pk=ci.pk), f"cis/{ci.pk}")


@router.get("/{ci_id}", response={200: CIOut, **ERRORS})
def get_ci(request, ci_id: int, response: HttpResponse):
    ci = get_visible(_cis(request.auth), "configuration item", pk=ci_id)
    set_etag(response, ci)
    return ci


add_history_route(router, "/{ci_id}", lambda user, pk: get_visible(_cis(user), "configuration item", pk=pk))


@router.patch("/{ci_id}", response={200: CIOut, **ERRORS})
def update_ci(request, ci_id: int, payload: CIPatch, response: HttpResponse):
    user = request.auth
    ci = get_visible(_cis(user), "configuration item", pk=ci_id)
    services.check_can_edit(user)
    changes = _resolve(user, payload.model_dump(exclude_unset=True))
    if "name" in changes and changes["name"] is None:
        raise ApiError(422, "Some fields are not valid.", {"name": ["This field cannot be empty."]})
    for name in ("status", "environment", "criticality"):
        if name in changes and changes[name] is None:
            changes.pop(name)
    ci = services.update_ci(ci, changes, by=user, expected_version=expected_version(request, ci))
    ci = _cis(user).get(pk=ci.pk)
    set_etag(response, ci)
    return ci


@router.delete("/{ci_id}", response={204: None, **ERRORS})
def delete_ci(request, ci_id: int):
    """Remove a CI entered by mistake (staff, within their organisations). A CI with relationships or
    incidents, standing for a catalogue service or holding other CIs is kept: 409, retire or dispose of it
    instead (``PATCH status``)."""
    user = request.auth
    ci = get_visible(_cis(user), "configuration item", pk=ci_id)
    services.check_can_edit(user)
    services.delete_ci(ci, by=user, expected_version=expected_version(request, ci))
    return Status(204, None)


def relationship_rows(ci: CI, user) -> list[dict[str, Any]]:
    """The CI's relationships both ways, as this CI reads them ("runs on" out, "hosts" in)."""
    qs = Relationship.objects.restrict(user).select_related("type", "source", "target")
    rows = []
    for rel in qs.filter(Q(source=ci) | Q(target=ci)).order_by("type__forward_name", "id"):
        outgoing = rel.source_id == ci.pk
        rows.append(
            {
                "id": rel.pk,
                "type": rel.type.key,
                "direction": "outgoing" if outgoing else "incoming",
                "label": rel.type.forward_name if outgoing else rel.type.reverse_name,
                "source": rel.source_id,
                "source_name": rel.source.name,
                "target": rel.target_id,
                "target_name": rel.target.name,
                "other": rel.target if outgoing else rel.source,
                "redundancy_group": rel.redundancy_group,
                "notes": rel.notes,
                "version": rel.version,
                "relationship": rel,
            }
        )
    return rows


@router.get("/{ci_id}/records", response={200: list[LinkedSectionOut], **ERRORS})
def list_records(request, ci_id: int):
    """The open records naming this CI that you may see (open incidents), by kind."""
    ci = get_visible(_cis(request.auth), "configuration item", pk=ci_id)
    return links.sections(ci, request.auth)


@router.get("/{ci_id}/relationships", response={200: list[RelationshipOut], **ERRORS})
def list_relationships(request, ci_id: int):
    ci = get_visible(_cis(request.auth), "configuration item", pk=ci_id)
    return relationship_rows(ci, request.auth)


@router.post("/{ci_id}/relationships", response={201: RelationshipOut, **ERRORS})
def add_relationship(request, ci_id: int, payload: RelationshipIn, response: HttpResponse):
    user = request.auth
    ci = get_visible(_cis(user), "configuration item", pk=ci_id)
    services.check_can_edit(user)
    kind = RelationshipType.objects.filter(key=payload.type).first()
    if kind is None:
        raise ApiError(
            422, "Some fields are not valid.", {"type": [f"No such relationship type: {payload.type}."]}
        )
    target = reference(_cis(user), payload.target, "target", "configuration item")
    rel = services.add_relationship(
        ci, kind, target, by=user, redundancy_group=payload.redundancy_group, notes=payload.notes
    )
    body = next(row for row in relationship_rows(ci, user) if row["id"] == rel.pk)
    return created(response, rel, f"cis/{ci.pk}/relationships", body=body)


def _relationship(user, ci_id: int, relationship_id: int) -> tuple[CI, Relationship]:
    ci = get_visible(_cis(user), "configuration item", pk=ci_id)
    rel = get_visible(
        Relationship.objects.restrict(user)
        .filter(Q(source=ci) | Q(target=ci))
        .select_related("source__organisation", "target__organisation", "type"),
        "relationship",
        pk=relationship_id,
    )
    return ci, rel


def _relationship_body(ci: CI, rel: Relationship, user) -> dict[str, Any]:
    return next(row for row in relationship_rows(ci, user) if row["id"] == rel.pk)


@router.get("/{ci_id}/relationships/{relationship_id}", response={200: RelationshipOut, **ERRORS})
def get_relationship(request, ci_id: int, relationship_id: int, response: HttpResponse):
    """One relationship, as this CI reads it."""
    ci, rel = _relationship(request.auth, ci_id, relationship_id)
    set_etag(response, rel)
    return _relationship_body(ci, rel, request.auth)


@router.patch("/{ci_id}/relationships/{relationship_id}", response={200: RelationshipOut, **ERRORS})
def update_relationship(
    request, ci_id: int, relationship_id: int, payload: RelationshipPatch, response: HttpResponse
):
    """Change the redundancy group or the notes (ends and type are fixed: remove and add instead)."""
    user = request.auth
    ci, rel = _relationship(user, ci_id, relationship_id)
    services.check_can_edit(user)
    changes = {k: v or "" for k, v in payload.model_dump(exclude_unset=True).items()}
    rel = services.update_relationship(rel, changes, by=user, expected_version=expected_version(request, rel))
    set_etag(response, rel)
    return _relationship_body(ci, rel, user)


@router.delete("/{ci_id}/relationships/{relationship_id}", response={204: None, **ERRORS})
def remove_relationship(request, ci_id: int, relationship_id: int):
    user = request.auth
    _ci, rel = _relationship(user, ci_id, relationship_id)
    services.check_can_edit(user)
    services.remove_relationship(rel, by=user, expected_version=expected_version(request, rel))
    return Status(204, None)


@router.get("/{ci_id}/impact", response={200: ImpactOut, **ERRORS})
def get_impact(
    request,
    ci_id: int,
    max_depth: int = Query(impact.MAX_DEPTH, ge=1, le=50),
    max_nodes: int = Query(impact.MAX_NODES, ge=1, le=10_000),
):
    """Downstream: what fails with this CI (CIs, catalogue services, subscribing customers; ``degraded``
    CIs survive on a redundant path) and the open incidents you may see on any of that (``records``).
    Upstream: what it relies on. Caps are reported when hit."""
    user = request.auth
    ci = get_visible(_cis(user), "configuration item", pk=ci_id)
    report = impact_report(ci, user, max_depth=max_depth, max_nodes=max_nodes)
    return {"ci": ci.pk, **{name: vars(side) for name, side in report.items()}}


# --- classes and relationship types ---------------------------------------------------------------------


def _with_inherited(classes, tree: ClassTree | None = None):
    tree = tree or ClassTree.load()
    for klass in classes:
        klass.all_attributes = tree.definitions(klass.pk)
    return classes


@classes_router.get("", response={200: page_of(CIClassOut), **ERRORS})
def list_classes(
    request,
    limit: int = Query(page_size_max(), ge=1, le=page_size_max()),
    cursor: str | None = None,
):
    page = paginate(request, CIClass.objects.all(), ["name", "id"], limit=limit, cursor=cursor)
    _with_inherited(page["results"])
    return page


@classes_router.get("/{class_id}", response={200: CIClassOut, **ERRORS})
def get_class(request, class_id: int, response: HttpResponse):
    klass = get_visible(CIClass.objects.all(), "CI class", pk=class_id)
    set_etag(response, klass)
    return _with_inherited([klass])[0]


@classes_router.post("", response={201: CIClassOut, **ERRORS})
def create_class(request, payload: CIClassIn, response: HttpResponse):
    user = request.auth
    services.check_can_manage_classes(user)
    data = payload.model_dump()
    data["parent"] = reference(CIClass.objects.all(), data["parent"], "parent", "CI class")
    klass = services.create_class(by=user, **data)
    return created(response, _with_inherited([klass])[0], f"ci-classes/{klass.pk}")


@classes_router.patch("/{class_id}", response={200: CIClassOut, **ERRORS})
def update_class(request, class_id: int, payload: CIClassPatch, response: HttpResponse):
    user = request.auth
    klass = get_visible(CIClass.objects.all(), "CI class", pk=class_id)
    services.check_can_manage_classes(user)
    changes = payload.model_dump(exclude_unset=True)
    if "parent" in changes:
        changes["parent"] = reference(CIClass.objects.all(), changes["parent"], "parent", "CI class")
    for name, empty in (("name", None), ("description", ""), ("attributes", []), ("is_active", None)):
        if name in changes and changes[name] is None:
            if empty is None:
                changes.pop(name)
            else:
                changes[name] = empty
    klass = services.update_class(klass, changes, by=user, expected_version=expected_version(request, klass))
    set_etag(response, klass)
    return _with_inherited([klass])[0]


@classes_router.delete("/{class_id}", response={204: None, **ERRORS})
def delete_class(request, class_id: int):
    """Remove a class nothing uses (administrators and managers); 409 when CIs, subclasses or relationship
    types use it: set ``is_active`` false instead."""
    user = request.auth
    klass = get_visible(CIClass.objects.all(), "CI class", pk=class_id)
    services.check_can_manage_classes(user)
    services.delete_class(klass, by=user, expected_version=expected_version(request, klass))
    return Status(204, None)


def _types():
    return RelationshipType.objects.prefetch_related("source_classes", "target_classes")


@types_router.get("", response={200: list[RelationshipTypeOut], **ERRORS})
def list_relationship_types(request):
    return list(_types())


@types_router.post("", response={201: RelationshipTypeOut, **ERRORS})
def create_relationship_type(request, payload: RelationshipTypeIn, response: HttpResponse):
    user = request.auth
    services.check_can_manage_classes(user)
    data = payload.model_dump()
    for name in ("source_classes", "target_classes"):
        data[name] = references(CIClass.objects.all(), data[name], name, "CI class")
    kind = services.create_relationship_type(by=user, **data)
    return created(response, _types().get(pk=kind.pk), "ci-relationship-types")


@types_router.get("/{type_id}", response={200: RelationshipTypeOut, **ERRORS})
def get_relationship_type(request, type_id: int, response: HttpResponse):
    kind = get_visible(_types(), "relationship type", pk=type_id)
    set_etag(response, kind)
    return kind


@types_router.patch("/{type_id}", response={200: RelationshipTypeOut, **ERRORS})
def update_relationship_type(request, type_id: int, payload: RelationshipTypePatch, response: HttpResponse):
    """Rename a type, change its impact direction, description or the classes it may join (existing
    relationships stay; the class rules apply to new ones). The key and symmetry are fixed."""
    user = request.auth
    kind = get_visible(_types(), "relationship type", pk=type_id)
    services.check_can_manage_classes(user)
    changes = payload.model_dump(exclude_unset=True)
    for name in ("source_classes", "target_classes"):
        if name in changes:
            changes[name] = references(CIClass.objects.all(), changes[name] or [], name, "CI class")
    for name in ("forward_name", "impact"):
        if name in changes and changes[name] is None:
            raise ApiError(422, "Some fields are not valid.", {name: ["This field cannot be empty."]})
    for name in ("reverse_name", "description"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    kind = services.update_relationship_type(
        kind, changes, by=user, expected_version=expected_version(request, kind)
    )
    kind = _types().get(pk=kind.pk)
    set_etag(response, kind)
    return kind
