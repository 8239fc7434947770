"""Who may read the reports, through the pages, the CSV and the API: a customer manager of Acme never
sees Globex (404 everywhere), plain customer users have no reports, staff see every customer."""

from __future__ import annotations

import pytest

PAGES = ["/reports/", "/reports/sla/", "/reports/sla.csv", "/reports/sla/breaches/"]


@pytest.mark.parametrize("path", PAGES)
def test_a_customer_user_has_no_report_pages(world, login, path):
    assert login(world.acme_user).get(path).status_code == 404


def test_a_customer_user_is_refused_by_the_api(world, api):
    assert api(world.acme_user).get("/api/v1/reports/sla").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/reports/sla/?organisation={globex}",
        "/reports/sla.csv?organisation={globex}",
        "/reports/sla/breaches/?organisation={globex}",
        "/reports/service/{globex}/2025-01/",
        "/api/v1/reports/sla?organisation={globex}",
        "/api/v1/reports/sla/breaches?organisation={globex}",
    ],
)
def test_a_customer_manager_never_sees_another_organisation(world, login, january, path):
    url = path.format(globex=world.globex.pk)
    client = login(world.acme_manager)
    assert client.get(url).status_code == 404
    assert login(world.manager).get(url).status_code == 200


def test_a_customer_managers_report_holds_only_their_organisation(world, login, api, january):
    page = login(world.acme_manager).get("/reports/sla/?from=2025-01&to=2025-01")
    assert page.status_code == 200
    assert "Acme Ltd" in page.content.decode() and "Globex plc" not in page.content.decode()
    data = api(world.acme_manager).get("/api/v1/reports/sla?from=2025-01&to=2025-01").json()
    assert [r["organisation"]["name"] for r in data["rows"]] == ["Acme Ltd"]
    csv_text = login(world.acme_manager).get("/reports/sla.csv?from=2025-01&to=2025-01").content.decode()
    assert "Globex" not in csv_text and "Acme Ltd" in csv_text
    breaches = api(world.acme_manager).get("/api/v1/reports/sla/breaches?from=2025-01&to=2025-01").json()
    assert {b["organisation"]["name"] for b in breaches["results"]} == {"Acme Ltd"}


def test_an_agent_limited_to_acme_sees_only_acme(world, api, january):
    data = api(world.acme_only_agent).get("/api/v1/reports/sla?from=2025-01&to=2025-01").json()
    assert [r["organisation"]["name"] for r in data["rows"]] == ["Acme Ltd"]
    assert (
        api(world.acme_only_agent).get(f"/api/v1/reports/sla?organisation={world.globex.pk}").status_code
        == 404
    )
