"""The CMDB write path: CIs, relationships and their rules, audit, permissions; impact over the database."""

import pytest
from django.core.exceptions import ValidationError

from opsdesk.cmdb import services
from opsdesk.cmdb.choices import CIStatus
from opsdesk.cmdb.graph import DatabaseGraph, impact_report
from opsdesk.cmdb.impact import downstream
from opsdesk.cmdb.models import CI, Relationship
from opsdesk.cmdb.tests.conftest import cls, make_ci, rel
from opsdesk.core.audit import history_for
from opsdesk.core.context import acting_as
from opsdesk.core.errors import IllegalTransition, PermissionDenied, StaleObject


def test_creating_and_editing_a_ci_is_audited(world):
    with acting_as(world.agent, "web"):
        ci = make_ci(world.agent, "fs1", "server", world.acme, vendor="Dell", attributes={"ram_gb": "32"})
        ci = services.update_ci(ci, {"attributes": {"ram_gb": 64}, "vendor": "HPE"}, by=world.agent)
    assert ci.version == 2 and ci.attributes == {"ram_gb": 64}
    create, update = history_for(ci)
    assert create.action == "create" and create.organisation_id == world.acme.pk
    assert update.changes == {"vendor": ["Dell", "HPE"], "attributes": [{"ram_gb": 32}, {"ram_gb": 64}]}
    assert update.actor == world.agent and update.channel == "web"


def test_stale_versions_and_disposed_cis_are_refused(world):
    ci = make_ci(world.agent, "fs1", "server", world.acme)
    services.update_ci(ci, {"notes": "racked"}, by=world.agent)
    with pytest.raises(StaleObject):
        services.update_ci(ci, {"notes": "again"}, by=world.agent, expected_version=1)
    retired = services.retire_ci(ci, by=world.agent)
    assert retired.status == CIStatus.RETIRED
    with pytest.raises(IllegalTransition):
        services.retire_ci(retired, by=world.agent)
    disposed = services.update_ci(retired, {"status": CIStatus.DISPOSED}, by=world.agent)
    with pytest.raises(IllegalTransition):
        services.update_ci(disposed, {"notes": "gone"}, by=world.agent)


def test_only_service_cis_point_to_catalogue_services_and_locations_are_location_cis(world, estate):
    with pytest.raises(ValidationError) as exc:
        make_ci(world.agent, "x", "server", world.acme, service=estate.mail_service)
    assert "service" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_ci(world.agent, "y", "server", world.acme, location=estate.mx1)
    assert "location" in exc.value.message_dict
    room = make_ci(world.agent, "Leeds DC hall 2", "location", world.acme)
    assert make_ci(world.agent, "z", "server", world.acme, location=room).location == room


def test_external_ids_are_unique_per_organisation(world):
    make_ci(world.agent, "a", "laptop", world.acme, external_id="SN-1")
    make_ci(world.agent, "b", "laptop", world.globex, external_id="SN-1")
    with pytest.raises(ValidationError):
        make_ci(world.agent, "c", "laptop", world.acme, external_id="SN-1")


def test_relationship_rules(world, estate):
    by = world.agent
    with pytest.raises(ValidationError) as exc:
        services.add_relationship(estate.mx1, rel("depends-on"), estate.mx1, by=by)
    assert "itself" in exc.value.message_dict["target"][0]
    with pytest.raises(ValidationError) as exc:  # a server is not installed on anything
        services.add_relationship(estate.mx1, rel("installed-on"), estate.r1, by=by)
    assert "source" in exc.value.message_dict
    with pytest.raises(ValidationError):  # already related
        services.add_relationship(estate.app, rel("installed-on"), estate.mx1, by=by)
    with pytest.raises(ValidationError):  # connected to reads both ways: the reverse is a duplicate
        services.add_relationship(estate.r1, rel("connected-to"), estate.mx1, by=by)
    # a subclass satisfies its parent: a Router is Network, so it may be connected to hardware
    link = services.add_relationship(estate.r1, rel("connected-to"), estate.r2, by=by)
    assert history_for(link).get().action == "create"
    pk = link.pk
    services.remove_relationship(link, by=by)
    assert not Relationship.objects.filter(pk=pk).exists()
    link.pk = pk
    assert [e.action for e in history_for(link)] == ["create", "delete"]


def test_customers_read_only_and_agents_stay_in_their_scope(world, estate):
    with pytest.raises(PermissionDenied):
        make_ci(world.acme_manager, "mine", "laptop", world.acme)
    with pytest.raises(PermissionDenied):
        services.update_ci(estate.mx1, {"notes": "x"}, by=world.acme_user)
    with pytest.raises(PermissionDenied):  # limited to Acme
        make_ci(world.acme_only_agent, "g", "laptop", world.globex)
    with pytest.raises(PermissionDenied):
        services.add_relationship(estate.globex_db, rel("connected-to"), estate.r1, by=world.acme_only_agent)
    assert make_ci(world.acme_only_agent, "a", "laptop", world.acme).pk
    assert CI.objects.restrict(world.acme_user).filter(pk=estate.globex_db.pk).count() == 0
    assert set(CI.objects.restrict(world.acme_user).values_list("name", flat=True)) == {
        "Acme mail",
        "Exchange",
        "MX1",
        "a",
    }


def test_classes_and_types_are_managed_by_admins_and_managers(world):
    with pytest.raises(PermissionDenied):
        services.create_class(by=world.agent, name="Blade", key="blade", parent=cls("server"))
    blade = services.create_class(by=world.manager, name="Blade", key="blade", parent=cls("server"))
    with pytest.raises(PermissionDenied):
        services.create_relationship_type(
            by=world.agent, key="powers", forward_name="powered by", reverse_name="powers"
        )
    kind = services.create_relationship_type(
        by=world.admin,
        key="powered-by",
        forward_name="powered by",
        reverse_name="powers",
        target_classes=[cls("hardware")],
    )
    assert list(kind.target_classes.all()) == [cls("hardware")]
    assert blade.parent.key == "server"


def test_impact_over_the_database_respects_redundancy(world, estate, django_assert_max_num_queries):
    graph = DatabaseGraph()
    with django_assert_max_num_queries(2 * 4):
        result = downstream(graph, estate.mx1.pk)
    assert result.ids == [estate.app.pk, estate.mail.pk]
    assert downstream(DatabaseGraph(), estate.r1.pk).ids == []  # r2 still carries mx1
    assert downstream(DatabaseGraph(), estate.r1.pk).degraded == {estate.mx1.pk}
    report = impact_report(estate.mx1, world.agent)
    down = report["downstream"]
    assert [row["name"] for row in down.cis] == ["Exchange", "Acme mail"]
    assert [s["name"] for s in down.services] == ["Managed Mail"]
    assert [c["name"] for c in down.customers] == ["Acme Ltd"]
    assert [row["name"] for row in report["upstream"].cis] == ["Core-R1", "Core-R2"]


def test_customers_see_only_their_own_rows_in_an_impact_report(world, estate):
    report = impact_report(estate.mail, world.acme_user)
    assert [row["name"] for row in report["upstream"].cis] == ["Exchange", "MX1"]
    assert report["upstream"].hidden == 2  # the provider's routers


def test_values_of_a_dropped_attribute_leave_with_the_next_edit(world, estate):
    server = cls("server")
    services.update_class(
        server, {"attributes": [d for d in server.attributes if d["name"] != "ram_gb"]}, by=world.admin
    )
    mx1 = services.update_ci(estate.mx1, {"notes": "RAM no longer tracked"}, by=world.agent)
    assert mx1.attributes == {"ip_address": "10.0.0.5"}
    assert history_for(mx1).last().changes["attributes"] == [
        {"ram_gb": 64, "ip_address": "10.0.0.5"},
        {"ip_address": "10.0.0.5"},
    ]
