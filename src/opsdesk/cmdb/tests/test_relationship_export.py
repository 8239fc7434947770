"""Relationships export in exactly the import's columns, so a CMDB's relationships read back unchanged."""

import csv
import io
import json

from opsdesk.cmdb import services, transfer
from opsdesk.core.context import acting_as


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_the_page_exports_the_listed_cis_relationships_and_they_import_back_unchanged(world, estate, login):
    client = login(world.agent)
    html = client.get("/cmdb/?ci_class=server").content.decode()
    assert 'href="/cmdb/export/?ci_class=server&amp;what=relationships&amp;format=csv"' in html
    everything = body(client.get("/cmdb/export/?what=relationships&format=csv"))
    rows = list(csv.DictReader(io.StringIO(everything)))
    assert list(rows[0]) == list(transfer.RELATIONSHIP_COLUMNS)
    assert {(r["source"], r["type"], r["target"], r["redundancy_group"]) for r in rows} == {
        ("Acme mail", "runs-on", "Exchange", ""),
        ("Exchange", "installed-on", "MX1", ""),
        ("MX1", "connected-to", "Core-R1", "uplink"),
        ("MX1", "connected-to", "Core-R2", "uplink"),
    }
    servers = list(
        csv.DictReader(io.StringIO(body(client.get("/cmdb/export/?ci_class=server&what=relationships"))))
    )
    assert {r["target"] for r in servers} == {"Core-R1", "Core-R2"}  # sources among the listed servers
    with acting_as(world.agent, "web"):
        report = services.import_relationships(everything, by=world.agent, dry_run=True)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 4, 0)


def test_the_api_exports_json_that_imports_back_unchanged_with_external_ids(world, estate, api):
    with acting_as(world.agent, "web"):
        services.update_ci(estate.mx1, {"external_id": "INV-MX1"}, by=world.agent)
    response = api(world.agent).get("/api/v1/cis/relationships/export?format=json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    items = json.loads(response.content)
    assert {
        "source": "Exchange",
        "type": "installed-on",
        "target": "INV-MX1",
        "redundancy_group": "",
        "notes": "",
    } in items
    with acting_as(world.agent, "web"):
        report = services.import_relationships(
            response.content, by=world.agent, file_format="json", dry_run=True
        )
    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 4, 0)


def test_a_customer_exports_only_relationships_between_its_own_cis(world, estate, api):
    rows = json.loads(api(world.acme_user).get("/api/v1/cis/relationships/export?format=json").content)
    assert sorted((r["source"], r["target"]) for r in rows) == [
        ("Acme mail", "Exchange"),
        ("Exchange", "MX1"),
    ]
    assert api(world.globex_user).get("/api/v1/cis/relationships/export").content.decode() == (
        "source,type,target,redundancy_group,notes\n"
    )
