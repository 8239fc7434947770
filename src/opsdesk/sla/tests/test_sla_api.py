"""``/api/v1/slas``: who reads which SLAs, who writes, validation with field names, If-Match, tenancy."""

import pytest

from opsdesk.sla.models import Calendar, Sla
from opsdesk.sla.tests.conftest import targets

URL = "/api/v1/slas"


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["name"] for s in response.json()["results"]]


@pytest.fixture
def globex_own(world):
    from opsdesk.sla import services

    return services.create_sla(
        by=world.admin,
        name="Globex Basic",
        organisation=world.globex,
        calendar=Calendar.objects.get(name="UK office hours"),
        targets=targets(),
    )


def test_staff_read_every_sla_with_targets(world, api, standard, acme_gold, globex_own):
    client = api(world.agent)
    assert _names(client.get(URL)) == ["Acme Gold", "Globex Basic", "Standard"]
    body = client.get(f"{URL}/{standard.pk}").json()
    assert body["organisation"] is None and body["is_default"] is True
    assert body["calendar_name"] == "UK office hours" and body["warning_thresholds"] == [75, 100]
    assert body["targets"][0] == {"priority": 0, "response_minutes": 15, "resolution_minutes": 240}
    assert [t["priority"] for t in body["targets"]] == [0, 1, 2, 3, 4]
    assert _names(client.get(f"{URL}?provider_wide=true")) == ["Standard"]
    assert _names(client.get(f"{URL}?organisation={world.acme.pk}")) == ["Acme Gold"]


def test_customers_read_their_own_and_the_provider_wide_slas_only(
    world, api, standard, acme_gold, globex_own
):
    assert _names(api(world.acme_user).get(URL)) == ["Acme Gold", "Standard"]
    assert _names(api(world.globex_user).get(URL)) == ["Globex Basic", "Standard"]
    globex = api(world.globex_user)
    assert globex.get(f"{URL}/{standard.pk}").status_code == 200
    missing = globex.get(f"{URL}/{acme_gold.pk}")
    assert missing.status_code == 404 and "Acme" not in missing.content.decode()
    assert globex.patch(f"{URL}/{acme_gold.pk}", {"name": "Hijacked"}).status_code == 404


def test_an_agent_limited_to_acme_does_not_see_globex_slas(world, api, standard, acme_gold, globex_own):
    client = api(world.acme_only_agent)
    assert _names(client.get(URL)) == ["Acme Gold", "Standard"]
    assert client.get(f"{URL}/{globex_own.pk}").status_code == 404


def test_a_manager_creates_an_sla(world, api, standard):
    response = api(world.manager).post(
        URL,
        {
            "name": "Acme Gold",
            "organisation": world.acme.pk,
            "is_default": True,
            "calendar": Calendar.objects.get(name="24x7").pk,
            "warning_thresholds": [50, 90],
            "notify_roles": ["owner"],
            "pausing_reasons": ["customer"],
            "targets": targets(10, 60),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisation_name"] == "Acme Ltd" and body["notify_roles"] == ["owner"]
    assert body["pausing_reasons"] == ["customer"] and len(body["targets"]) == 5
    assert response["ETag"] == f'"{body["id"]}-{body["version"]}"'
    assert response["Location"].endswith(f"/api/v1/slas/{body['id']}")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"targets": targets()[:4]}, "targets"),
        ({"targets": targets(p2=(60, 30))}, "targets"),
        ({"targets": targets(p0=(0, 30))}, "targets.0.response_minutes"),
        ({"warning_thresholds": [100, 50]}, "warning_thresholds"),
        ({"notify_roles": ["ceo"]}, "notify_roles.0"),
        ({"pausing_reasons": ["lunch"]}, "pausing_reasons.0"),
        ({"calendar": 999999}, "calendar"),
        ({"organisation": 999999}, "organisation"),
        ({"is_default": True, "organisation": None}, "is_default"),  # Standard is the default already
        ({"name": ""}, "name"),
        ({"colour": "gold"}, "colour"),
    ],
)
def test_invalid_slas_are_422_naming_the_field(world, api, standard, change, field):
    payload = {
        "name": "New",
        "organisation": world.acme.pk,
        "calendar": standard.calendar_id,
        "targets": targets(),
        **change,
    }
    response = api(world.admin).post(URL, payload)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert not Sla.objects.filter(name="New").exists()


def test_only_administrators_and_managers_write(world, api, standard):
    payload = {"name": "Mine", "calendar": standard.calendar_id, "targets": targets()}
    for user in (world.agent, world.acme_manager, world.acme_user):
        client = api(user)
        assert client.post(URL, payload).status_code == 403
        assert client.patch(f"{URL}/{standard.pk}", {"name": "Mine"}).status_code == 403
    assert api(world.admin).patch(f"{URL}/{standard.pk}", {"notes": "Admin was here"}).status_code == 200


def test_patch_replaces_targets_and_honours_if_match(world, api, standard):
    client = api(world.manager)
    etag = client.get(f"{URL}/{standard.pk}")["ETag"]
    response = client.patch(
        f"{URL}/{standard.pk}",
        {"targets": targets(20, 200), "notes": "Revised"},
        headers={"HTTP_IF_MATCH": etag},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["notes"] == "Revised" and {t["response_minutes"] for t in body["targets"]} == {20}
    stale = client.patch(f"{URL}/{standard.pk}", {"name": "Late"}, headers={"HTTP_IF_MATCH": etag})
    assert stale.status_code == 412
    standard.refresh_from_db()
    assert standard.name == "Standard"
    assert client.patch(f"{URL}/{standard.pk}", {"calendar": None}).status_code == 422
