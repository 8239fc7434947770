import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from opsdesk.cmdb import history, services, transfer
from opsdesk.cmdb.models import CI, Relationship
from opsdesk.cmdb.tests.conftest import cls, ensure_seeded, make_ci
from opsdesk.core.audit import history_for
from opsdesk.core.context import acting_as
from opsdesk.core.errors import PermissionDenied
from opsdesk.core.models import AuditEntry

GOOD = "name,external_id,status,ram_gb,ip_address\nWeb1,INV-1,installed,32,10.0.0.1\nWeb2,INV-2,,16,\n"


@pytest.fixture
def seeded(world):
    ensure_seeded()
    return world


def import_servers(world, data, **options):
    options.setdefault("by", world.agent)
    with acting_as(options["by"], "web"):
        return services.import_cis(data, ci_class=cls("server"), organisation=world.acme, **options)


def servers(world):
    return CI.objects.filter(organisation=world.acme, ci_class=cls("server"))


def test_a_valid_file_creates_the_cis_with_their_attributes_and_audits_each(seeded):
    report = import_servers(seeded, GOOD)
    assert (report.created, report.updated, report.rejected, report.applied) == (2, 0, 0, True)
    web1 = servers(seeded).get(external_id="INV-1")
    assert web1.attributes == {"ram_gb": 32, "ip_address": "10.0.0.1"}
    assert AuditEntry.objects.filter(object_id=str(web1.pk), action="create").exists()


def test_a_dry_run_reports_but_changes_nothing(seeded):
    report = import_servers(seeded, GOOD, dry_run=True)
    assert (report.created, report.applied) == (2, False)
    assert "Would import: 2 created" in report.summary()
    assert not servers(seeded).exists()


def test_rejected_rows_name_line_column_and_reason_and_nothing_is_imported(seeded):
    data = GOOD + 'Web3,INV-3,bogus,8,\n"Web4\nsecond line",INV-4,,lots,\nWeb5,INV-5,,4,999.1.1.1\n'
    report = import_servers(seeded, data)
    found = {(r.line, r.column) for r in report.rejects}
    assert found == {(4, "status"), (5, "ram_gb"), (7, "ip_address")}
    assert any("must be a number" in r.reason for r in report.rejects)
    assert report.applied is False and not servers(seeded).exists()


def test_an_unknown_column_rejects_the_file(seeded):
    report = import_servers(seeded, "name,colour\nWeb1,red\n")
    assert [(r.line, r.column) for r in report.rejects] == [(1, "colour")]
    assert not servers(seeded).exists()


def test_partial_imports_the_valid_rows_and_returns_the_rejects_as_a_file(seeded):
    report = import_servers(seeded, GOOD + "Web3,INV-3,,many,\n", partial=True)
    assert (report.created, report.rejected, report.applied) == (2, 1, True)
    assert set(servers(seeded).values_list("name", flat=True)) == {"Web1", "Web2"}
    content, content_type = transfer.write_rejects(report)
    assert content_type == "text/csv"
    assert content.splitlines() == [
        "line,column,reason,name,external_id,status,ram_gb,ip_address",
        "4,ram_gb,RAM (GB) must be a number.,Web3,INV-3,,many,",
    ]


def test_rows_match_existing_cis_by_external_id_then_by_name(seeded):
    with acting_as(seeded.agent, "web"):
        old = make_ci(seeded.agent, "Old name", "server", seeded.acme, external_id="INV-1")
        by_name = make_ci(seeded.agent, "Web2", "server", seeded.acme, attributes={"ram_gb": 16})
        make_ci(seeded.agent, "Web1", "server", seeded.globex)  # another customer's namesake
    report = import_servers(seeded, GOOD)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 0)
    old.refresh_from_db()
    by_name.refresh_from_db()
    assert old.name == "Web1" and old.attributes["ram_gb"] == 32
    assert by_name.external_id == "INV-2"
    again = import_servers(seeded, GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_json_import_takes_a_list_of_objects(seeded):
    data = json.dumps([{"name": "J1", "attributes": {"ram_gb": 8}}, {"name": "J2", "ram_gb": "x"}])
    report = import_servers(seeded, data, file_format="json", partial=True)
    assert report.created == 1
    assert [(r.line, r.column) for r in report.rejects] == [(2, "ram_gb")]


def test_an_agent_limited_to_acme_cannot_import_into_globex(seeded):
    with acting_as(seeded.acme_only_agent, "web"), pytest.raises(PermissionDenied):
        services.import_cis(
            GOOD, ci_class=cls("server"), organisation=seeded.globex, by=seeded.acme_only_agent
        )
    assert not CI.objects.filter(organisation=seeded.globex, name="Web1").exists()


def test_relationships_import_by_external_id_or_name(seeded):
    import_servers(seeded, GOOD)
    with acting_as(seeded.agent, "web"):
        make_ci(seeded.agent, "CRM", "application", seeded.acme, external_id="APP-1")
        report = services.import_relationships(
            "source,type,target\nAPP-1,installed-on,Web1\nCRM,installed on,INV-2\nCRM,flies to,Web1\n",
            by=seeded.agent,
            organisation=seeded.acme,
            partial=True,
        )
    assert (report.created, report.rejected) == (2, 1)
    assert [(r.line, r.column) for r in report.rejects] == [(4, "type")]
    assert Relationship.objects.filter(source__name="CRM").count() == 2


def test_the_command_imports_and_writes_rejects(seeded, tmp_path, capsys):
    source = tmp_path / "servers.csv"
    source.write_text(GOOD + "Web3,INV-3,,many,\n")
    with pytest.raises(SystemExit):
        call_command(
            "cmdb", "import", str(source), "--class", "Server", "--organisation", "Acme Ltd", "--dry-run"
        )
    assert not servers(seeded).exists()
    rejects = tmp_path / "rejects.csv"
    with pytest.raises(SystemExit):
        call_command(
            "cmdb",
            "import",
            str(source),
            "--class",
            "server",
            "--organisation",
            seeded.acme.short_name,
            "--partial",
            "--rejects",
            str(rejects),
        )
    assert servers(seeded).count() == 2
    assert "line 4, column ram_gb" in capsys.readouterr().err
    assert rejects.read_text().startswith("line,column,reason")


def test_a_file_giving_the_same_item_twice_is_rejected_on_the_second_line(seeded):
    data = (
        "name,external_id,ram_gb\n"
        "Web1,INV-1,8\n"
        "Web1 again,INV-1,16\n"  # the same new external id
        "Web2,,8\n"
        "Web2,,16\n"  # the same new name, no external id
        "Web1,,32\n"  # the name of a CI the file creates (with an external id) above
    )
    report = import_servers(seeded, data, partial=True)
    assert report.created == 2
    assert [(r.line, r.column, r.reason) for r in report.rejects] == [
        (3, "external_id", "Line 2 already gives this item."),
        (5, "name", "Line 4 already gives this item."),
        (6, "name", "Line 2 already gives this item."),
    ]
    assert sorted(servers(seeded).values_list("name", "attributes__ram_gb")) == [("Web1", 8), ("Web2", 8)]


def test_two_new_cis_may_share_a_name_when_their_external_ids_differ(seeded):
    report = import_servers(seeded, "name,external_id\nWeb,INV-1\nWeb,INV-2\n")
    assert (report.created, report.rejected) == (2, 0)
    assert servers(seeded).filter(name="Web").count() == 2


def test_an_external_id_another_ci_of_the_organisation_holds_is_refused(seeded):
    with acting_as(seeded.agent, "web"):
        make_ci(seeded.agent, "Laptop 9", "laptop", seeded.acme, external_id="INV-9")
        make_ci(seeded.agent, "Web7", "server", seeded.acme, external_id="INV-7")
    report = import_servers(seeded, "name,external_id\nWeb1,INV-9\nWeb7,INV-8\nWeb8,INV-8\n", partial=True)
    assert [(r.line, r.column) for r in report.rejects] == [(2, ""), (4, "")]
    assert "ci_unique_external_id" in report.rejects[0].reason
    assert (report.created, report.updated) == (0, 1)  # Web7 (matched by name) takes INV-8 first
    assert servers(seeded).get(name="Web7").external_id == "INV-8"


def test_an_imported_update_is_audited_and_shows_in_the_past_view(seeded):
    with acting_as(seeded.agent, "web"):
        web1 = make_ci(seeded.agent, "Web1", "server", seeded.acme, external_id="INV-1", vendor="Dell")
    before = timezone.now()
    report = import_servers(seeded, "external_id,vendor,ram_gb\nINV-1,HPE,64\n")
    assert (report.updated, report.applied) == (1, True)
    web1.refresh_from_db()
    assert (web1.vendor, web1.attributes, web1.version) == ("HPE", {"ram_gb": 64}, 2)
    update = history_for(web1).last()
    assert update.action == "update" and update.actor == seeded.agent and update.channel == "web"
    assert update.changes == {"vendor": ["Dell", "HPE"], "attributes": [{}, {"ram_gb": 64}]}
    assert update.organisation_id == seeded.acme.pk
    assert history.states_at(CI, [web1.pk], before)[web1.pk]["vendor"] == "Dell"
    assert history.states_at(CI, [web1.pk], timezone.now())[web1.pk]["vendor"] == "HPE"
    # The same file again changes nothing: no new version, no audit entry.
    again = import_servers(seeded, "external_id,vendor,ram_gb\nINV-1,HPE,64\n")
    assert (again.updated, again.unchanged, again.applied) == (0, 1, False)
    web1.refresh_from_db()
    assert web1.version == 2 and history_for(web1).count() == 2


def test_rows_for_a_disposed_ci_or_a_new_retired_one_are_rejected(seeded):
    with acting_as(seeded.agent, "web"):
        old = make_ci(seeded.agent, "Old", "server", seeded.acme)
        old = services.retire_ci(old, by=seeded.agent)
        services.update_ci(old, {"status": "disposed"}, by=seeded.agent)
    report = import_servers(seeded, "name,status,vendor\nOld,,Dell\nNew,retired,\n", partial=True)
    assert [(r.line, r.column) for r in report.rejects] == [(2, "status"), (3, "status")]
    assert "Cannot edit from status 'disposed'" in report.rejects[0].reason
    assert (report.created, report.updated, report.applied) == (0, 0, False)


def test_reference_attributes_name_existing_cis(seeded):
    with acting_as(seeded.admin, "web"):
        vm = services.create_class(
            by=seeded.admin,
            name="Virtual machine",
            key="vm",
            parent=cls("server"),
            attributes=[{"name": "host", "label": "Host", "type": "ci"}],
        )
    with acting_as(seeded.agent, "web"):
        host = make_ci(seeded.agent, "Host1", "server", seeded.acme)
        report = services.import_cis(
            f"name,host\nvm1,{host.pk}\nvm2,{host.pk + 1000}\nvm3,\n",
            ci_class=vm,
            organisation=seeded.acme,
            by=seeded.agent,
            partial=True,
        )
    assert report.created == 2
    assert [(r.line, r.column, r.reason) for r in report.rejects] == [
        (3, "host", f"Host: there is no configuration item {host.pk + 1000}.")
    ]
    assert CI.objects.get(name="vm1").attributes == {"host": host.pk}


def test_a_rejected_update_in_a_partial_import_leaves_the_ci_alone(seeded):
    with acting_as(seeded.agent, "web"):
        web1 = make_ci(seeded.agent, "Web1", "server", seeded.acme, external_id="INV-1", vendor="Dell")
    report = import_servers(seeded, "external_id,vendor,ram_gb\nINV-1,HPE,lots\nINV-2,,\n", partial=True)
    assert [(r.line, r.column) for r in report.rejects] == [(2, "ram_gb"), (3, "name")]
    web1.refresh_from_db()
    assert (web1.vendor, web1.version) == ("Dell", 1)


def test_the_number_of_queries_does_not_grow_with_the_file(seeded, django_assert_max_num_queries):
    with acting_as(seeded.agent, "web"):
        make_ci(seeded.agent, "Web0", "server", seeded.acme, external_id="INV-0")
    rows = "".join(f"Web{n},INV-{n},{n % 3 * 16 + 8},10.0.{n // 200}.{n % 200 + 1}\n" for n in range(300))
    data = "name,external_id,ram_gb,ip_address\n" + rows
    with django_assert_max_num_queries(40):
        report = import_servers(seeded, data)
    assert (report.created, report.updated) == (299, 1)
    with django_assert_max_num_queries(40):
        again = import_servers(seeded, data)
    assert again.unchanged == 300


def relate(world, data, **options):
    with acting_as(world.agent, "web"):
        return services.import_relationships(data, by=world.agent, organisation=world.acme, **options)


def test_a_relationship_file_gives_each_relationship_once(seeded):
    with acting_as(seeded.agent, "web"):
        make_ci(seeded.agent, "Web1", "server", seeded.acme)
        make_ci(seeded.agent, "Web2", "server", seeded.acme)
        make_ci(seeded.agent, "CRM", "application", seeded.acme)
    data = (
        "source,type,target\n"
        "Web1,connected-to,Web2\n"
        "Web2,connected to,Web1\n"  # symmetric: the same relationship read the other way
        "CRM,installed-on,Web1\n"
        "CRM,installed-on,Web1\n"
        "Web1,installed-on,CRM\n"  # a server is not software
    )
    report = relate(seeded, data, partial=True)
    assert report.created == 2
    content, _content_type = transfer.write_rejects(report)
    assert content.splitlines()[1] == "3,,Line 2 already gives this relationship.,Web2,connected to,Web1"
    assert [(r.line, r.column, r.reason) for r in report.rejects] == [
        (3, "", "Line 2 already gives this relationship."),
        (5, "", "Line 4 already gives this relationship."),
        (6, "source", "'installed on' needs a source of class Software; Web1 is a Server."),
        (6, "target", "'installed on' needs a target of class Hardware; CRM is a Application."),
    ]
    again = relate(seeded, "source,type,target\nWeb2,connected-to,Web1\nCRM,installed-on,Web1\n")
    assert (again.created, again.unchanged, again.rejected) == (0, 2, 0)


def test_an_imported_relationship_is_audited_and_shows_in_the_past_view(seeded):
    with acting_as(seeded.agent, "web"):
        web1 = make_ci(seeded.agent, "Web1", "server", seeded.acme)
        make_ci(seeded.agent, "Router A", "router", seeded.provider, external_id="R-A")
    relate(seeded, "source,type,target\nWeb1,connected-to,R-A\n")
    created = timezone.now()
    report = relate(seeded, "source,type,target,redundancy_group,notes\nWeb1,connected-to,R-A,uplink,\n")
    assert (report.updated, report.applied) == (1, True)
    link = Relationship.objects.get(source=web1)
    assert (link.redundancy_group, link.version) == ("uplink", 2)
    create, update = history_for(link)
    assert create.action == "create" and create.changes["target"][1] == link.target_id
    assert update.changes == {"redundancy_group": ["", "uplink"]} and update.actor == seeded.agent
    with acting_as(seeded.agent, "web"):
        then = history.ci_at(web1, created, seeded.agent).relationships
        now = history.ci_at(web1, timezone.now(), seeded.agent).relationships
    assert [(r.other_name, r.redundancy_group) for r in then] == [("Router A", "")]
    assert [(r.other_name, r.redundancy_group) for r in now] == [("Router A", "uplink")]


def test_a_relationship_import_is_checked_in_bulk(seeded, django_assert_max_num_queries):
    with acting_as(seeded.agent, "web"):
        switch = make_ci(seeded.agent, "SW1", "switch", seeded.acme)
    import_servers(seeded, "name\n" + "".join(f"Web{n}\n" for n in range(200)))
    data = "source,type,target\n" + "".join(f"Web{n},connected-to,SW1\n" for n in range(200))
    with django_assert_max_num_queries(30):
        report = relate(seeded, data)
    assert report.created == 200 and Relationship.objects.filter(target=switch).count() == 200
