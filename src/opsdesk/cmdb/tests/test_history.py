"""The point-in-time view of a CI page, rebuilt from the audit trail."""

import datetime as dt

import time_machine

from opsdesk.cmdb import services
from opsdesk.cmdb.tests.conftest import ensure_seeded, make_ci, rel
from opsdesk.core.context import acting_as

BEFORE = dt.datetime(2026, 11, 20, 21, 0, tzinfo=dt.UTC)
OUTAGE = dt.datetime(2026, 11, 20, 23, 0, tzinfo=dt.UTC)


def build(world):
    """A server with 32 GB on two routers; at 23:00 it gets 64 GB, a new name, and loses router B."""
    ensure_seeded()
    by = world.agent
    with time_machine.travel(BEFORE, tick=False), acting_as(by, "web"):
        server = make_ci(by, "DB1", "server", world.acme, attributes={"ram_gb": 32})
        router_a = make_ci(by, "Router A", "router", world.provider)
        router_b = make_ci(by, "Router B", "router", world.provider)
        services.add_relationship(server, rel("connected-to"), router_a, by=by)
        link_b = services.add_relationship(
            server, rel("connected-to"), router_b, by=by, redundancy_group="up"
        )
    with time_machine.travel(OUTAGE, tick=False), acting_as(by, "web"):
        services.update_ci(server, {"name": "DB1-new", "attributes": {"ram_gb": 64}}, by=by)
        services.remove_relationship(link_b, by=by)
        services.update_ci(router_a, {"name": "Router A2"}, by=by)
    return server


def test_the_ci_page_shows_the_ci_and_its_relationships_before_and_after_an_edit(world, login):
    server = build(world)
    client = login(world.agent)
    now = client.get(f"/cmdb/{server.pk}/").content.decode()
    assert 'name="at"' in now and "Show past view" in now
    before = client.get(f"/cmdb/{server.pk}/?at=2026-11-20T22:00%2B00:00")
    html = before.content.decode()
    assert "Past view: DB1 as it was at 2026-11-20 22:00" in html
    assert "not as they are now" in html
    past = before.context["past"]
    assert past.ci.name == "DB1" and past.ci.attributes == {"ram_gb": 32}
    assert [(r.label, r.other_name, r.redundancy_group) for r in past.relationships] == [
        ("connected to", "Router A", ""),
        ("connected to", "Router B", "up"),
    ]
    after = client.get(f"/cmdb/{server.pk}/?at=2026-11-20T23:30%2B00:00").context["past"]
    assert after.ci.name == "DB1-new" and after.ci.attributes == {"ram_gb": 64}
    assert [(r.other_name) for r in after.relationships] == ["Router A2"]


def test_before_the_ci_existed_and_a_bad_moment(world, login):
    server = build(world)
    client = login(world.agent)
    early = client.get(f"/cmdb/{server.pk}/?at=2026-11-19T10:00%2B00:00")
    assert "did not exist yet" in early.content.decode()
    bad = client.get(f"/cmdb/{server.pk}/?at=last-tuesday")
    assert bad.status_code == 302


def test_the_past_view_keeps_to_what_the_user_may_see(world, login):
    server = build(world)
    assert login(world.globex_user).get(f"/cmdb/{server.pk}/?at=2026-11-20T22:00").status_code == 404
    # A customer gets the current page (history is for staff).
    page = login(world.acme_user).get(f"/cmdb/{server.pk}/?at=2026-11-20T22:00%2B00:00")
    assert "past" not in page.context and "Past view" not in page.content.decode()
