"""Organisations, people and workgroups over the API: who sees what, and only administrators manage them."""

import pytest

from opsdesk.accounts import services
from opsdesk.accounts.models import Organisation, Person, User, Workgroup
from opsdesk.core.context import acting_as

pytestmark = pytest.mark.django_db


def _names(response, key="name"):
    assert response.status_code == 200, response.content
    return sorted(row[key] for row in response.json()["results"])


# --- reading -------------------------------------------------------------------------------------------


def test_organisations_each_persona_sees(world, api):
    everyone = ["Acme Ltd", "Company X", "Globex plc"]
    assert _names(api(world.agent).get("/api/v1/organisations")) == everyone
    assert _names(api(world.acme_only_agent).get("/api/v1/organisations")) == ["Acme Ltd", "Company X"]
    assert _names(api(world.acme_user).get("/api/v1/organisations")) == ["Acme Ltd"]
    assert _names(api(world.globex_user).get("/api/v1/organisations")) == ["Globex plc"]


def test_customers_do_not_see_the_providers_notes_on_them(world, api):
    with acting_as(None, "system"):
        services.update_organisation(world.acme, {"notes": "Slow payer"}, by=None)
    assert api(world.acme_user).get(f"/api/v1/organisations/{world.acme.pk}").json()["notes"] is None
    assert api(world.agent).get(f"/api/v1/organisations/{world.acme.pk}").json()["notes"] == "Slow payer"


def test_people_each_persona_sees(world, api):
    acme = ["Alice Acme", "Bob Acme", "Carol Acme"]
    staff = ["Ada Admin", "Lena Limited", "Mona Manager", "Nora Network", "Sam Desk"]
    assert _names(api(world.agent).get("/api/v1/people"), "full_name") == sorted(
        acme + staff + ["Gus Globex"]
    )
    assert _names(api(world.acme_only_agent).get("/api/v1/people"), "full_name") == sorted(acme + staff)
    assert _names(api(world.acme_manager).get("/api/v1/people"), "full_name") == acme
    assert _names(api(world.acme_user).get("/api/v1/people"), "full_name") == ["Alice Acme"]
    response = api(world.acme_user).get(f"/api/v1/people/{world.acme_user2.person.pk}")
    assert response.status_code == 404


def test_a_person_shows_their_login_but_never_a_password(world, api):
    response = api(world.agent).get(f"/api/v1/people/{world.acme_user.person.pk}")
    data = response.json()
    assert (data["username"], data["role"]) == ("alice", "customer")
    assert "password" not in response.content.decode()
    assert response["ETag"] == world.acme_user.person.etag


def test_people_filters(world, api):
    client = api(world.agent)
    names = _names(client.get(f"/api/v1/people?organisation={world.acme.pk}&q=bo"), "full_name")
    assert names == ["Bob Acme"]


def test_workgroups_are_for_staff(world, api):
    data = api(world.acme_only_agent).get("/api/v1/workgroups").json()["results"]
    assert [(w["name"], w["lead_name"]) for w in data] == [
        ("Network", "Nora Network"),
        ("Service Desk", "Mona Manager"),
    ]
    desk = data[1]
    assert sorted(m["username"] for m in desk["members"]) == ["lena", "sam"]
    assert api(world.acme_manager).get("/api/v1/workgroups").json()["results"] == []
    assert api(world.acme_manager).get(f"/api/v1/workgroups/{world.network.pk}").status_code == 404


def test_lists_paginate_with_a_cursor(world, api):
    client = api(world.admin)
    first = client.get("/api/v1/people?limit=4&count=true").json()
    assert first["count"] == Person.objects.count() and len(first["results"]) == 4
    seen = [p["id"] for p in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [p["id"] for p in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(Person.objects.values_list("id", flat=True))
    assert len(set(seen)) == len(seen)


# --- managing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "agent", "acme_manager"])
def test_only_administrators_manage(world, api, persona):
    client = api(getattr(world, persona))
    own = world.acme if persona == "acme_manager" else world.provider
    person = world.acme_user.person
    assert (
        client.post("/api/v1/organisations", {"name": "Initech", "short_name": "initech"}).status_code == 403
    )
    assert client.patch(f"/api/v1/organisations/{own.pk}", {"phone": "1"}).status_code == 403
    assert client.delete(f"/api/v1/organisations/{own.pk}").status_code == 403
    assert client.post("/api/v1/people", {"organisation": own.pk, "full_name": "Eve"}).status_code == 403
    assert client.patch(f"/api/v1/people/{person.pk}", {"full_name": "Eve"}).status_code == 403
    assert client.delete(f"/api/v1/people/{person.pk}").status_code == 403
    if persona != "acme_manager":
        assert client.post("/api/v1/workgroups", {"name": "Evil"}).status_code == 403
        assert client.patch(f"/api/v1/workgroups/{world.network.pk}", {"name": "Evil"}).status_code == 403
        assert client.delete(f"/api/v1/workgroups/{world.network.pk}").status_code == 403
    assert not Organisation.objects.filter(name="Initech").exists()
    assert not Person.objects.filter(full_name="Eve").exists()
    assert Workgroup.objects.filter(name="Network").exists()


def test_an_administrator_creates_a_person_with_a_login(world, api):
    body = {
        "organisation": world.acme.pk,
        "site": world.acme_site.pk,
        "full_name": "Dan Acme",
        "email": "dan@acme.example",
        "username": "dan",
        "password": "a-long-enough-secret-42",
        "role": "customer_manager",
    }
    response = api(world.admin).post("/api/v1/people", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["username"], data["role"], data["site"]) == ("dan", "customer_manager", world.acme_site.pk)
    assert "password" not in data
    assert response["Location"] == f"/api/v1/people/{data['id']}"
    login = User.objects.get(username="dan")
    assert login.check_password("a-long-enough-secret-42") and login.person_id == data["id"]


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"username": "dan", "password": "a-long-enough-secret-42", "role": "admin"}, "role"),
        ({"username": "dan", "password": "123"}, "password"),
        ({"username": "dan"}, "password"),
        ({"username": "alice", "password": "a-long-enough-secret-42"}, "username"),
        ({"password": "a-long-enough-secret-42"}, "username"),
        ({"role": "superhero"}, "role"),
        ({"organisation": 999999}, "organisation"),
        ({"email": "not-an-address"}, "email"),
        ({"id": 5}, "id"),
    ],
)
def test_person_validation_names_the_field(world, api, extra, field):
    body = {"organisation": world.acme.pk, "full_name": "Dan Acme", **extra}
    response = api(world.admin).post("/api/v1/people", body)
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"]
    assert not Person.objects.filter(full_name="Dan Acme").exists()


def test_an_administrator_changes_a_role_and_deactivates_a_person(world, api):
    person = world.acme_user.person
    response = api(world.admin).patch(
        f"/api/v1/people/{person.pk}", {"role": "customer_manager", "is_active": False}
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["role"], response.json()["is_active"]) == ("customer_manager", False)
    assert User.objects.get(pk=world.acme_user.pk).role == "customer_manager"


def test_organisation_if_match(world, api):
    client = api(world.admin)
    path = f"/api/v1/organisations/{world.acme.pk}"
    etag = client.get(path)["ETag"]
    assert etag == f'"{world.acme.pk}-1"'
    response = client.patch(path, {"phone": "0113"}, headers={"HTTP_IF_MATCH": etag})
    assert response.status_code == 200 and response["ETag"] == f'"{world.acme.pk}-2"'
    stale = client.patch(path, {"phone": "0999"}, headers={"HTTP_IF_MATCH": etag})
    assert stale.status_code == 412
    assert Organisation.objects.get(pk=world.acme.pk).phone == "0113"
    assert client.delete(path, headers={"HTTP_IF_MATCH": etag}).status_code == 412


def test_organisation_kind_is_read_only(world, api):
    response = api(world.admin).patch(f"/api/v1/organisations/{world.acme.pk}", {"kind": "provider"})
    assert response.status_code == 422 and "kind" in response.json()["errors"]


def test_deleting_what_is_still_referenced_is_409(world, api):
    client = api(world.admin)
    world.incident()
    assert client.delete(f"/api/v1/organisations/{world.acme.pk}").status_code == 409
    assert client.delete(f"/api/v1/organisations/{world.provider.pk}").status_code == 409
    response = client.delete(f"/api/v1/people/{world.acme_user2.person.pk}")  # has a login
    assert response.status_code == 409 and "deactivate" in response.json()["detail"]
    assert Organisation.objects.filter(pk=world.acme.pk).exists()


def test_deleting_an_unused_record(world, api):
    client = api(world.admin)
    created = client.post("/api/v1/organisations", {"name": "Initech", "short_name": "initech"})
    assert created.status_code == 201
    person = client.post(
        "/api/v1/people", {"organisation": created.json()["id"], "full_name": "Peter"}
    ).json()
    assert client.delete(f"/api/v1/people/{person['id']}").status_code == 204
    assert client.delete(f"/api/v1/organisations/{created.json()['id']}").status_code == 204
    assert not Organisation.objects.filter(name="Initech").exists()


def test_workgroups_are_managed_with_staff_members(world, api):
    client = api(world.admin)
    body = {
        "name": "Field Service",
        "lead": world.net_agent.pk,
        "members": [world.agent.pk, world.net_agent.pk],
    }
    response = client.post("/api/v1/workgroups", body)
    assert response.status_code == 201, response.json()
    group = response.json()
    assert sorted(m["username"] for m in group["members"]) == ["nora", "sam"]
    path = f"/api/v1/workgroups/{group['id']}"
    response = client.patch(path, {"members": [world.agent.pk, world.acme_user.pk]})
    assert response.status_code == 422 and "members" in response.json()["errors"]
    response = client.patch(
        path, {"members": [world.agent.pk]}, headers={"HTTP_IF_MATCH": f'"{group["id"]}-1"'}
    )
    assert response.status_code == 200
    assert [m["username"] for m in response.json()["members"]] == ["sam"]
    world.act(world.incident(), "assign", workgroup=world.network)
    assert client.delete(f"/api/v1/workgroups/{world.network.pk}").status_code == 409
    assert client.delete(path).status_code == 204
    assert not Workgroup.objects.filter(name="Field Service").exists()


def test_password_hash_never_reaches_the_audit_log(world):
    from opsdesk.core.audit import history_for

    for entry in history_for(world.agent):
        assert "password" not in entry.changes


def test_role_change_grants_and_withdraws_the_configuration_admin(world):
    from opsdesk.accounts.choices import Role
    from opsdesk.core import crud

    assert world.admin.is_staff and not world.agent.is_staff
    promoted = crud.update(world.agent, {"role": Role.ADMIN})
    assert promoted.is_staff
    demoted = crud.update(promoted, {"role": Role.AGENT})
    assert not demoted.is_staff
