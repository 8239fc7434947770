import json

import pytest
from django.core.management import call_command

from opsdesk.cmdb import services, transfer
from opsdesk.cmdb.models import CI, Relationship
from opsdesk.cmdb.tests.conftest import cls, ensure_seeded, make_ci
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
