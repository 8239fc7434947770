"""``/api/v1/slas``: service-level agreements with their targets per priority.

Reads go through ``.restrict(user)``: staff see every SLA (an agent limited to some customers: theirs and
the provider-wide ones), a customer only their organisation's SLAs and the provider-wide ones; anything else
is a 404. Writes go through ``sla.services``, which let only administrators and managers change SLAs (403).
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Query, Router

from opsdesk.accounts.choices import OrganisationKind
from opsdesk.accounts.models import Organisation
from opsdesk.core.api import (
    ERRORS,
    add_history_route,
    created,
    expected_version,
    get_visible,
    page_of,
    page_size_default,
    page_size_max,
    paginate,
    reference,
    set_etag,
)
from opsdesk.sla import services
from opsdesk.sla.models import Calendar, Sla
from opsdesk.sla.schemas import SlaIn, SlaOut, SlaPatch

router = Router(tags=["slas"])


def _slas(user):
    return Sla.objects.restrict(user).select_related("organisation", "calendar").prefetch_related("targets")


def _customers(user):
    return Organisation.objects.restrict(user).filter(kind=OrganisationKind.CUSTOMER)


def _targets(rows) -> list[dict]:
    return [dict(row) for row in rows]


@router.get("", response={200: page_of(SlaOut), **ERRORS})
def list_slas(
    request,
    organisation: int | None = Query(None, description="Organisation id (its own SLAs)"),
    provider_wide: bool | None = Query(None, description="Only provider-wide (true) or only own (false)"),
    active: bool | None = None,
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = None,
    count: bool = False,
):
    qs = _slas(request.auth)
    if organisation is not None:
        qs = qs.filter(organisation_id=organisation)
    if provider_wide is not None:
        qs = qs.filter(organisation__isnull=provider_wide)
    if active is not None:
        qs = qs.filter(is_active=active)
    return paginate(request, qs, ["name", "id"], limit=limit, cursor=cursor, count=count)


@router.post("", response={201: SlaOut, **ERRORS})
def create_sla(request, payload: SlaIn, response: HttpResponse):
    user = request.auth
    services.check_can_manage(user)
    data = payload.model_dump(mode="json")
    data["organisation"] = reference(_customers(user), data["organisation"], "organisation", "customer")
    data["calendar"] = reference(Calendar.objects.all(), data["calendar"], "calendar", "calendar")
    targets = _targets(data.pop("targets"))
    sla = services.create_sla(by=user, targets=targets, **data)
    sla = _slas(user).get(pk=sla.pk)
    return created(response, sla, f"slas/{sla.pk}")


@router.get("/{sla_id}", response={200: SlaOut, **ERRORS})
def get_sla(request, sla_id: int, response: HttpResponse):
    sla = get_visible(_slas(request.auth), "SLA", pk=sla_id)
    set_etag(response, sla)
    return sla


add_history_route(router, "/{sla_id}", lambda user, pk: get_visible(_slas(user), "SLA", pk=pk))


@router.patch("/{sla_id}", response={200: SlaOut, **ERRORS})
def update_sla(request, sla_id: int, payload: SlaPatch, response: HttpResponse):
    user = request.auth
    sla = get_visible(_slas(user), "SLA", pk=sla_id)
    services.check_can_manage(user)
    changes = payload.model_dump(mode="json", exclude_unset=True)
    targets = changes.pop("targets", None)
    empty = sorted(name for name, value in changes.items() if value is None and name != "notes")
    if empty:
        raise ValidationError({name: ["This field cannot be empty."] for name in empty})
    if "notes" in changes and changes["notes"] is None:
        changes["notes"] = ""
    if "calendar" in changes:
        changes["calendar"] = reference(Calendar.objects.all(), changes["calendar"], "calendar", "calendar")
    sla = services.update_sla(
        sla,
        changes,
        by=user,
        expected_version=expected_version(request, sla),
        targets=_targets(targets) if targets is not None else None,
    )
    sla = _slas(user).get(pk=sla.pk)
    set_etag(response, sla)
    return sla
