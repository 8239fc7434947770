"""``/api/v1/cis``, its relationships and impact, and ``/api/v1/ci-classes``: tenancy, ETags, 422s."""

from opsdesk.cmdb.models import CI
from opsdesk.cmdb.tests.conftest import cls

URL = "/api/v1/cis"


def test_staff_list_cis_with_filters_and_cursor_pages(world, estate, api):
    client = api(world.agent)
    names = [ci["name"] for ci in client.get(URL).json()["results"]]
    assert names == ["Acme mail", "Core-R1", "Core-R2", "Exchange", "Globex-DB", "MX1"]
    hardware = client.get(f"{URL}?class=hardware").json()["results"]  # subclasses included
    assert [ci["name"] for ci in hardware] == ["Globex-DB", "MX1"]
    assert hardware[1]["attributes"] == {"ram_gb": 64, "ip_address": "10.0.0.5"}
    assert hardware[1]["ci_class_name"] == "Server"
    by_id = client.get(f"{URL}?class={cls('router').pk}").json()["results"]
    assert [ci["name"] for ci in by_id] == ["Core-R1", "Core-R2"]
    assert len(client.get(f"{URL}?organisation={world.acme.pk}").json()["results"]) == 3
    assert [c["name"] for c in client.get(f"{URL}?q=exch").json()["results"]] == ["Exchange"]
    assert client.get(f"{URL}?status=retired").json()["results"] == []
    page = client.get(f"{URL}?limit=4&count=true").json()
    assert page["count"] == 6 and len(page["results"]) == 4
    assert [c["name"] for c in client.get(page["next"]).json()["results"]] == ["Globex-DB", "MX1"]
    assert client.get(f"{URL}?class=toaster").status_code == 422
    assert client.get(f"{URL}?status=lost").status_code == 422


def test_search_finds_part_of_a_name_or_a_whole_serial_asset_tag_or_external_id(world, estate, api):
    from opsdesk.cmdb import services

    services.update_ci(
        estate.mx1,
        {"serial_number": "CZ1234AB", "asset_tag": "ACME-0042", "external_id": "INV-77"},
        by=world.agent,
    )
    client = api(world.agent)

    def found(term):
        return [c["name"] for c in client.get(f"{URL}?q={term}").json()["results"]]

    assert found("core-r") == ["Core-R1", "Core-R2"]
    assert found("cz1234ab") == found("acme-0042") == found("inv-77") == ["MX1"]
    assert found("CZ1234") == []  # part of a serial number is not enough
    assert found("x") == ["Exchange", "Globex-DB", "MX1"]  # too short for trigrams, found all the same


def test_a_customer_sees_only_its_own_organisations_cis(world, estate, api):
    alice = api(world.acme_user)
    names = [ci["name"] for ci in alice.get(URL).json()["results"]]
    assert names == ["Acme mail", "Exchange", "MX1"]
    assert alice.get(f"{URL}/{estate.globex_db.pk}").status_code == 404
    assert alice.get(f"{URL}/{estate.globex_db.pk}/impact").status_code == 404
    assert alice.get(f"{URL}/{estate.r1.pk}/relationships").status_code == 404
    assert api(world.globex_user).get(f"{URL}/{estate.mx1.pk}").status_code == 404
    # Her own server's relationships leave out the provider's routers.
    assert alice.get(f"{URL}/{estate.mx1.pk}/relationships").json() == [
        {
            "id": alice.get(f"{URL}/{estate.mx1.pk}/relationships").json()[0]["id"],
            "type": "installed-on",
            "direction": "incoming",
            "label": "has installed",
            "source": estate.app.pk,
            "source_name": "Exchange",
            "target": estate.mx1.pk,
            "target_name": "MX1",
            "redundancy_group": "",
            "notes": "",
            "version": 1,
        }
    ]


def test_customers_cannot_write(world, estate, api):
    carol = api(world.acme_manager)
    body = {"name": "x", "ci_class": cls("laptop").pk, "organisation": world.acme.pk}
    assert carol.post(URL, body).status_code == 403
    assert carol.patch(f"{URL}/{estate.mx1.pk}", {"notes": "x"}).status_code == 403
    assert (
        carol.post(f"{URL}/{estate.mx1.pk}/relationships", {"type": "depends-on", "target": 1}).status_code
        == 403
    )


def test_create_then_patch_with_if_match(world, api):
    client = api(world.agent)
    response = client.post(
        URL,
        {
            "name": "fs1",
            "ci_class": cls("server").pk,
            "organisation": world.acme.pk,
            "serial_number": "CZ123",
            "software_version": "BIOS 2.1",
            "attributes": {"cpu_count": 8, "purchase_date": "2024-01-31"},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"].endswith(f"/api/v1/cis/{body['id']}")
    assert body["attributes"] == {"cpu_count": 8, "purchase_date": "2024-01-31"}
    assert body["status"] == "installed" and body["environment"] == "production"
    url = f"{URL}/{body['id']}"
    etag = client.get(url)["ETag"]
    ok = client.patch(
        url, {"status": "in_maintenance", "attributes": {"cpu_count": 16}}, headers={"HTTP_IF_MATCH": etag}
    )
    assert ok.status_code == 200 and ok.json()["attributes"] == {"cpu_count": 16}
    assert ok["ETag"] != etag
    stale = client.patch(url, {"notes": "late"}, headers={"HTTP_IF_MATCH": etag})
    assert stale.status_code == 412
    assert CI.objects.get(pk=body["id"]).notes == ""


def test_validation_errors_name_the_attribute(world, api):
    client = api(world.agent)
    base = {"name": "fs2", "ci_class": cls("server").pk, "organisation": world.acme.pk}
    response = client.post(
        URL, {**base, "attributes": {"ram_gb": "plenty", "ip_address": "300.1.1.1", "colour": 1}}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"attributes.ram_gb", "attributes.ip_address", "attributes.colour"}
    assert errors["attributes.ram_gb"] == ["RAM (GB) must be a number."]
    assert client.post(URL, {**base, "ci_class": 999999}).json()["errors"] == {
        "ci_class": ["No such CI class: 999999."]
    }
    assert client.post(URL, {**base, "colour": "red"}).json()["errors"] == {
        "colour": ["Unknown or read-only field."]
    }
    limited = api(world.acme_only_agent)
    # Globex is outside her scope: it is not even a known organisation to her.
    assert limited.post(URL, {**base, "organisation": world.globex.pk}).status_code == 422


def test_relationships_are_added_and_removed(world, estate, api):
    client = api(world.agent)
    url = f"{URL}/{estate.globex_db.pk}/relationships"
    response = client.post(url, {"type": "connected-to", "target": estate.r1.pk, "redundancy_group": "a"})
    assert response.status_code == 201, response.content
    rel = response.json()
    assert (
        rel["label"] == "connected to" and rel["direction"] == "outgoing" and rel["redundancy_group"] == "a"
    )
    assert client.post(url, {"type": "connected-to", "target": estate.globex_db.pk}).status_code == 422
    bad = client.post(url, {"type": "installed-on", "target": estate.r1.pk})
    assert bad.status_code == 422 and "source" in bad.json()["errors"]
    assert client.post(url, {"type": "teleports-to", "target": estate.r1.pk}).json()["errors"] == {
        "type": ["No such relationship type: teleports-to."]
    }
    from_router = client.get(f"{URL}/{estate.r1.pk}/relationships").json()
    assert {(r["direction"], r["label"]) for r in from_router} == {("incoming", "connected to")}
    assert client.delete(f"{url}/{rel['id']}").status_code == 204
    assert client.get(url).json() == []


def test_impact_of_a_router_and_of_the_server(world, estate, api):
    client = api(world.agent)
    router = client.get(f"{URL}/{estate.r1.pk}/impact").json()
    assert router["downstream"]["cis"] == []
    assert [c["name"] for c in router["downstream"]["degraded"]] == ["MX1"]
    server = client.get(f"{URL}/{estate.mx1.pk}/impact").json()
    down = server["downstream"]
    assert [(c["name"], c["depth"]) for c in down["cis"]] == [("Exchange", 1), ("Acme mail", 2)]
    assert down["services"] == [{"id": estate.mail_service.pk, "name": "Managed Mail"}]
    assert down["customers"] == [{"id": world.acme.pk, "name": "Acme Ltd"}]
    assert [c["name"] for c in server["upstream"]["cis"]] == ["Core-R1", "Core-R2"]
    capped = client.get(f"{URL}/{estate.mx1.pk}/impact?max_depth=1").json()
    assert capped["downstream"]["depth_limited"] is True
    assert [c["name"] for c in capped["downstream"]["cis"]] == ["Exchange"]


def test_classes_are_read_by_all_and_written_by_managers(world, api):
    classes = api(world.acme_user).get("/api/v1/ci-classes").json()["results"]
    server = next(c for c in classes if c["key"] == "server")
    assert server["parent"] == cls("hardware").pk
    assert [a["name"] for a in server["all_attributes"]][:2] == ["purchase_date", "warranty_end"]
    body = {
        "name": "Blade",
        "key": "blade",
        "parent": server["id"],
        "attributes": [{"name": "slot", "type": "number"}],
    }
    assert api(world.agent).post("/api/v1/ci-classes", body).status_code == 403
    manager = api(world.manager)
    response = manager.post("/api/v1/ci-classes", body)
    assert response.status_code == 201, response.content
    blade = response.json()
    assert [a["name"] for a in blade["all_attributes"]][-1] == "slot"
    url = f"/api/v1/ci-classes/{blade['id']}"
    etag = manager.get(url)["ETag"]
    bad = manager.patch(
        url, {"attributes": [{"name": "slot", "type": "colour"}]}, headers={"HTTP_IF_MATCH": etag}
    )
    assert bad.status_code == 422 and "attributes" in bad.json()["errors"]
    ok = manager.patch(url, {"description": "Blade servers"}, headers={"HTTP_IF_MATCH": etag})
    assert ok.status_code == 200
    assert manager.patch(url, {"description": "x"}, headers={"HTTP_IF_MATCH": etag}).status_code == 412
    types = api(world.agent).get("/api/v1/ci-relationship-types").json()
    runs_on = next(t for t in types if t["key"] == "runs-on")
    assert runs_on["reverse_name"] == "hosts" and runs_on["impact"] == "source_depends"


def test_filter_by_attribute_values(world, estate, api):
    client = api(world.agent)
    laptop = cls("laptop").pk
    for name, encrypted in (("lt-1", True), ("lt-2", False)):
        body = {"name": name, "ci_class": laptop, "organisation": world.acme.pk}
        assert client.post(URL, {**body, "attributes": {"disk_encrypted": encrypted}}).status_code == 201
    names = lambda query: [c["name"] for c in client.get(f"{URL}?{query}").json()["results"]]  # noqa: E731
    assert names("attribute=ram_gb=64") == ["MX1"]
    assert names("attribute=ip_address=10.0.0.5&attribute=ram_gb=64") == ["MX1"]
    assert names("attribute=ram_gb=32") == []
    assert names("attribute=disk_encrypted=true") == ["lt-1"]
    assert names("attribute=disk_encrypted=false") == ["lt-2"]
    assert client.get(f"{URL}?attribute=nonsense").status_code == 422


def test_administrators_add_relationship_types(world, api):
    body = {
        "key": "powered-by",
        "forward_name": "powered by",
        "reverse_name": "powers",
        "target_classes": [cls("hardware").pk],
    }
    assert api(world.agent).post("/api/v1/ci-relationship-types", body).status_code == 403
    response = api(world.admin).post("/api/v1/ci-relationship-types", body)
    assert response.status_code == 201, response.content
    assert response.json()["target_classes"] == [cls("hardware").pk]
    again = api(world.admin).post("/api/v1/ci-relationship-types", body)
    assert again.status_code == 422 and "key" in again.json()["errors"]
    bad = api(world.admin).post("/api/v1/ci-relationship-types", {**body, "key": "x", "target_classes": [0]})
    assert bad.status_code == 422 and "target_classes" in bad.json()["errors"]


def test_impact_costs_the_same_queries_for_a_wide_graph(world, api, django_assert_max_num_queries):
    from opsdesk.cmdb import services
    from opsdesk.cmdb.tests.conftest import make_ci, rel

    by = world.agent
    switch = make_ci(by, "sw", "switch", world.acme)
    for n in range(15):
        server = make_ci(by, f"srv{n}", "server", world.acme)
        services.add_relationship(server, rel("connected-to"), switch, by=by)
        for m in range(2):
            app = make_ci(by, f"app{n}-{m}", "application", world.acme)
            services.add_relationship(app, rel("installed-on"), server, by=by)
    client = api(world.agent)
    with django_assert_max_num_queries(16):
        body = client.get(f"{URL}/{switch.pk}/impact").json()
    assert len(body["downstream"]["cis"]) == 45
