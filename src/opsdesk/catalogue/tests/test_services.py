"""The catalogue's rules: ordered parameters, subscription dates, no overlaps, the service lifecycle."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from opsdesk.catalogue import services
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.catalogue.models import Service, Subscription
from opsdesk.core.audit import history_for
from opsdesk.core.context import acting_as
from opsdesk.core.errors import IllegalTransition, PermissionDenied, StaleObject

D = dt.date


def _names(service):
    return [(p.name, p.value) for p in service.parameters.all()]


def test_parameters_keep_the_order_they_were_given_in(catalogue, world):
    assert _names(catalogue.mail) == [
        ("Mailbox size", "2 GB"),
        ("Retention", "30 days"),
        ("Availability", "99.5%"),
    ]
    rows = [("Support hours", "24x7"), ("Mailbox size", "5 GB")]
    with acting_as(world.manager, "web"):
        mail = services.set_parameters(catalogue.mail, rows, by=world.manager)
    assert _names(Service.objects.get(pk=mail.pk)) == rows
    assert mail.version == catalogue.mail.version + 1
    entry = history_for(mail).last()
    assert entry.actor == world.manager
    assert entry.changes["parameters"][1] == [["Support hours", "24x7"], ["Mailbox size", "5 GB"]]


def test_duplicate_or_empty_parameters_are_refused(catalogue, world):
    for rows in ([("Size", "1"), ("size", "2")], [("Size", "")]):
        with pytest.raises(ValidationError) as exc:
            services.set_parameters(catalogue.mail, rows, by=world.manager)
        assert "parameters" in exc.value.message_dict
    assert len(_names(catalogue.mail)) == 3


def test_every_change_is_audited_with_its_actor(catalogue, world):
    actions = [e.action for e in history_for(catalogue.mail)]
    assert actions[0] == "create"
    assert [e.actor for e in history_for(catalogue.acme_mail)] == [world.manager]
    assert history_for(catalogue.acme_mail).get().organisation_id == world.acme.pk


def test_subscription_end_must_not_precede_start(catalogue, world):
    with pytest.raises(ValidationError) as exc:
        services.subscribe(
            catalogue.vpn, world.acme, start_date=D(2026, 3, 1), end_date=D(2026, 2, 28), by=world.manager
        )
    assert "end_date" in exc.value.message_dict
    same_day = services.subscribe(
        catalogue.vpn, world.acme, start_date=D(2026, 3, 1), end_date=D(2026, 3, 1), by=world.manager
    )
    assert same_day.pk


@pytest.mark.parametrize(
    "start, end",
    [
        (D(2025, 6, 1), None),  # open-ended, reaches into the running one
        (D(2026, 6, 30), D(2026, 7, 31)),  # starts on the last day of the running one
        (D(2025, 12, 1), D(2026, 1, 1)),  # ends on its first day
        (D(2026, 2, 1), D(2026, 3, 1)),  # inside
    ],
)
def test_overlapping_subscriptions_of_one_customer_are_refused(catalogue, world, start, end):
    with pytest.raises(ValidationError) as exc:
        services.subscribe(catalogue.backup, world.globex, start_date=start, end_date=end, by=world.manager)
    assert "already subscribes" in exc.value.message_dict["start_date"][0]


def test_back_to_back_and_other_customers_subscriptions_are_fine(catalogue, world):
    later = services.subscribe(catalogue.backup, world.globex, start_date=D(2026, 7, 1), by=world.manager)
    earlier = services.subscribe(
        catalogue.backup, world.globex, start_date=D(2025, 1, 1), end_date=D(2025, 12, 31), by=world.manager
    )
    acme = services.subscribe(catalogue.backup, world.acme, start_date=D(2026, 2, 1), by=world.manager)
    assert Subscription.objects.filter(service=catalogue.backup).count() == 4
    # Moving one onto another is refused as well.
    with pytest.raises(ValidationError):
        services.update_subscription(earlier, {"end_date": D(2026, 1, 15)}, by=world.manager)
    assert later.pk and acme.pk


def test_ending_a_subscription(catalogue, world):
    ended = services.end_subscription(
        catalogue.acme_mail, D(2026, 3, 31), by=world.manager, expected_version=1
    )
    assert ended.end_date == D(2026, 3, 31) and ended.version == 2
    with pytest.raises(StaleObject):
        services.end_subscription(catalogue.acme_mail, D(2026, 4, 30), by=world.manager, expected_version=1)


def test_only_customers_subscribe(catalogue, world):
    with pytest.raises(ValidationError) as exc:
        services.subscribe(catalogue.mail, world.provider, start_date=D(2026, 1, 1), by=world.manager)
    assert "organisation" in exc.value.message_dict


def test_status_goes_pipeline_live_retired(catalogue, world):
    vpn = catalogue.vpn
    assert vpn.status == ServiceStatus.PIPELINE
    with pytest.raises(IllegalTransition) as exc:
        services.retire_service(vpn, by=world.manager)
    assert "go_live" in str(exc.value)
    vpn = services.go_live(vpn, by=world.manager)
    assert vpn.status == ServiceStatus.LIVE
    vpn = services.retire_service(vpn, by=world.manager)
    assert vpn.status == ServiceStatus.RETIRED
    for action in ("go_live", "retire"):
        with pytest.raises(IllegalTransition) as exc:
            services.transition(vpn, action, by=world.manager)
        assert "final" in str(exc.value)
    with pytest.raises(IllegalTransition):
        services.update_service(vpn, {"status": ServiceStatus.LIVE}, by=world.manager)
    with pytest.raises(IllegalTransition):
        services.update_service(vpn, {"name": "VPN 2"}, by=world.manager)
    with pytest.raises(ValidationError):
        services.subscribe(vpn, world.acme, start_date=D(2026, 1, 1), by=world.manager)
    assert [e.changes["status"] for e in history_for(vpn) if e.action == "update"] == [
        ["pipeline", "live"],
        ["live", "retired"],
    ]


def test_status_cannot_skip_a_step(catalogue, world):
    with pytest.raises(IllegalTransition):
        services.update_service(catalogue.vpn, {"status": ServiceStatus.RETIRED}, by=world.manager)
    with pytest.raises(ValidationError):
        services.create_service(by=world.manager, name="Gone", owner=world.network, status="retired")


@pytest.mark.parametrize("who", ["agent", "acme_user", "acme_manager"])
def test_only_administrators_and_managers_change_the_catalogue(catalogue, world, who):
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        services.create_service(by=user, name="Printing", owner=world.service_desk)
    with pytest.raises(PermissionDenied):
        services.go_live(catalogue.vpn, by=user)
    with pytest.raises(PermissionDenied):
        services.subscribe(catalogue.vpn, world.acme, start_date=D(2026, 1, 1), by=user)
    services.go_live(catalogue.vpn, by=world.admin)


def test_subscribed_by_offers_only_running_subscriptions(catalogue, world):
    on = D(2026, 3, 1)
    assert list(Service.objects.subscribed_by(world.acme, on=on)) == [catalogue.mail]
    assert list(Service.objects.subscribed_by(world.globex, on=on)) == [catalogue.backup]
    assert list(Service.objects.subscribed_by(world.globex, on=D(2026, 6, 30))) == [catalogue.backup]
    assert not Service.objects.subscribed_by(world.globex, on=D(2026, 7, 1)).exists()
    assert not Service.objects.subscribed_by(world.acme, on=D(2025, 12, 31)).exists()
    services.subscribe(catalogue.vpn, world.acme, start_date=D(2026, 1, 1), by=world.manager)
    assert set(Service.objects.subscribed_by(world.acme.pk, on=on)) == {catalogue.mail, catalogue.vpn}
    services.retire_service(catalogue.mail, by=world.manager)
    assert list(Service.objects.subscribed_by(world.acme, on=on)) == [catalogue.vpn]


def test_customers_see_only_their_subscribed_services_and_subscriptions(catalogue, world):
    assert set(Service.objects.restrict(world.agent)) == {catalogue.mail, catalogue.backup, catalogue.vpn}
    assert list(Service.objects.restrict(world.acme_user)) == [catalogue.mail]
    assert list(Service.objects.restrict(world.globex_user)) == [catalogue.backup]
    assert list(Subscription.objects.restrict(world.globex_user)) == [catalogue.globex_backup]
    assert list(Subscription.objects.restrict(world.acme_only_agent)) == [catalogue.acme_mail]
