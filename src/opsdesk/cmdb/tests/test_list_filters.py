"""The CI list's filters (criticality, location, vendor, a class attribute), its sortable columns with
keyset pages, and the export keeping the filters."""

import csv
import io
import re

import pytest

from opsdesk.cmdb import services
from opsdesk.cmdb.tests.conftest import make_ci
from opsdesk.core.context import acting_as

pytestmark = pytest.mark.django_db


def names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/cmdb/\d+/">([^<]+)</a></td>', html)


@pytest.fixture
def fleet(world, estate):
    """Estate plus a site and three more servers of different criticality, vendor and OS."""
    with acting_as(world.agent, "web"):
        site = make_ci(world.agent, "Leeds DC", "location", world.acme)
        a = make_ci(
            world.agent,
            "app-01",
            "server",
            world.acme,
            criticality="critical",
            vendor="Dell",
            location=site,
            attributes={"ram_gb": 128},
        )
        b = make_ci(
            world.agent,
            "app-02",
            "server",
            world.acme,
            criticality="low",
            vendor="HPE",
            attributes={"ram_gb": 64},
        )
        c = make_ci(
            world.agent,
            "app-03",
            "server",
            world.acme,
            criticality="high",
            vendor="Dell Inc",
            location=site,
            attributes={"ram_gb": 64, "virtual": True},
        )
    return site, a, b, c


def test_filter_by_criticality_location_vendor(world, fleet, login):
    client = login(world.agent)
    assert names(client.get("/cmdb/?criticality=critical").content.decode()) == ["app-01"]
    assert names(client.get("/cmdb/?location=leeds").content.decode()) == ["app-01", "app-03"]
    assert names(client.get("/cmdb/?vendor=dell").content.decode()) == ["app-01", "app-03"]
    assert names(client.get("/cmdb/?vendor=dell&criticality=high").content.decode()) == ["app-03"]
    assert client.get("/cmdb/?criticality=urgent").status_code == 422


def test_filter_by_a_class_attribute_with_clear_errors(world, fleet, login):
    client = login(world.agent)
    assert sorted(names(client.get("/cmdb/?attribute=ram_gb%3D64").content.decode())) == [
        "MX1",
        "app-02",
        "app-03",
    ]
    assert names(client.get("/cmdb/?ci_class=server&attribute=virtual:yes").content.decode()) == ["app-03"]
    assert names(client.get("/cmdb/?attribute=ip_address%3D10.0.0.5").content.decode()) == ["MX1"]

    unknown = client.get("/cmdb/?ci_class=router&attribute=ram_gb%3D64")
    assert unknown.status_code == 422
    assert "Router has no attribute &#x27;ram_gb&#x27; (its attributes: firmware, management_ip)." in (
        unknown.content.decode()
    )
    wrong_type = client.get("/cmdb/?attribute=ram_gb%3Dlots")
    assert wrong_type.status_code == 422 and "RAM (GB) must be a number." in wrong_type.content.decode()
    garbled = client.get("/cmdb/?attribute=just-words")
    assert (
        garbled.status_code == 422 and "Write the attribute filter as name=value" in garbled.content.decode()
    )
    assert (
        "No class has an attribute &#x27;os_family&#x27;."
        in client.get("/cmdb/?attribute=os_family%3DX").content.decode()
    )


def test_sortable_columns_with_keyset_pages(world, fleet, login, monkeypatch):
    from opsdesk.cmdb import views

    client = login(world.agent)
    by_crit = names(client.get("/cmdb/?ci_class=server&sort=criticality").content.decode())
    assert by_crit[0] == "app-01" and by_crit.index("app-03") < by_crit.index("app-02")
    assert names(client.get("/cmdb/?ci_class=server&sort=-criticality").content.decode())[0] == "app-02"
    by_class = names(client.get("/cmdb/?sort=class").content.decode())
    assert (
        by_class.index("Exchange")
        < by_class.index("Leeds DC")
        < by_class.index("Core-R1")
        < by_class.index("MX1")
    )
    with acting_as(world.agent, "web"):
        services.update_ci(fleet[2], {"notes": "touched"}, by=world.agent)
    assert names(client.get("/cmdb/?sort=-updated").content.decode())[0] == "app-02"
    page = client.get("/cmdb/?sort=name").content.decode()
    assert 'aria-sort="ascending"' in page and "sort=-name" in page
    assert client.get("/cmdb/?sort=serial").status_code == 422

    # Pages follow the sort order and keep the filters.
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    seen, url = [], "/cmdb/?ci_class=hardware&sort=criticality"
    while url:
        html = client.get(url).content.decode()
        seen += names(html)
        found = re.search(r'href="(\?[^"]*cursor=[^"]+)" rel="next"', html)
        url = "/cmdb/" + found.group(1).replace("&amp;", "&") if found else None
    assert seen[0] == "app-01"
    assert sorted(seen) == sorted(["app-01", "app-02", "app-03", "MX1", "Globex-DB"])
    assert seen.index("app-03") < seen.index("app-02")


def test_the_export_keeps_the_new_filters(world, fleet, login):
    client = login(world.agent)
    response = client.get("/cmdb/export/?vendor=dell&attribute=ram_gb%3D64&sort=-updated&format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["name"] for row in rows] == ["app-03"]
    assert client.get("/cmdb/export/?attribute=ram_gb%3Dlots&format=csv").status_code == 422


def test_a_customer_filters_only_its_own_cis(world, fleet, login):
    html = login(world.globex_user).get("/cmdb/?attribute=ram_gb%3D64").content.decode()
    assert names(html) == []
