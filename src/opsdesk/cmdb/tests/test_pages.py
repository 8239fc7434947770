"""The CMDB pages: list and filters, a CI's page, forms with attribute errors, relationships, tenancy."""

from opsdesk.cmdb.models import CI, Relationship
from opsdesk.cmdb.tests.conftest import rel


def test_staff_list_and_filter_cis(world, estate, login):
    client = login(world.agent)
    page = client.get("/cmdb/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("Acme mail", "Core-R1", "Globex-DB", "MX1"):
        assert name in html
    assert 'href="/cmdb/new/"' in html
    servers = client.get("/cmdb/?ci_class=hardware").content.decode()
    assert "MX1" in servers and "Globex-DB" in servers and "Core-R1" not in servers
    assert client.get("/cmdb/?status=bogus").status_code == 422


def test_a_customer_sees_its_own_cis_only_and_cannot_edit(world, estate, login):
    alice = login(world.acme_user)
    html = alice.get("/cmdb/").content.decode()
    assert "MX1" in html and "Globex-DB" not in html and "Core-R1" not in html
    assert "New configuration item" not in html
    assert alice.get(f"/cmdb/{estate.globex_db.pk}/").status_code == 404
    assert alice.get(f"/cmdb/{estate.r1.pk}/").status_code == 404
    detail = alice.get(f"/cmdb/{estate.mx1.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Edit configuration item" not in body and "Add relationship" not in body
    assert "Core-R1" not in body  # the provider's routers are not hers to see
    assert "2 more configuration items" not in body
    for path in ("/cmdb/new/", f"/cmdb/{estate.mx1.pk}/edit/"):
        assert alice.get(path).status_code == 404
    assert alice.post(f"/cmdb/{estate.mx1.pk}/retire/").status_code == 404
    assert login(world.globex_user).get(f"/cmdb/{estate.mx1.pk}/").status_code == 404


def test_the_ci_page_shows_attributes_relationships_both_ways_and_impact(world, estate, login):
    html = login(world.agent).get(f"/cmdb/{estate.mx1.pk}/").content.decode()
    assert "RAM (GB)" in html and "64" in html and "10.0.0.5" in html
    assert "Hardware › Server" in html
    assert "has installed" in html and "connected to" in html
    assert "uplink" in html
    impact = html.split('id="impact"')[1]
    assert "Exchange" in impact and "Acme mail" in impact
    assert "Managed Mail" in impact and "Acme Ltd" in impact
    assert 'id="ci-graph-data"' in html and "vendor/cytoscape.js" in html
    router = login(world.agent).get(f"/cmdb/{estate.r1.pk}/").content.decode()
    assert "(on a redundant path)" in router and "Nothing else fails with it." in router


def test_creating_a_server_shows_attribute_errors_on_their_fields(world, login):
    client = login(world.agent)
    assert "Server" in client.get("/cmdb/new/").content.decode()
    form = client.get("/cmdb/new/server/").content.decode()
    assert 'for="id_attr_ram_gb"' in form and 'for="id_attr_purchase_date"' in form
    data = {
        "name": "app7",
        "organisation": world.acme.pk,
        "status": "installed",
        "environment": "test",
        "criticality": "high",
        "attr_ram_gb": "lots",
        "attr_ip_address": "10.0.0.7",
    }
    bad = client.post("/cmdb/new/server/", data)
    assert bad.status_code == 422
    assert "RAM (GB) must be a number." in bad.content.decode()
    assert 'id="id_attr_ram_gb_error"' in bad.content.decode()
    ok = client.post("/cmdb/new/server/", {**data, "attr_ram_gb": "16", "attr_virtual": "true"})
    assert ok.status_code == 302
    ci = CI.objects.get(name="app7")
    assert ci.attributes == {"ram_gb": 16, "ip_address": "10.0.0.7", "virtual": True}
    assert ci.environment == "test" and ci.ci_class.key == "server"


def test_editing_keeps_other_values_and_refuses_stale_forms(world, estate, login):
    client = login(world.agent)
    url = f"/cmdb/{estate.mx1.pk}/edit/"
    form = client.get(url).content.decode()
    assert 'value="64"' in form
    data = {
        "name": "MX1",
        "organisation": world.acme.pk,
        "status": "in_maintenance",
        "environment": "production",
        "criticality": "critical",
        "attr_ram_gb": "128",
        "attr_ip_address": "10.0.0.5",
        "version": estate.mx1.version,
    }
    assert client.post(url, data).status_code == 302
    mx1 = CI.objects.get(pk=estate.mx1.pk)
    assert mx1.status == "in_maintenance" and mx1.attributes == {"ram_gb": 128, "ip_address": "10.0.0.5"}
    stale = client.post(url, {**data, "criticality": "low"})
    assert stale.status_code == 412
    assert CI.objects.get(pk=estate.mx1.pk).criticality == "critical"


def test_relationships_are_added_by_name_in_either_direction_and_removed(world, estate, login):
    client = login(world.agent)
    url = f"/cmdb/{estate.globex_db.pk}/relationships/"
    # "Globex-DB hosts Exchange" is read from the server: Exchange runs on Globex-DB.
    response = client.post(url, {"relation": "runs-on:in", "other": "exchange"}, follow=True)
    assert "Globex-DB hosts Exchange." in response.content.decode()
    link = Relationship.objects.get(type=rel("runs-on"), target=estate.globex_db)
    assert link.source == estate.app
    refused = client.post(url, {"relation": "installed-on:out", "other": "Core-R1"}, follow=True)
    assert "needs a source of class Software" in refused.content.decode()
    missing = client.post(url, {"relation": "depends-on:out", "other": "nothing-here"}, follow=True)
    assert "There is no configuration item “nothing-here”." in missing.content.decode()
    removed = client.post(f"/cmdb/{estate.globex_db.pk}/relationships/{link.pk}/remove/", follow=True)
    assert removed.status_code == 200 and not Relationship.objects.filter(pk=link.pk).exists()


def test_retiring_from_the_page(world, estate, login):
    client = login(world.agent)
    response = client.post(f"/cmdb/{estate.r2.pk}/retire/", {"version": estate.r2.version}, follow=True)
    assert "is retired" in response.content.decode()
    assert CI.objects.get(pk=estate.r2.pk).status == "retired"


def test_an_agent_limited_to_acme_cannot_reach_globex(world, estate, login):
    lena = login(world.acme_only_agent)
    assert lena.get(f"/cmdb/{estate.globex_db.pk}/").status_code == 404
    assert lena.get(f"/cmdb/{estate.r1.pk}/").status_code == 200  # the provider's kit is in her scope
