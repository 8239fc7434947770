"""Export of a filtered CI list (page and API) and the import page."""

import csv
import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile

from opsdesk.cmdb.models import CI


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_the_page_exports_the_filtered_list_with_the_class_attributes(world, estate, login):
    client = login(world.agent)
    html = client.get("/cmdb/?ci_class=server").content.decode()
    assert 'href="/cmdb/export/?ci_class=server&amp;format=csv"' in html
    response = client.get("/cmdb/export/?ci_class=server&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="configuration-items.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert [r["name"] for r in rows] == ["Globex-DB", "MX1"]
    header = list(rows[0])
    assert header[:5] == ["id", "name", "class", "organisation", "external_id"]
    assert {"ram_gb", "ip_address"} <= set(header)
    assert rows[1]["ram_gb"] == "64" and rows[1]["organisation"] == "Acme Ltd"


def test_a_customers_export_holds_its_own_cis_only(world, estate, login):
    rows = json.loads(body(login(world.acme_user).get("/cmdb/export/?format=json")))
    assert sorted(r["name"] for r in rows) == ["Acme mail", "Exchange", "MX1"]


def test_the_api_exports_json_with_typed_values(world, estate, api):
    response = api(world.agent).get(f"/api/v1/cis/export?format=json&organisation={world.acme.pk}")
    assert response.status_code == 200
    rows = json.loads(body(response))
    mx1 = next(r for r in rows if r["name"] == "MX1")
    assert mx1["ram_gb"] == 64 and mx1["class"] == "server" and mx1["version"] == ""
    assert api(world.agent).get("/api/v1/cis/export?format=xml").status_code == 422


def test_an_export_imports_back_unchanged(world, estate, login):
    client = login(world.agent)
    exported = body(client.get("/cmdb/export/?ci_class=server&format=csv"))
    # Globex's server is in the file too: as an Acme import it would be a new CI, so pick Acme's rows.
    lines = exported.splitlines()
    acme_only = "\n".join([lines[0], *[line for line in lines[1:] if "Acme Ltd" in line]]) + "\n"
    upload = SimpleUploadedFile("servers.csv", acme_only.encode(), content_type="text/csv")
    response = client.post("/cmdb/import/", {"file": upload, "what": "server", "organisation": world.acme.pk})
    assert response.status_code == 200
    assert "Imported nothing" not in response.content.decode()
    assert response.context["report"].unchanged == 1


def test_the_import_page_shows_rejects_and_changes_nothing(world, estate, login):
    client = login(world.agent)
    upload = SimpleUploadedFile("s.csv", b"name,ram_gb\nWeb1,8\nWeb2,lots\n", content_type="text/csv")
    response = client.post("/cmdb/import/", {"file": upload, "what": "server", "organisation": world.acme.pk})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<td>3</td><td>ram_gb</td><td>RAM (GB) must be a number.</td>" in html
    assert not CI.objects.filter(name="Web1").exists()


def test_the_import_page_is_for_staff_in_scope(world, estate, login):
    assert login(world.acme_user).get("/cmdb/import/").status_code in (403, 404)
    client = login(world.acme_only_agent)
    upload = SimpleUploadedFile("s.csv", b"name\nWeb1\n", content_type="text/csv")
    response = client.post(
        "/cmdb/import/", {"file": upload, "what": "server", "organisation": world.globex.pk}
    )
    assert response.status_code == 422  # Globex is not a choice for her
    assert not CI.objects.filter(name="Web1").exists()
