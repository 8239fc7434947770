"""SLA definitions: the seeded default, targets for every priority, one default per organisation and one
provider-wide default, and which SLA applies (subscription, organisation, provider-wide)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from opsdesk.catalogue import services as catalogue
from opsdesk.core.audit import history_for
from opsdesk.core.context import acting_as
from opsdesk.core.errors import PermissionDenied, StaleObject
from opsdesk.sla import services
from opsdesk.sla.models import Calendar, Sla
from opsdesk.sla.tests.conftest import targets

JAN_1 = dt.date(2026, 1, 1)


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_the_standard_sla_is_the_provider_wide_default(standard):
    assert standard.is_default and standard.is_active and standard.calendar.name == "UK office hours"
    table = {t.priority: (t.response_minutes, t.resolution_minutes) for t in standard.targets.all()}
    assert table == {0: (15, 240), 1: (30, 480), 2: (120, 960), 3: (240, 2400), 4: (480, 4800)}
    assert standard.warning_thresholds == [75, 100]
    assert standard.notify_roles == ["owner", "workgroup_lead", "manager"]
    assert standard.pausing_reasons == ["customer", "part_shipped", "external", "scheduled"]


def test_a_manager_creates_an_sla_with_all_five_targets_audited(world, acme_gold):
    assert [t.priority for t in acme_gold.targets.all()] == [0, 1, 2, 3, 4]
    assert acme_gold.warning_thresholds == [75, 100] and acme_gold.pausing_reasons[0] == "customer"
    changes = [entry.changes for entry in history_for(acme_gold)]
    assert any("targets" in c for c in changes)


@pytest.mark.parametrize(
    "rows, message",
    [
        (targets()[:4], "missing: P4"),
        (targets() + [targets()[0]], "P0 appears twice"),
        (targets(p3=(0, 60)), "P3: both targets are a positive number"),
        (targets(p1=(120, 60)), "P1: the resolution target cannot be shorter"),
        (
            targets()[:4] + [{"priority": 7, "response_minutes": 1, "resolution_minutes": 2}],
            "Unknown priority",
        ),
    ],
)
def test_targets_must_cover_every_priority_sensibly(world, rows, message):
    with pytest.raises(ValidationError) as exc_info:
        services.create_sla(
            by=world.admin,
            name="Broken",
            organisation=world.acme,
            calendar=Calendar.objects.get(name="24x7"),
            targets=rows,
        )
    assert any(message in m for m in _errors(exc_info)["targets"])
    assert not Sla.objects.filter(name="Broken").exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("warning_thresholds", [100, 75]),
        ("warning_thresholds", [0, 50]),
        ("warning_thresholds", [75, 120]),
        ("warning_thresholds", []),
        ("notify_roles", ["owner", "ceo"]),
        ("pausing_reasons", ["customer", "lunch"]),
    ],
)
def test_thresholds_roles_and_pausing_reasons_are_checked(world, field, value):
    with pytest.raises(ValidationError) as exc_info:
        services.create_sla(
            by=world.admin,
            name="Broken",
            organisation=world.acme,
            calendar=Calendar.objects.get(name="24x7"),
            targets=targets(),
            **{field: value},
        )
    assert field in _errors(exc_info)


def test_one_default_per_organisation_and_one_provider_wide_default(world, standard, acme_gold):
    calendar = Calendar.objects.get(name="24x7")
    with pytest.raises(ValidationError) as exc_info:
        services.create_sla(
            by=world.admin,
            name="Acme Silver",
            organisation=world.acme,
            is_default=True,
            calendar=calendar,
            targets=targets(),
        )
    assert "already has a default" in _errors(exc_info)["is_default"][0]
    with pytest.raises(ValidationError) as exc_info:
        services.create_sla(
            by=world.admin, name="Premium", is_default=True, calendar=calendar, targets=targets()
        )
    assert "provider-wide default" in _errors(exc_info)["is_default"][0]
    # Not default: fine, for Acme and provider-wide; Globex may have its own default.
    services.create_sla(
        by=world.admin, name="Acme Silver", organisation=world.acme, calendar=calendar, targets=targets()
    )
    services.create_sla(by=world.admin, name="Premium", calendar=calendar, targets=targets())
    services.create_sla(
        by=world.admin,
        name="Acme Gold",
        organisation=world.globex,
        is_default=True,
        calendar=calendar,
        targets=targets(),
    )
    with pytest.raises(ValidationError) as exc_info:
        services.create_sla(
            by=world.admin, name="Acme Silver", organisation=world.acme, calendar=calendar, targets=targets()
        )
    assert "name" in _errors(exc_info)


def test_only_customers_have_slas_of_their_own(world):
    with pytest.raises(ValidationError) as exc_info:
        services.create_sla(
            by=world.admin,
            name="Ours",
            organisation=world.provider,
            calendar=Calendar.objects.get(name="24x7"),
            targets=targets(),
        )
    assert "organisation" in _errors(exc_info)


def test_agents_and_customers_may_not_change_slas(world, standard):
    for user in (world.agent, world.acme_manager):
        with pytest.raises(PermissionDenied):
            services.update_sla(standard, {"name": "Mine"}, by=user)
        with pytest.raises(PermissionDenied):
            services.create_sla(by=user, name="Mine", calendar=standard.calendar, targets=targets())


def test_update_replaces_targets_and_checks_the_version(world, acme_gold):
    with acting_as(world.manager, "web"):
        updated = services.update_sla(
            acme_gold,
            {"notes": "Gold"},
            by=world.manager,
            expected_version=acme_gold.version,
            targets=targets(5, 50),
        )
    assert updated.notes == "Gold"
    assert {(t.response_minutes, t.resolution_minutes) for t in updated.targets.all()} == {(5, 50)}
    with pytest.raises(StaleObject):
        services.update_sla(
            acme_gold, {"notes": "Stale"}, by=world.manager, expected_version=acme_gold.version
        )
    with pytest.raises(ValidationError) as exc_info:
        services.update_sla(updated, {}, by=world.manager, targets=targets()[:3])
    assert "targets" in _errors(exc_info)
    assert updated.targets.count() == 5
    with pytest.raises(ValidationError) as exc_info:
        services.update_sla(updated, {"organisation": world.globex}, by=world.manager)
    assert "organisation" in _errors(exc_info)


def test_a_default_sla_cannot_be_deactivated(world, acme_gold):
    with pytest.raises(ValidationError) as exc_info:
        services.update_sla(acme_gold, {"is_active": False}, by=world.manager)
    assert "is_active" in _errors(exc_info)


def test_sla_for_prefers_the_subscription_then_the_organisation_then_the_provider_default(
    world, standard, acme_gold
):
    calendar = Calendar.objects.get(name="24x7")
    with acting_as(world.manager, "web"):
        mail = catalogue.create_service(
            by=world.manager, name="Mail", owner=world.service_desk, status="live"
        )
        sub = catalogue.subscribe(
            mail, world.acme, start_date=JAN_1, end_date=dt.date(2026, 6, 30), by=world.manager
        )
        platinum = services.create_sla(
            by=world.manager,
            name="Mail Platinum",
            organisation=world.acme,
            calendar=calendar,
            targets=targets(5, 30),
        )
        services.set_subscription_sla(sub, platinum, by=world.manager)
    assert services.sla_for(world.acme, mail, on=dt.date(2026, 3, 1)) == platinum
    # Outside the subscription, or for another service: the organisation's default.
    assert services.sla_for(world.acme, mail, on=dt.date(2026, 7, 1)) == acme_gold
    assert services.sla_for(world.acme, on=dt.date(2026, 3, 1)) == acme_gold
    # Globex has none of its own: the provider-wide default.
    assert services.sla_for(world.globex, mail, on=dt.date(2026, 3, 1)) == standard
    # Back to the default when the subscription no longer names an SLA.
    services.set_subscription_sla(sub, None, by=world.manager)
    assert services.sla_for(world.acme, mail, on=dt.date(2026, 3, 1)) == acme_gold


def test_a_subscription_takes_only_a_provider_wide_sla_or_the_subscribers_own(world, standard):
    with acting_as(world.manager, "web"):
        mail = catalogue.create_service(
            by=world.manager, name="Mail", owner=world.service_desk, status="live"
        )
        sub = catalogue.subscribe(mail, world.acme, start_date=JAN_1, by=world.manager)
        globex_sla = services.create_sla(
            by=world.manager,
            name="Globex",
            organisation=world.globex,
            calendar=standard.calendar,
            targets=targets(),
        )
        with pytest.raises(ValidationError) as exc_info:
            services.set_subscription_sla(sub, globex_sla, by=world.manager)
        assert "sla" in _errors(exc_info)
        services.set_subscription_sla(sub, standard, by=world.manager)
    assert services.sla_for(world.acme, mail, on=JAN_1) == standard
