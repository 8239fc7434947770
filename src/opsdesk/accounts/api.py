"""``/api/v1/organisations``, ``/api/v1/people`` and ``/api/v1/workgroups``.

Readable through ``.restrict(user)`` (staff by their scope; a customer sees their own organisation, and
themselves, or everyone of their organisation as a customer manager; workgroups are for staff only).
Writes go through ``accounts.services``, which let only administrators manage these records (403).
"""

from django.db.models import Q
from django.http import HttpResponse
from ninja import Query, Router, Status

from opsdesk.accounts import services
from opsdesk.accounts.choices import OrganisationKind
from opsdesk.accounts.models import Organisation, Person, Site, User, Workgroup
from opsdesk.accounts.schemas import (
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
    WorkgroupIn,
    WorkgroupOut,
    WorkgroupPatch,
)
from opsdesk.core.api import (
    ERRORS,
    add_history_route,
    check_version,
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

router = Router(tags=["accounts"])


# --- organisations ---------------------------------------------------------------------------------------


def _organisations(user):
    return Organisation.objects.restrict(user)


@router.get("/organisations", response={200: page_of(OrganisationOut), **ERRORS}, tags=["organisations"])
def list_organisations(
    request,
    kind: OrganisationKind | None = None,
    is_active: bool | None = None,
    q: str = Query("", max_length=200, description="Part of the name or short name"),
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = None,
    count: bool = False,
):
    qs = _organisations(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(short_name__icontains=q.strip()))
    return paginate(request, qs, ["name", "id"], limit=limit, cursor=cursor, count=count)


@router.post("/organisations", response={201: OrganisationOut, **ERRORS}, tags=["organisations"])
def create_organisation(request, payload: OrganisationIn, response: HttpResponse):
    organisation = services.create_organisation_by(by=request.auth, **payload.model_dump())
    return created(response, organisation, f"organisations/{organisation.pk}")


@router.get(
    "/organisations/{organisation_id}", response={200: OrganisationOut, **ERRORS}, tags=["organisations"]
)
def get_organisation(request, organisation_id: int, response: HttpResponse):
    organisation = get_visible(_organisations(request.auth), "organisation", pk=organisation_id)
    set_etag(response, organisation)
    return organisation


add_history_route(
    router,
    "/organisations/{organisation_id}",
    lambda user, pk: get_visible(_organisations(user), "organisation", pk=pk),
    tags=["organisations"],
)


@router.patch(
    "/organisations/{organisation_id}", response={200: OrganisationOut, **ERRORS}, tags=["organisations"]
)
def update_organisation(request, organisation_id: int, payload: OrganisationPatch, response: HttpResponse):
    organisation = get_visible(_organisations(request.auth), "organisation", pk=organisation_id)
    organisation = services.update_organisation(
        organisation,
        payload.model_dump(exclude_unset=True),
        by=request.auth,
        expected_version=expected_version(request, organisation),
    )
    set_etag(response, organisation)
    return organisation


@router.delete("/organisations/{organisation_id}", response={204: None, **ERRORS}, tags=["organisations"])
def delete_organisation(request, organisation_id: int):
    organisation = get_visible(_organisations(request.auth), "organisation", pk=organisation_id)
    check_version(request, organisation)
    services.delete_organisation(organisation, by=request.auth)
    return Status(204, None)


# --- people ------------------------------------------------------------------------------------------------


def _people(user):
    return Person.objects.restrict(user).select_related("organisation", "user")


@router.get("/people", response={200: page_of(PersonOut), **ERRORS}, tags=["people"])
def list_people(
    request,
    organisation: int | None = None,
    is_active: bool | None = None,
    has_login: bool | None = None,
    q: str = Query("", max_length=200, description="Part of the name or e-mail address"),
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = None,
    count: bool = False,
):
    qs = _people(request.auth)
    if organisation is not None:
        qs = qs.filter(organisation_id=organisation)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    if has_login is not None:
        qs = qs.filter(user__isnull=not has_login)
    if q.strip():
        qs = qs.filter(Q(full_name__icontains=q.strip()) | Q(email__icontains=q.strip()))
    return paginate(request, qs, ["full_name", "id"], limit=limit, cursor=cursor, count=count)


@router.post("/people", response={201: PersonOut, **ERRORS}, tags=["people"])
def create_person(request, payload: PersonIn, response: HttpResponse):
    user = request.auth
    data = payload.model_dump()
    data["organisation"] = reference(
        _organisations(user), data["organisation"], "organisation", "organisation"
    )
    data["site"] = reference(Site.objects.restrict(user), data["site"], "site", "site")
    data["email"] = data["email"] or ""
    person = services.create_person_with_login(by=user, **data)
    person = _people(user).get(pk=person.pk)
    return created(response, person, f"people/{person.pk}")


@router.get("/people/{person_id}", response={200: PersonOut, **ERRORS}, tags=["people"])
def get_person(request, person_id: int, response: HttpResponse):
    person = get_visible(_people(request.auth), "person", pk=person_id)
    set_etag(response, person)
    return person


add_history_route(
    router,
    "/people/{person_id}",
    lambda user, pk: get_visible(_people(user), "person", pk=pk),
    tags=["people"],
)


@router.patch("/people/{person_id}", response={200: PersonOut, **ERRORS}, tags=["people"])
def update_person(request, person_id: int, payload: PersonPatch, response: HttpResponse):
    user = request.auth
    person = get_visible(_people(user), "person", pk=person_id)
    changes = payload.model_dump(exclude_unset=True)
    role = changes.pop("role", None)
    if "site" in changes:
        changes["site"] = reference(Site.objects.restrict(user), changes["site"], "site", "site")
    if "email" in changes:
        changes["email"] = changes["email"] or ""
    person = services.update_person(
        person, changes, by=user, expected_version=expected_version(request, person), role=role
    )
    person = _people(user).get(pk=person.pk)
    set_etag(response, person)
    return person


@router.delete("/people/{person_id}", response={204: None, **ERRORS}, tags=["people"])
def delete_person(request, person_id: int):
    person = get_visible(_people(request.auth), "person", pk=person_id)
    check_version(request, person)
    services.delete_person(person, by=request.auth)
    return Status(204, None)


# --- workgroups --------------------------------------------------------------------------------------------


def _workgroups(user):
    return Workgroup.objects.restrict(user).select_related("lead").prefetch_related("members")


def _staff(user):
    return User.objects.restrict(user).filter(person__organisation__kind=OrganisationKind.PROVIDER)


@router.get("/workgroups", response={200: page_of(WorkgroupOut), **ERRORS}, tags=["workgroups"])
def list_workgroups(
    request,
    is_active: bool | None = None,
    member: int | None = Query(None, description="User id of a member"),
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = None,
    count: bool = False,
):
    qs = _workgroups(request.auth)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    if member is not None:
        qs = qs.filter(members__id=member)
    return paginate(request, qs, ["name", "id"], limit=limit, cursor=cursor, count=count)


@router.post("/workgroups", response={201: WorkgroupOut, **ERRORS}, tags=["workgroups"])
def create_workgroup(request, payload: WorkgroupIn, response: HttpResponse):
    user = request.auth
    data = payload.model_dump()
    data["lead"] = reference(_staff(user), data["lead"], "lead", "user")
    data["members"] = references(_staff(user), data["members"], "members", "user")
    data["email"] = data["email"] or ""
    workgroup = services.create_workgroup_by(by=user, **data)
    workgroup = _workgroups(user).get(pk=workgroup.pk)
    return created(response, workgroup, f"workgroups/{workgroup.pk}")


@router.get("/workgroups/{workgroup_id}", response={200: WorkgroupOut, **ERRORS}, tags=["workgroups"])
def get_workgroup(request, workgroup_id: int, response: HttpResponse):
    workgroup = get_visible(_workgroups(request.auth), "workgroup", pk=workgroup_id)
    set_etag(response, workgroup)
    return workgroup


add_history_route(
    router,
    "/workgroups/{workgroup_id}",
    lambda user, pk: get_visible(_workgroups(user), "workgroup", pk=pk),
    tags=["workgroups"],
)


@router.patch("/workgroups/{workgroup_id}", response={200: WorkgroupOut, **ERRORS}, tags=["workgroups"])
def update_workgroup(request, workgroup_id: int, payload: WorkgroupPatch, response: HttpResponse):
    user = request.auth
    workgroup = get_visible(_workgroups(user), "workgroup", pk=workgroup_id)
    changes = payload.model_dump(exclude_unset=True)
    members = changes.pop("members", None)
    if members is not None:
        members = references(_staff(user), members, "members", "user")
    if "lead" in changes:
        changes["lead"] = reference(_staff(user), changes["lead"], "lead", "user")
    if "email" in changes:
        changes["email"] = changes["email"] or ""
    workgroup = services.update_workgroup(
        workgroup, changes, by=user, expected_version=expected_version(request, workgroup), members=members
    )
    workgroup = _workgroups(user).get(pk=workgroup.pk)
    set_etag(response, workgroup)
    return workgroup


@router.delete("/workgroups/{workgroup_id}", response={204: None, **ERRORS}, tags=["workgroups"])
def delete_workgroup(request, workgroup_id: int):
    workgroup = get_visible(_workgroups(request.auth), "workgroup", pk=workgroup_id)
    check_version(request, workgroup)
    services.delete_workgroup(workgroup, by=request.auth)
    return Status(204, None)
