"""``/api/v1/calendars`` and ``/api/v1/services/{id}/subscriptions/{sid}/sla``: who reads, who writes,
422 with field names, If-Match, tenancy."""

import datetime as dt

import pytest

from opsdesk.catalogue import services as catalogue
from opsdesk.core.audit import history_for
from opsdesk.sla import services
from opsdesk.sla.models import Calendar, Sla
from opsdesk.sla.signals import calendar_changed
from opsdesk.sla.tests.conftest import targets

URL = "/api/v1/calendars"
NEW = {
    "name": "Leeds office",
    "time_zone": "Europe/London",
    "holiday_country": "GB",
    "holiday_subdivision": "ENG",
    "hours": [
        {"weekday": 0, "start": "09:00", "end": "12:30"},
        {"weekday": 0, "start": "13:30", "end": "17:30"},
    ],
    "exceptions": [
        {"date": "2026-12-24", "kind": "open", "start": "09:00", "end": "13:00", "note": "Christmas Eve"},
        {"date": "2026-12-29", "kind": "closed"},
    ],
}


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["name"] for c in response.json()["results"]]


def test_staff_list_and_read_calendars_with_hours_and_exceptions(world, api):
    client = api(world.agent)
    assert _names(client.get(URL)) == ["24x7", "UK office hours"]
    assert _names(client.get(f"{URL}?is_24x7=true")) == ["24x7"]
    uk = Calendar.objects.get(name="UK office hours")
    response = client.get(f"{URL}/{uk.pk}")
    assert response["ETag"] == f'"{uk.pk}-{uk.version}"'
    body = response.json()
    assert body["time_zone"] == "Europe/London" and body["holiday_subdivision"] == "ENG"
    assert body["hours"][0] == {"weekday": 0, "start": "09:00:00", "end": "17:30:00"}
    assert len(body["hours"]) == 5 and body["exceptions"] == []


def test_a_manager_creates_a_calendar(world, api):
    response = api(world.manager).post(URL, NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"].endswith(f"/api/v1/calendars/{body['id']}")
    assert [h["start"] for h in body["hours"]] == ["09:00:00", "13:30:00"]
    assert body["exceptions"][0]["note"] == "Christmas Eve" and body["exceptions"][1]["kind"] == "closed"
    calendar = Calendar.objects.get(pk=body["id"])
    assert [e.channel for e in history_for(calendar)] == ["api", "api"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"hours": [NEW["hours"][0], {"weekday": 0, "start": "12:00", "end": "14:00"}]}, "hours"),
        ({"hours": [{"weekday": 9, "start": "09:00", "end": "10:00"}]}, "hours.0.weekday"),
        ({"hours": [{"weekday": 1, "start": "25:00", "end": "10:00"}]}, "hours.0.start"),
        ({"exceptions": [{"date": "2026-12-24", "kind": "open"}]}, "exceptions"),
        ({"exceptions": [{"date": "2026-12-24", "kind": "half"}]}, "exceptions.0.kind"),
        ({"time_zone": "Europe/Leeds"}, "time_zone"),
        ({"holiday_country": "XX"}, "holiday_country"),
        ({"holiday_subdivision": "YKS"}, "holiday_subdivision"),
        ({"name": "24x7"}, "name"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_calendars_are_422_naming_the_field(world, api, change, field):
    response = api(world.admin).post(URL, {**NEW, **change})
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert not Calendar.objects.filter(name="Leeds office").exists()


def test_patch_replaces_rows_honours_if_match_and_is_announced_once(world, api):
    heard = []

    def receiver(sender, calendar, by, reason, **kwargs):
        heard.append((calendar.pk, by, reason))

    client = api(world.manager)
    created = client.post(URL, NEW)
    calendar_id, etag = created.json()["id"], created["ETag"]
    calendar_changed.connect(receiver)
    try:
        response = client.patch(
            f"{URL}/{calendar_id}",
            {"notes": "Moved", "hours": [{"weekday": 4, "start": "08:00", "end": "16:00"}]},
            headers={"HTTP_IF_MATCH": etag},
        )
        assert response.status_code == 200, response.content
        assert response.json()["hours"] == [{"weekday": 4, "start": "08:00:00", "end": "16:00:00"}]
        assert len(response.json()["exceptions"]) == 2  # not given: kept
        assert response["ETag"] != etag
        stale = client.patch(f"{URL}/{calendar_id}", {"notes": "Late"}, headers={"HTTP_IF_MATCH": etag})
        assert stale.status_code == 412
    finally:
        calendar_changed.disconnect(receiver)
    assert heard == [(calendar_id, world.manager, "Calendar Leeds office edited")]
    assert Calendar.objects.get(pk=calendar_id).notes == "Moved"
    assert client.patch(f"{URL}/{calendar_id}", {"time_zone": None}).status_code == 422
    cleared = client.patch(f"{URL}/{calendar_id}", {"holiday_country": None, "holiday_subdivision": None})
    assert cleared.status_code == 200 and cleared.json()["holiday_country"] == ""


def test_only_administrators_and_managers_write(world, api):
    uk = Calendar.objects.get(name="UK office hours")
    for user in (world.agent, world.acme_manager, world.acme_user):
        client = api(user)
        assert client.post(URL, NEW).status_code == 403
        assert client.patch(f"{URL}/{uk.pk}", {"notes": "Mine"}).status_code in (403, 404)
    assert api(world.agent).patch(f"{URL}/{uk.pk}", {"notes": "Mine"}).status_code == 403
    assert Calendar.objects.get(pk=uk.pk).version == uk.version


def test_customers_see_only_the_calendars_their_slas_count_in(world, api, acme_gold):
    # Standard (provider-wide) counts in UK office hours; Acme Gold in 24x7.
    assert _names(api(world.acme_user).get(URL)) == ["24x7", "UK office hours"]
    assert _names(api(world.globex_user).get(URL)) == ["UK office hours"]
    always = Calendar.objects.get(name="24x7")
    assert api(world.globex_user).get(f"{URL}/{always.pk}").status_code == 404
    assert api(world.globex_user).patch(f"{URL}/{always.pk}", {"notes": "x"}).status_code == 404


# --- a subscription's SLA ----------------------------------------------------------------------------------


@pytest.fixture
def subscription(world):
    desktop = catalogue.create_service(by=world.manager, name="Desktop PC", owner=world.service_desk)
    return catalogue.subscribe(desktop, world.acme, start_date=dt.date(2026, 1, 1), by=world.manager)


def _sla_url(subscription) -> str:
    return f"/api/v1/services/{subscription.service_id}/subscriptions/{subscription.pk}/sla"


def test_a_subscription_runs_under_the_default_until_it_names_an_sla(world, api, standard, subscription):
    body = api(world.agent).get(_sla_url(subscription)).json()
    assert body["sla"] is None and body["effective_sla_name"] == "Standard"


def test_a_manager_names_a_subscriptions_sla_with_if_match(world, api, standard, subscription, acme_gold):
    client = api(world.manager)
    url = _sla_url(subscription)
    etag = client.get(url)["ETag"]
    response = client.put(url, {"sla": acme_gold.pk}, headers={"HTTP_IF_MATCH": etag})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["sla_name"] == "Acme Gold" and body["effective_sla_name"] == "Acme Gold"
    assert response["ETag"] != etag
    assert services.sla_for(world.acme, subscription.service, dt.date(2026, 6, 1)) == acme_gold
    assert client.put(url, {"sla": standard.pk}, headers={"HTTP_IF_MATCH": etag}).status_code == 412
    back = client.patch(url, {"sla": None}, headers={"HTTP_IF_MATCH": response["ETag"]})
    assert back.status_code == 200 and back.json()["sla"] is None
    assert back.json()["effective_sla_name"] == "Acme Gold"  # Acme's own default


def test_subscription_sla_validation_and_permissions(world, api, standard, subscription):
    globex_sla = services.create_sla(
        by=world.admin,
        name="Globex Basic",
        organisation=world.globex,
        calendar=standard.calendar,
        targets=targets(),
    )
    client = api(world.manager)
    url = _sla_url(subscription)
    wrong = client.put(url, {"sla": globex_sla.pk})
    assert wrong.status_code == 422 and "sla" in wrong.json()["errors"]
    assert client.put(url, {"sla": 999999}).status_code == 422
    assert client.put(url, {}).status_code == 422
    assert api(world.agent).put(url, {"sla": standard.pk}).status_code == 403
    assert api(world.acme_user).get(url).status_code == 200
    assert api(world.acme_user).put(url, {"sla": standard.pk}).status_code == 403
    assert api(world.globex_user).get(url).status_code == 404
    assert not Sla.objects.filter(subscription_links__subscription=subscription).exists()


def test_an_agent_limited_to_acme_cannot_reach_a_globex_subscription(world, api, standard):
    hosting = catalogue.create_service(by=world.manager, name="Hosting", owner=world.service_desk)
    globex_sub = catalogue.subscribe(hosting, world.globex, start_date=dt.date(2026, 1, 1), by=world.manager)
    client = api(world.acme_only_agent)
    assert client.get(_sla_url(globex_sub)).status_code == 404
    assert api(world.agent).get(_sla_url(globex_sub)).status_code == 200
