"""``/api/v1/services`` and ``/api/v1/services/{id}/subscriptions``.

Reads go through ``.restrict(user)``: staff see the whole catalogue, a customer only the services their
organisation subscribes to, and only their own subscriptions. Writes go through ``catalogue.services``,
which let only administrators and managers change the catalogue (403).
"""

import datetime as dt

from django.db.models import Q
from django.http import HttpResponse
from ninja import Query, Router

from opsdesk.accounts.choices import OrganisationKind
from opsdesk.accounts.models import Organisation, Workgroup
from opsdesk.catalogue import services
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.catalogue.models import Service, Subscription
from opsdesk.catalogue.schemas import (
    ServiceIn,
    ServiceOut,
    ServicePatch,
    SubscriptionIn,
    SubscriptionOut,
)
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

router = Router(tags=["services"])


def _services(user):
    return Service.objects.restrict(user).select_related("owner").prefetch_related("parameters")


def _subscriptions(user):
    return Subscription.objects.restrict(user).select_related("organisation")


def _customers(user):
    return Organisation.objects.restrict(user).filter(kind=OrganisationKind.CUSTOMER)


@router.get("", response={200: page_of(ServiceOut), **ERRORS})
def list_services(
    request,
    status: ServiceStatus | None = None,
    owner: int | None = Query(None, description="Workgroup id"),
    q: str = Query("", max_length=200, description="Part of the name or description"),
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = None,
    count: bool = False,
):
    qs = _services(request.auth)
    if status:
        qs = qs.filter(status=status)
    if owner is not None:
        qs = qs.filter(owner_id=owner)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(description__icontains=q.strip()))
    return paginate(request, qs, ["name", "id"], limit=limit, cursor=cursor, count=count)


@router.post("", response={201: ServiceOut, **ERRORS})
def create_service(request, payload: ServiceIn, response: HttpResponse):
    user = request.auth
    services.check_can_manage(user)
    data = payload.model_dump()
    data["owner"] = reference(Workgroup.objects.restrict(user), data["owner"], "owner", "workgroup")
    parameters = [(p["name"], p["value"]) for p in data.pop("parameters")]
    service = services.create_service(by=user, parameters=parameters, **data)
    service = _services(user).get(pk=service.pk)
    return created(response, service, f"services/{service.pk}")


@router.get("/{service_id}", response={200: ServiceOut, **ERRORS})
def get_service(request, service_id: int, response: HttpResponse):
    service = get_visible(_services(request.auth), "service", pk=service_id)
    set_etag(response, service)
    return service


add_history_route(router, "/{service_id}", lambda user, pk: get_visible(_services(user), "service", pk=pk))


@router.patch("/{service_id}", response={200: ServiceOut, **ERRORS})
def update_service(request, service_id: int, payload: ServicePatch, response: HttpResponse):
    user = request.auth
    service = get_visible(_services(user), "service", pk=service_id)
    services.check_can_manage(user)
    changes = payload.model_dump(exclude_unset=True)
    parameters = changes.pop("parameters", None)
    if parameters is not None:
        parameters = [(p["name"], p["value"]) for p in parameters]
    if "owner" in changes:
        changes["owner"] = reference(Workgroup.objects.restrict(user), changes["owner"], "owner", "workgroup")
    for name in ("name", "description", "service_hours"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    service = services.update_service(
        service,
        changes,
        by=user,
        expected_version=expected_version(request, service),
        parameters=parameters,
    )
    service = _services(user).get(pk=service.pk)
    set_etag(response, service)
    return service


@router.get("/{service_id}/subscriptions", response={200: page_of(SubscriptionOut), **ERRORS})
def list_subscriptions(
    request,
    service_id: int,
    organisation: int | None = None,
    active_on: dt.date | None = None,
    limit: int = Query(page_size_default(), ge=1, le=page_size_max()),
    cursor: str | None = None,
    count: bool = False,
):
    user = request.auth
    service = get_visible(_services(user), "service", pk=service_id)
    qs = _subscriptions(user).filter(service=service)
    if organisation is not None:
        qs = qs.filter(organisation_id=organisation)
    if active_on is not None:
        qs = qs.active(active_on)
    return paginate(request, qs, ["start_date", "id"], limit=limit, cursor=cursor, count=count)


@router.post("/{service_id}/subscriptions", response={201: SubscriptionOut, **ERRORS})
def create_subscription(request, service_id: int, payload: SubscriptionIn, response: HttpResponse):
    user = request.auth
    service = get_visible(_services(user), "service", pk=service_id)
    services.check_can_manage(user)
    data = payload.model_dump()
    organisation = reference(_customers(user), data.pop("organisation"), "organisation", "customer")
    subscription = services.subscribe(service, organisation, by=user, **data)
    subscription = _subscriptions(user).get(pk=subscription.pk)
    return created(response, subscription, f"services/{service.pk}/subscriptions")
