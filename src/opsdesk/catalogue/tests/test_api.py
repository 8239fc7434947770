"""``/api/v1/services``: reading, creating, patching (ETag/If-Match), subscriptions, tenancy."""

import pytest

from opsdesk.catalogue import services
from opsdesk.catalogue.models import Service

URL = "/api/v1/services"


def test_staff_list_the_catalogue_with_filters(catalogue, world, api):
    client = api(world.agent)
    body = client.get(URL).json()
    assert [s["name"] for s in body["results"]] == ["Backups", "Managed Mail", "VPN"]
    mail = next(s for s in body["results"] if s["name"] == "Managed Mail")
    assert mail["owner_name"] == "Service Desk" and mail["status"] == "live"
    assert [p["name"] for p in mail["parameters"]] == ["Mailbox size", "Retention", "Availability"]
    assert [s["name"] for s in client.get(f"{URL}?status=pipeline").json()["results"]] == ["VPN"]
    owner = client.get(f"{URL}?owner={world.network.pk}").json()["results"]
    assert [s["name"] for s in owner] == ["Backups", "VPN"]
    assert [s["name"] for s in client.get(f"{URL}?q=exchange").json()["results"]] == ["Managed Mail"]
    page = client.get(f"{URL}?limit=2&count=true").json()
    assert page["count"] == 3 and len(page["results"]) == 2
    rest = client.get(page["next"]).json()
    assert [s["name"] for s in rest["results"]] == ["VPN"] and rest["next"] is None
    assert client.get(f"{URL}?status=bogus").status_code == 422


def test_a_manager_creates_a_service(world, api):
    client = api(world.manager)
    response = client.post(
        URL,
        {
            "name": "Printing",
            "owner": world.service_desk.pk,
            "service_hours": "Mon-Fri 08:00-18:00",
            "parameters": [{"name": "Printers", "value": "up to 20"}, {"name": "Toner", "value": "included"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pipeline" and [p["value"] for p in body["parameters"]] == [
        "up to 20",
        "included",
    ]
    assert response["ETag"] == f'"{body["id"]}-{body["version"]}"'
    assert response["Location"].endswith(f"/api/v1/services/{body['id']}")


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "name"),
        ({"name": "X", "owner": 999999}, "owner"),
        ({"name": "X", "colour": "red"}, "colour"),
        ({"name": "Managed Mail"}, "name"),  # the name is taken
        ({"name": "X", "status": "retired"}, "status"),
        (
            {"name": "X", "parameters": [{"name": "A", "value": "1"}, {"name": "a", "value": "2"}]},
            "parameters",
        ),
    ],
)
def test_invalid_services_are_422_naming_the_field(catalogue, world, api, payload, field):
    payload = {"owner": world.network.pk, **payload}
    response = api(world.manager).post(URL, payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert Service.objects.count() == 3


def test_agents_and_customers_cannot_write(catalogue, world, api):
    for user in (world.agent, world.acme_manager):
        client = api(user)
        assert client.post(URL, {"name": "X", "owner": world.network.pk}).status_code == 403
        assert client.patch(f"{URL}/{catalogue.mail.pk}", {"name": "Y"}).status_code == 403
        response = client.post(
            f"{URL}/{catalogue.mail.pk}/subscriptions",
            {"organisation": world.acme.pk, "start_date": "2027-01-01"},
        )
        assert response.status_code == 403
    assert Service.objects.get(pk=catalogue.mail.pk).name == "Managed Mail"


def test_patch_with_if_match(catalogue, world, api):
    client = api(world.manager)
    url = f"{URL}/{catalogue.mail.pk}"
    etag = client.get(url)["ETag"]
    response = client.patch(
        url,
        {"service_hours": "24x7", "parameters": [{"name": "Mailbox size", "value": "5 GB"}]},
        headers={"HTTP_IF_MATCH": etag},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["service_hours"] == "24x7" and body["parameters"] == [
        {"name": "Mailbox size", "value": "5 GB"}
    ]
    assert response["ETag"] != etag
    stale = client.patch(url, {"service_hours": "never"}, headers={"HTTP_IF_MATCH": etag})
    assert stale.status_code == 412
    assert Service.objects.get(pk=catalogue.mail.pk).service_hours == "24x7"
    assert client.patch(url, {"name": ""}).status_code == 422


def test_patch_status_follows_the_lifecycle(catalogue, world, api):
    client = api(world.manager)
    url = f"{URL}/{catalogue.vpn.pk}"
    skipped = client.patch(url, {"status": "retired"})
    assert skipped.status_code == 409 and "go_live" in skipped.json()["detail"]
    assert client.patch(url, {"status": "live"}).json()["status"] == "live"
    assert client.patch(url, {"status": "retired"}).json()["status"] == "retired"
    assert client.patch(url, {"status": "live"}).status_code == 409


def test_subscriptions_through_the_api(catalogue, world, api):
    client = api(world.manager)
    url = f"{URL}/{catalogue.mail.pk}/subscriptions"
    created = client.post(
        url, {"organisation": world.globex.pk, "start_date": "2026-02-01", "sla_notes": "Gold"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["organisation_name"] == "Globex plc" and created.json()["end_date"] is None
    overlap = client.post(url, {"organisation": world.acme.pk, "start_date": "2025-05-01"})
    assert overlap.status_code == 422 and "start_date" in overlap.json()["errors"]
    backwards = client.post(
        url, {"organisation": world.acme.pk, "start_date": "2024-05-01", "end_date": "2024-04-01"}
    )
    assert backwards.status_code == 422 and "end_date" in backwards.json()["errors"]
    provider = client.post(url, {"organisation": world.provider.pk, "start_date": "2030-01-01"})
    assert provider.status_code == 422 and "organisation" in provider.json()["errors"]
    listed = client.get(url).json()["results"]
    assert [s["organisation_name"] for s in listed] == ["Acme Ltd", "Globex plc"]
    running = client.get(f"{url}?active_on=2026-01-15").json()["results"]
    assert [s["organisation_name"] for s in running] == ["Acme Ltd"]


def test_customers_see_only_their_own_services_and_subscriptions(catalogue, world, api):
    globex = api(world.globex_user)
    assert [s["name"] for s in globex.get(URL).json()["results"]] == ["Backups"]
    assert globex.get(f"{URL}/{catalogue.mail.pk}").status_code == 404
    assert globex.get(f"{URL}/{catalogue.mail.pk}/subscriptions").status_code == 404
    assert globex.get(f"{URL}/999999").status_code == 404
    # Acme joins Backups too: Globex still sees only its own subscription.
    services.subscribe(
        catalogue.backup, world.acme, start_date=catalogue.acme_mail.start_date, by=world.manager
    )
    mine = globex.get(f"{URL}/{catalogue.backup.pk}/subscriptions").json()["results"]
    assert [s["organisation_name"] for s in mine] == ["Globex plc"]
    acme = api(world.acme_user)
    assert [s["name"] for s in acme.get(URL).json()["results"]] == ["Backups", "Managed Mail"]
