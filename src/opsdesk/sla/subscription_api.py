"""``/api/v1/services/{id}/subscriptions/{sid}/sla``: which SLA a subscription runs under.

Mounted beside the catalogue's ``/services`` router: the catalogue sits below the SLAs and knows nothing of
them, so the SLA of a subscription is a sub-resource owned here. ``GET`` says which SLA the subscription
names and which one its incidents count under; ``PUT`` (or ``PATCH``) ``{"sla": id}`` names one, ``{"sla":
null}`` returns it to the customer's default. The ETag is the subscription's: naming another SLA bumps
its version, and ``If-Match`` is checked against it.
"""

from django.http import HttpResponse
from ninja import Router

from opsdesk.catalogue.models import Service, Subscription
from opsdesk.core.api import ERRORS, expected_version, get_visible, reference, set_etag
from opsdesk.sla import services
from opsdesk.sla.models import Sla
from opsdesk.sla.schemas import SubscriptionSlaIn, SubscriptionSlaOut

router = Router(tags=["services"])


def _subscription(user, service_id: int, subscription_id: int) -> Subscription:
    service = get_visible(Service.objects.restrict(user), "service", pk=service_id)
    return get_visible(
        Subscription.objects.restrict(user).filter(service=service), "subscription", pk=subscription_id
    )


def _answer(subscription: Subscription, response: HttpResponse) -> dict:
    named = services.subscription_sla(subscription)
    effective = named if named is not None and named.is_active else None
    effective = effective or services.default_sla_for(subscription.organisation_id)
    set_etag(response, subscription)
    return {
        "subscription": subscription.pk,
        "service": subscription.service_id,
        "organisation": subscription.organisation_id,
        "sla": named.pk if named else None,
        "sla_name": named.name if named else None,
        "effective_sla": effective.pk if effective else None,
        "effective_sla_name": effective.name if effective else None,
        "version": subscription.version,
    }


@router.get("/{service_id}/subscriptions/{subscription_id}/sla", response={200: SubscriptionSlaOut, **ERRORS})
def get_subscription_sla(request, service_id: int, subscription_id: int, response: HttpResponse):
    return _answer(_subscription(request.auth, service_id, subscription_id), response)


@router.api_operation(
    ["PUT", "PATCH"],
    "/{service_id}/subscriptions/{subscription_id}/sla",
    response={200: SubscriptionSlaOut, **ERRORS},
)
def set_subscription_sla(
    request, service_id: int, subscription_id: int, payload: SubscriptionSlaIn, response: HttpResponse
):
    user = request.auth
    subscription = _subscription(user, service_id, subscription_id)
    services.check_can_manage(user)
    sla = reference(Sla.objects.restrict(user), payload.sla, "sla", "SLA")
    subscription = services.set_subscription_sla(
        subscription, sla, by=user, expected_version=expected_version(request, subscription)
    )
    return _answer(subscription, response)
