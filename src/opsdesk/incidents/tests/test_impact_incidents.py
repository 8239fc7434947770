"""The open incidents on an impact analysis: on the CI, on everything that fails with it and on the
services affected, as each persona may see them (``GET /api/v1/cis/{id}/impact`` and the CI page)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsdesk.cmdb import services as cmdb
from opsdesk.cmdb.graph import add_open_records, impact_report
from opsdesk.cmdb.models import CI
from opsdesk.cmdb.tests.conftest import Estate, estate, make_ci, rel  # noqa: F401  (the fixture)
from opsdesk.core.context import acting_as


@dataclass
class Outage:
    """Acme's comms room (the root) houses the provider's core switch; both of Acme's mail server's
    redundant routers hang off that switch, and so does Globex's database server. Losing the room loses
    the switch, both routers, MX1, Exchange, the Acme mail service CI (Managed Mail) and Globex-DB."""

    room: CI
    switch: CI
    laptop: CI  # Acme's, not on the impact


@pytest.fixture
def outage(world, estate: Estate) -> Outage:  # noqa: F811
    by = world.agent
    with acting_as(by, "web"):
        room = make_ci(by, "Leeds comms room", "location", world.acme)
        switch = make_ci(by, "Core switch", "switch", world.provider)
        laptop = make_ci(by, "Alice's laptop", "laptop", world.acme)
        cmdb.add_relationship(switch, rel("located-in"), room, by=by)
        for router in (estate.r1, estate.r2):
            cmdb.add_relationship(router, rel("connected-to"), switch, by=by)
        cmdb.add_relationship(estate.globex_db, rel("connected-to"), switch, by=by)
    return Outage(room, switch, laptop)


@pytest.fixture
def tickets(world, estate, outage):  # noqa: F811
    """One incident of each kind that matters, by name."""
    desk = world.service_desk
    made = {
        # P1: Acme's, raised by Alice, on the mail server two levels down
        "mx1": world.incident(title="Mail is down", impact="high", urgency="critical", cis=[estate.mx1]),
        # P3: Acme's, raised by Bob, on the provider's router
        "router": world.incident(title="Router flapping", requester=world.acme_user2.person, cis=[estate.r1]),
        # P2: Acme's, on the affected catalogue service, no CI named
        "service": world.incident(
            title="Mail slow", impact="medium", urgency="urgent", service=estate.mail_service
        ),
        # P3: Acme's, on the room itself
        "room": world.incident(title="Room too warm", cis=[outage.room]),
        # P0: Globex's, on its own server that fails with the switch
        "globex": world.incident(
            org=world.globex,
            title="Globex DB gone",
            impact="severe",
            urgency="immediate",
            cis=[estate.globex_db],
        ),
        # Acme's, on a CI that does not fail
        "laptop": world.incident(
            title="Laptop slow", impact="severe", urgency="immediate", cis=[outage.laptop]
        ),
    }
    completed = world.incident(title="Exchange fixed", impact="severe", urgency="immediate", cis=[estate.app])
    completed = world.act(completed, "assign", workgroup=desk)
    completed = world.act(completed, "accept")
    made["completed"] = world.act(
        completed, "complete", resolution_code="fixed", resolution_notes="Restarted"
    )
    closed = world.incident(title="Exchange fixed and closed", cis=[estate.app])
    closed = world.act(closed, "assign", workgroup=desk)
    closed = world.act(closed, "accept")
    closed = world.act(closed, "complete", resolution_code="fixed", resolution_notes="Restarted")
    made["closed"] = world.act(closed, "close", note="Alice agreed by phone")
    return made


def _incidents(client, ci):
    response = client.get(f"/api/v1/cis/{ci.pk}/impact")
    assert response.status_code == 200, response.content
    (section,) = response.json()["downstream"]["records"]
    assert section["kind"] == "incident" and section["heading"] == "Open incidents"
    return section


def test_an_agent_sees_the_open_incidents_of_every_customer_most_pressing_first(world, outage, tickets, api):
    section = _incidents(api(world.agent), outage.room)
    numbers = [r["reference"] for r in section["records"]]
    expected = ["globex", "mx1", "service", "router", "room"]  # P0, P1, P2, then the P3s oldest first
    assert numbers == [tickets[name].number for name in expected]
    assert section["total"] == 5
    by_number = {r["reference"]: r for r in section["records"]}
    assert by_number[tickets["mx1"].number]["on"] == [
        {"kind": "ci", "id": tickets["mx1"].cis.get().pk, "name": "MX1"}
    ]
    assert [t["name"] for t in by_number[tickets["router"].number]["on"]] == ["Core-R1"]
    assert by_number[tickets["service"].number]["on"] == [
        {"kind": "service", "id": tickets["service"].service_id, "name": "Managed Mail"}
    ]
    assert by_number[tickets["room"].number]["on"][0]["name"] == "Leeds comms room"  # the CI itself
    assert by_number[tickets["mx1"].number]["url"] == f"/incidents/{tickets['mx1'].number}/"
    assert by_number[tickets["mx1"].number]["priority"] == 1
    # completed and closed ones, and those on a CI that does not fail, are not on the impact
    for name in ("completed", "closed", "laptop"):
        assert tickets[name].number not in numbers


def test_a_customer_manager_sees_only_their_organisations_incidents_across_the_providers_cis(
    world, outage, tickets, api
):
    section = _incidents(api(world.acme_manager), outage.room)
    numbers = [r["reference"] for r in section["records"]]
    # Bob's incident on the provider's router is Acme's: it counts, although the router is hidden.
    assert numbers == [tickets[name].number for name in ("mx1", "service", "router", "room")]
    assert section["total"] == 4
    assert tickets["globex"].number not in numbers
    assert all(r["url"].startswith("/portal/") for r in section["records"])


def test_a_customer_sees_only_the_incidents_they_raised(world, outage, tickets, api):
    section = _incidents(api(world.acme_user), outage.room)
    assert [r["reference"] for r in section["records"]] == [
        tickets[name].number for name in ("mx1", "service", "room")
    ]
    assert section["total"] == 3


def test_another_customer_gets_a_404_not_the_incidents(world, outage, tickets, api):
    assert api(world.globex_user).get(f"/api/v1/cis/{outage.room.pk}/impact").status_code == 404


def test_the_upstream_side_and_a_ci_nothing_fails_with_list_nothing(world, estate, outage, tickets, api):  # noqa: F811
    body = api(world.agent).get(f"/api/v1/cis/{estate.mail.pk}/impact").json()
    assert body["upstream"]["records"] == []
    section = body["downstream"]["records"][0]
    # The mail service CI fails alone, but it carries the catalogue service: the service's incident counts.
    assert [r["reference"] for r in section["records"]] == [tickets["service"].number]
    laptop = api(world.agent).get(f"/api/v1/cis/{outage.laptop.pk}/impact").json()["downstream"]["records"][0]
    assert laptop["records"][0]["reference"] == tickets["laptop"].number


def test_the_limit_keeps_the_most_pressing_and_the_total_counts_them_all(world, outage, tickets):
    report = impact_report(outage.room, world.agent)
    add_open_records(outage.room, report, world.agent, limit=2)
    (section,) = report["downstream"].records
    assert [r.reference for r in section.records] == [tickets["globex"].number, tickets["mx1"].number]
    assert section.total == 5


def _queries(ci, user) -> int:
    report = impact_report(ci, user)
    with CaptureQueriesContext(connection) as captured:
        add_open_records(ci, report, user)
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_the_number_of_incidents(world, estate, outage):  # noqa: F811
    world.incident(title="First", cis=[estate.mx1, estate.app], service=estate.mail_service)
    few = _queries(outage.room, world.agent)
    for n in range(12):
        world.incident(title=f"More {n}", cis=[estate.mx1] if n % 2 else [outage.switch, estate.app])
    many = _queries(outage.room, world.agent)
    assert few == many, (few, many)
    report = impact_report(outage.room, world.agent)
    assert report["downstream"].records[0].total == 13


def test_the_ci_page_shows_the_incidents_on_what_fails(world, estate, outage, tickets, login):  # noqa: F811
    page = login(world.agent).get(outage.room.get_absolute_url()).content.decode()
    impact = page.split('id="impact"')[1].split('id="upstream-heading"')[0]
    assert "Open incidents on what fails" in impact
    for name in ("globex", "mx1", "service", "router", "room"):
        assert f'<a href="/incidents/{tickets[name].number}/">{tickets[name].number}</a>' in impact
    for name in ("completed", "closed", "laptop"):
        assert tickets[name].number not in impact
    assert f'<a href="/cmdb/{estate.mx1.pk}/">MX1</a>' in impact
    assert f'service <a href="/catalogue/{estate.mail_service.pk}/">Managed Mail</a>' in impact
    assert "P0" in impact and "Mail is down" in impact

    customer = login(world.acme_manager).get(outage.room.get_absolute_url()).content.decode()
    impact = customer.split('id="impact"')[1].split('id="upstream-heading"')[0]
    assert tickets["router"].number in impact
    assert "Core-R1" in impact  # named on Acme's own incident
    assert f'href="/cmdb/{estate.r1.pk}/"' not in impact  # but the provider's router has no page for them
    assert tickets["globex"].number not in impact and "Globex" not in impact
