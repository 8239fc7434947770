"""Affected configuration items on incidents: who may name which CI, what the forms offer (the
requester's site first), the API round trip and its query count, and the CI page's open incidents."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsdesk.cmdb import services as cmdb
from opsdesk.cmdb.models import CI, CIClass
from opsdesk.core.audit import history_for
from opsdesk.core.context import acting_as
from opsdesk.incidents import services as incidents
from opsdesk.incidents.models import Incident


@dataclass
class Kit:
    leeds: CI  # Acme's Location CI, named like the requester's site
    laptop: CI  # Acme, at Leeds HQ
    printer: CI  # Acme, elsewhere
    core_router: CI  # the provider's shared kit
    globex_db: CI  # another customer's
    old_server: CI  # Acme, retired


def _ci(by, name, klass, organisation, **fields) -> CI:
    return cmdb.create_ci(
        by=by, name=name, ci_class=CIClass.objects.get(key=klass), organisation=organisation, **fields
    )


@pytest.fixture
def kit(world) -> Kit:
    by = world.agent
    with acting_as(by, "web"):
        leeds = _ci(by, "Leeds HQ", "location", world.acme)
        laptop = _ci(by, "Alice's laptop", "laptop", world.acme, location=leeds)
        printer = _ci(by, "Annex printer", "printer", world.acme)
        core_router = _ci(by, "Core router", "router", world.provider)
        globex_db = _ci(by, "Globex DB", "server", world.globex)
        old_server = _ci(by, "Old file server", "server", world.acme)
        old_server = cmdb.retire_ci(old_server, by=by)
    return Kit(leeds, laptop, printer, core_router, globex_db, old_server)


def _names(incident) -> list[str]:
    return [ci.name for ci in incident.cis.order_by("name")]


# --- the one write path ------------------------------------------------------------------------------------


def test_an_incident_names_its_own_and_the_providers_cis(world, kit):
    incident = world.incident(cis=[kit.laptop, kit.core_router])
    assert _names(incident) == ["Alice's laptop", "Core router"]
    created = history_for(incident).get(action="create")
    assert created.changes["cis"] == [None, sorted([kit.laptop.pk, kit.core_router.pk])]


@pytest.mark.parametrize(
    ("which", "message"),
    [("globex_db", "belongs to another organisation"), ("old_server", "is retired")],
)
def test_another_customers_or_a_retired_ci_is_refused(world, kit, which, message):
    with pytest.raises(ValidationError) as error:
        world.incident(cis=[getattr(kit, which)])
    assert message in " ".join(error.value.message_dict["cis"])
    assert not Incident.objects.exists()


def test_an_agent_limited_to_acme_cannot_name_a_globex_ci_and_is_not_told_it_exists(world, kit):
    with pytest.raises(ValidationError) as error:
        world.incident(by=world.acme_only_agent, cis=[kit.globex_db])
    assert error.value.message_dict["cis"] == [f"No such configuration item: {kit.globex_db.pk}."]


def test_a_batch_rejects_the_item_with_the_foreign_ci(world, kit):
    spec = dict(organisation=world.acme, requester=world.acme_user.person, title="Slow")
    with acting_as(world.agent, "api"), pytest.raises(ValidationError) as error:
        incidents.create_incidents(
            [{**spec, "cis": [kit.laptop]}, {**spec, "cis": [kit.globex_db]}], by=world.agent
        )
    assert list(error.value.message_dict) == ["1.cis"]


def test_editing_the_cis_is_audited_as_a_field_change(world, kit):
    incident = world.incident(cis=[kit.laptop])
    with acting_as(world.agent, "web"):
        incident = incidents.update_incident(
            incident, {"cis": [kit.printer, kit.core_router]}, by=world.agent
        )
    assert _names(incident) == ["Annex printer", "Core router"]
    update = history_for(incident).get(action="update")
    assert update.changes == {"cis": [[kit.laptop.pk], sorted([kit.printer.pk, kit.core_router.pk])]}


def test_the_history_page_names_the_cis(world, kit, login):
    incident = world.incident(cis=[kit.laptop])
    with acting_as(world.agent, "web"):
        incidents.update_incident(incident, {"cis": [kit.printer]}, by=world.agent)
    page = login(world.agent).get(f"{incident.get_absolute_url()}history/").content.decode()
    assert "configuration items" in page
    assert "Alice&#x27;s laptop" in page and "Annex printer" in page


def test_the_queue_filters_by_ci(world, kit, login):
    named = world.incident(title="Printer jams", cis=[kit.printer])
    other = world.incident(title="Something else")
    page = login(world.agent).get(f"/incidents/?ci={kit.printer.pk}").content.decode()
    assert named.number in page
    assert other.number not in page
    assert f'<input type="hidden" name="ci" value="{kit.printer.pk}">' in page  # kept by the filter bar
    assert "Incidents naming" in page


def test_a_ci_retired_after_it_was_named_stays_through_other_edits(world, kit):
    incident = world.incident(cis=[kit.printer])
    with acting_as(world.agent, "web"):
        cmdb.retire_ci(CI.objects.get(pk=kit.printer.pk), by=world.agent)
        incident = incidents.update_incident(
            incident, {"title": "Printer jams", "cis": [kit.printer, kit.laptop]}, by=world.agent
        )
        assert _names(incident) == ["Alice's laptop", "Annex printer"]
        with pytest.raises(ValidationError):
            incidents.update_incident(incident, {"cis": [kit.printer, kit.old_server]}, by=world.agent)


# --- the API -----------------------------------------------------------------------------------------------


def test_api_round_trip_create_read_patch_and_filter(world, kit, api):
    client = api(world.agent)
    body = {
        "organisation": world.acme.pk,
        "requester": world.acme_user.person.pk,
        "title": "No network",
        "cis": [kit.laptop.pk, kit.core_router.pk],
    }
    created = client.post("/api/v1/incidents", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["cis"] == [kit.laptop.pk, kit.core_router.pk]
    assert data["ci_names"] == ["Alice's laptop", "Core router"]
    number = data["number"]
    etag = client.get(f"/api/v1/incidents/{number}")["ETag"]
    patched = client.patch(
        f"/api/v1/incidents/{number}", {"cis": [kit.printer.pk]}, headers={"HTTP_IF_MATCH": etag}
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["ci_names"] == ["Annex printer"]
    world.incident(title="Unrelated")
    listed = client.get(f"/api/v1/incidents?ci={kit.printer.pk}").json()["results"]
    assert [row["number"] for row in listed] == [number]


@pytest.mark.parametrize("persona", ["acme_user", "acme_only_agent"])
def test_api_does_not_reveal_another_organisations_ci(world, kit, api, persona):
    user = getattr(world, persona)
    body = {"title": "Broken", "cis": [kit.globex_db.pk]}
    if persona != "acme_user":
        body |= {"organisation": world.acme.pk, "requester": world.acme_user.person.pk}
    response = api(user).post("/api/v1/incidents", body)
    assert response.status_code == 422
    assert response.json()["errors"]["cis"] == [f"No such configuration item: {kit.globex_db.pk}."]
    assert "Globex" not in response.content.decode()
    assert not Incident.objects.exists()


def test_a_customer_names_their_own_organisations_ci(world, kit, api):
    response = api(world.acme_user).post("/api/v1/incidents", {"title": "Laptop", "cis": [kit.laptop.pk]})
    assert response.status_code == 201
    assert response.json()["ci_names"] == ["Alice's laptop"]


def test_the_batch_api_names_the_item_with_the_unknown_ci(world, kit, api):
    item = {"organisation": world.acme.pk, "requester": world.acme_user.person.pk, "title": "Down"}
    response = api(world.acme_only_agent).post(
        "/api/v1/incidents/batch",
        {"incidents": [{**item, "cis": [kit.laptop.pk]}, {**item, "cis": [kit.globex_db.pk]}]},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["incidents.1.cis"]


def _list_queries(client, limit):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/incidents?limit={limit}")
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()["results"]


def test_the_list_reads_the_cis_of_a_page_in_one_query(world, kit, api):
    for i in range(14):
        world.incident(title=f"Incident {i}", cis=[kit.laptop, kit.printer] if i % 2 else [kit.core_router])
    client = api(world.agent)
    client.get("/api/v1/incidents?limit=1")  # the token's first use records its time once
    small, rows_small = _list_queries(client, 3)
    large, rows_large = _list_queries(client, 12)
    assert small == large, (small, large)
    assert {tuple(row["ci_names"]) for row in rows_large} == {
        ("Alice's laptop", "Annex printer"),
        ("Core router",),
    }


# --- the forms ---------------------------------------------------------------------------------------------


def test_the_form_lists_the_requesters_site_first_and_no_other_customers_cis(world, kit, login):
    client = login(world.agent)
    page = client.get(
        f"/incidents/new/cis/?organisation={world.acme.pk}&requester={world.acme_user.person.pk}"
    ).content.decode()
    assert page.index('label="At Leeds HQ"') < page.index("Alice&#x27;s laptop") < page.index("Other CIs")
    assert page.index("Other CIs") < page.index("Annex printer")
    assert "Core router" in page
    assert "Globex DB" not in page
    assert "Old file server" not in page


def test_the_limited_agent_gets_no_cis_of_an_organisation_outside_their_scope(world, kit, login):
    page = login(world.acme_only_agent).get(f"/incidents/new/cis/?organisation={world.globex.pk}")
    assert "Globex DB" not in page.content.decode()


def test_creating_and_editing_through_the_agent_forms(world, kit, login):
    client = login(world.agent)
    response = client.post(
        "/incidents/new/",
        {
            "organisation": world.acme.pk,
            "requester": world.acme_user.person.pk,
            "title": "Laptop will not boot",
            "channel": "phone",
            "impact": "low",
            "urgency": "normal",
            "cis": [kit.laptop.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()
    incident = Incident.objects.get()
    assert _names(incident) == ["Alice's laptop"]
    detail = client.get(incident.get_absolute_url()).content.decode()
    assert f'href="/cmdb/{kit.laptop.pk}/"' in detail
    edit = client.get(f"{incident.get_absolute_url()}edit/").content.decode()
    assert f'value="{kit.laptop.pk}" selected' in edit
    response = client.post(
        f"{incident.get_absolute_url()}edit/",
        {
            "requester": world.acme_user.person.pk,
            "title": incident.title,
            "channel": "phone",
            "impact": "low",
            "urgency": "normal",
            "cis": [kit.laptop.pk, kit.printer.pk],
            "version": incident.version,
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert _names(incident) == ["Alice's laptop", "Annex printer"]


def test_the_form_refuses_a_ci_it_did_not_offer(world, kit, login):
    response = login(world.agent).post(
        "/incidents/new/",
        {
            "organisation": world.acme.pk,
            "requester": world.acme_user.person.pk,
            "title": "Down",
            "channel": "phone",
            "impact": "low",
            "urgency": "normal",
            "cis": [kit.globex_db.pk],
        },
    )
    assert response.status_code == 422
    assert not Incident.objects.exists()


def test_the_customer_sees_the_cis_on_the_portal(world, kit, login):
    incident = world.incident(cis=[kit.laptop, kit.core_router])
    page = login(world.acme_user).get(f"/portal/{incident.number}/").content.decode()
    assert f'href="/cmdb/{kit.laptop.pk}/"' in page
    assert "Core router" in page
    assert f'href="/cmdb/{kit.core_router.pk}/"' not in page  # the provider's CI has no page for them


# --- the CI page -------------------------------------------------------------------------------------------


def test_the_ci_page_and_api_list_its_open_incidents_as_the_viewer_may_see_them(world, kit, login, api):
    mine = world.incident(title="Alice's laptop is slow", cis=[kit.laptop])
    bobs = world.incident(title="Bob borrowed it", requester=world.acme_user2.person, cis=[kit.laptop])
    done = world.incident(title="Fixed already", cis=[kit.laptop])
    done = world.act(done, "assign", workgroup=world.service_desk)
    done = world.act(done, "accept")
    world.act(done, "complete", resolution_code="fixed", resolution_notes="Rebooted")

    agent_page = login(world.agent).get(kit.laptop.get_absolute_url()).content.decode()
    assert "Open incidents" in agent_page
    assert mine.number in agent_page and bobs.number in agent_page
    assert done.number not in agent_page
    assert f'href="/incidents/{mine.number}/"' in agent_page
    assert f'href="/incidents/?ci={kit.laptop.pk}"' in agent_page

    customer_page = login(world.acme_user).get(kit.laptop.get_absolute_url()).content.decode()
    assert mine.number in customer_page
    assert bobs.number not in customer_page  # a customer sees only the incidents they raised
    assert f'href="/portal/{mine.number}/"' in customer_page
    assert "/incidents/?ci=" not in customer_page

    records = api(world.acme_user).get(f"/api/v1/cis/{kit.laptop.pk}/records").json()
    assert records[0]["heading"] == "Open incidents"
    assert [r["reference"] for r in records[0]["records"]] == [mine.number]
    assert api(world.globex_user).get(f"/api/v1/cis/{kit.laptop.pk}/records").status_code == 404
