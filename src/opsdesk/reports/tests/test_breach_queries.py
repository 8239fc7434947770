"""The breach list (page and API) costs the same number of queries for 2 breached incidents as for 30."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsdesk.reports.tests.conftest import at, story


def _queries(client, url, rows):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    if url.startswith("/api/"):
        assert len(response.json()["results"]) == rows
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/reports/sla/breaches/?from=2025-01&to=2025-01",
        "/api/v1/reports/sla/breaches?from=2025-01&to=2025-01",
    ],
)
def test_the_breach_list_costs_the_same_for_2_and_30(world, travel, acme_sla, login, api, url):
    def breach(count):
        for n in range(count):
            story(world, travel, at(1, 10 + n % 5, 9) + dt.timedelta(minutes=n), 90, 300)  # both late
        travel(at(1, 20, 12))

    client = api(world.manager) if url.startswith("/api/") else login(world.manager)
    breach(2)
    _queries(client, url, 2)  # warm the per-process caches
    few = _queries(client, url, 2)
    breach(28)
    assert _queries(client, url, 30) == few
