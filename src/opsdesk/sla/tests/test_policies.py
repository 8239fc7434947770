"""Which SLA applies, as a cached pure policy: the same answer as ``sla_for``, in one query when warm,
and never stale after an edit (even one made by another process)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsdesk.catalogue import services as catalogue
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.core.context import acting_as
from opsdesk.sla import policies, services
from opsdesk.sla.models import Calendar, CalendarHours, Sla, SlaTarget
from opsdesk.sla.tests.conftest import targets

JAN_1 = dt.date(2026, 1, 1)


@pytest.fixture
def setup(world, standard):
    with acting_as(world.manager, "web"):
        mail = catalogue.create_service(
            by=world.manager, name="Managed Mail", owner=world.service_desk, status=ServiceStatus.LIVE
        )
        vpn = catalogue.create_service(by=world.manager, name="VPN", owner=world.network)
        subscription = catalogue.subscribe(mail, world.acme, start_date=JAN_1, by=world.manager)
        catalogue.subscribe(vpn, world.acme, start_date=JAN_1, by=world.manager)
        premium = services.create_sla(
            by=world.manager,
            name="Premium",
            calendar=Calendar.objects.get(name="24x7"),
            targets=targets(5, 50),
        )
        services.set_subscription_sla(subscription, premium, by=world.manager)
    return mail, vpn, premium


def test_policy_for_agrees_with_sla_for_in_every_case(world, standard, setup, acme_gold):
    mail, vpn, premium = setup
    cases = [
        (world.acme, mail, JAN_1),  # the subscription's SLA
        (world.acme, vpn, JAN_1),  # no SLA on the subscription: Acme's own default
        (world.acme, None, JAN_1),
        (world.acme, mail, dt.date(2025, 12, 31)),  # before the subscription: the default
        (world.globex, mail, JAN_1),  # not subscribed: the provider-wide default
        (world.globex, None, JAN_1),
    ]
    for org, service, on in cases:
        expected = services.sla_for(org, service, on)
        got = policies.policy_for(org, service, on)
        assert got.sla_id == expected.pk, (org, service, on)
    assert policies.policy_for(world.acme, mail, JAN_1).name == "Premium"


def test_a_warm_lookup_is_one_query(world, standard, setup):
    mail, _vpn, _premium = setup
    policies.policy_for(world.acme, mail, JAN_1)
    with CaptureQueriesContext(connection) as captured:
        policy = policies.policy_for(world.acme, mail, JAN_1)
    assert len(captured.captured_queries) == 1
    assert policy.target_minutes("response", 2) == 5 and policy.calendar.always_open


def test_an_edit_elsewhere_is_seen_at_the_next_lookup(world, standard):
    first = policies.policy_for(world.acme)
    # As another process would: the rows change, and the version or update time moves with them, but this
    # process hears no signal.
    SlaTarget.objects.filter(sla=standard, priority=3).update(response_minutes=99)
    Sla.objects.filter(pk=standard.pk).update(version=standard.version + 1)
    assert first.target_minutes("response", 3) == 240
    assert policies.policy_for(world.acme).target_minutes("response", 3) == 99
    uk = Calendar.objects.get(name="UK office hours")
    CalendarHours.objects.filter(calendar=uk).delete()
    uk.save()  # an edit saves the calendar, which moves its updated_at
    assert not policies.policy_for(world.acme).calendar.weekly[0]


def test_without_any_default_there_is_no_policy(world, standard):
    Sla.objects.all().delete()
    assert policies.policy_for(world.acme) is None
