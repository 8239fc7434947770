"""``…/{id}/history`` in the API and the History tab of the pages: every create and update of an
organisation, person, workgroup, service, SLA, calendar or CI shows who did it, when, through which channel
and what changed; long histories come in pages. (Another tenant's history is a 404: the tenancy sweeps.)"""

import pytest

from opsdesk.cmdb.models import CIClass
from opsdesk.sla.models import Calendar


def _resources(world):
    """(collection, body that creates one, field renamed afterwards) per resource with a history."""
    targets = [{"priority": p, "response_minutes": 30, "resolution_minutes": 60} for p in range(5)]
    return [
        ("organisations", {"name": "Initech", "short_name": "initech"}, "name"),
        ("people", {"organisation": world.acme.pk, "full_name": "Peter Gibbons"}, "full_name"),
        ("workgroups", {"name": "Storage"}, "name"),
        ("services", {"name": "Backup", "owner": world.service_desk.pk}, "name"),
        (
            "slas",
            {
                "name": "Acme gold",
                "organisation": world.acme.pk,
                "calendar": Calendar.objects.get(name="24x7").pk,
                "targets": targets,
            },
            "name",
        ),
        ("calendars", {"name": "Office hours"}, "name"),
        (
            "cis",
            {
                "name": "srv-01",
                "ci_class": CIClass.objects.get(key="server").pk,
                "organisation": world.acme.pk,
            },
            "name",
        ),
    ]


@pytest.mark.django_db
def test_every_managed_record_has_its_history_in_the_api(world, api):
    admin = api(world.admin)
    for collection, body, field in _resources(world):
        created = admin.post(f"/api/v1/{collection}", body)
        assert created.status_code == 201, (collection, created.content)
        path = f"/api/v1/{collection}/{created.json()['id']}"
        assert admin.patch(path, {field: "Renamed"}).status_code == 200, collection

        response = admin.get(f"{path}/history")
        assert response.status_code == 200, collection
        entries = response.json()["results"]
        assert entries[0]["action"] == "create", collection
        assert entries[0]["changes"][field] == [None, body[field]]
        last = entries[-1]
        assert last["action"] == "update" and last["changes"] == {field: [body[field], "Renamed"]}, collection
        assert last["actor"] == "Ada Admin" and last["channel"] == "api"
        assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)  # oldest first


@pytest.mark.django_db
def test_a_long_history_comes_in_pages(world, api):
    admin = api(world.admin)
    path = f"/api/v1/workgroups/{world.network.pk}"
    for n in range(3):
        admin.patch(path, {"name": f"Network {n}"})
    first = admin.get(f"{path}/history?limit=2").json()
    assert [e["action"] for e in first["results"]] == ["create", "update"]
    second = admin.get(first["next"]).json()
    assert [e["changes"]["name"][1] for e in second["results"]] == ["Network 1", "Network 2"]
    assert second["next"] is None
    bad = admin.get(f"{path}/history?cursor=not-ours")
    assert bad.status_code == 422 and "cursor" in bad.json()["errors"]


@pytest.mark.django_db
def test_a_customer_reads_the_history_of_what_they_may_read(world, api):
    """The history follows the object's own GET: a customer reads their organisation's, and the
    workgroups (staff only) are a 404 to them."""
    customer = api(world.acme_user)
    assert customer.get(f"/api/v1/organisations/{world.acme.pk}/history").status_code == 200
    assert customer.get(f"/api/v1/workgroups/{world.service_desk.pk}/history").status_code == 404


@pytest.mark.django_db
def test_the_history_tabs_show_readable_changes(world, api, login):
    admin = api(world.admin)
    service = admin.post("/api/v1/services", {"name": "Backup", "owner": world.service_desk.pk}).json()
    admin.patch(
        f"/api/v1/services/{service['id']}", {"name": "Backup and restore", "owner": world.network.pk}
    )
    calendar = admin.post("/api/v1/calendars", {"name": "Office hours"}).json()
    admin.patch(f"/api/v1/calendars/{calendar['id']}", {"name": "Office hours (UK)"})
    sla = admin.post(
        "/api/v1/slas",
        {
            "name": "Acme gold",
            "organisation": world.acme.pk,
            "calendar": calendar["id"],
            "targets": [{"priority": p, "response_minutes": 30, "resolution_minutes": 60} for p in range(5)],
        },
    ).json()
    admin.patch(f"/api/v1/slas/{sla['id']}", {"name": "Acme platinum"})
    agent = login(world.agent)

    detail = agent.get(f"/catalogue/{service['id']}/").content.decode()
    assert f'href="/catalogue/{service["id"]}/history/"' in detail
    html = agent.get(f"/catalogue/{service['id']}/history/").content.decode()
    assert "Service created" in html and "Service edited" in html and "Ada Admin" in html
    # Ids in the diff are shown by name: the owner moved from Service Desk to Network.
    assert '<del class="text-secondary">Service Desk</del>' in html and "Network</ins>" in html

    html = agent.get(f"/slas/{sla['id']}/history/").content.decode()
    assert "SLA edited" in html and "Acme platinum" in html and "Office hours (UK)" in html
    html = agent.get(f"/slas/calendars/{calendar['id']}/history/").content.decode()
    assert "Calendar edited" in html and "Office hours (UK)</ins>" in html
    # Tables kept on the record read as rows: the weekly hours replaced on Monday.
    admin.patch(
        f"/api/v1/calendars/{calendar['id']}", {"hours": [{"weekday": 0, "start": "09:00", "end": "12:00"}]}
    )
    html = agent.get(f"/slas/calendars/{calendar['id']}/history/").content.decode()
    assert '<ins class="text-decoration-none">0, 09:00, 12:00</ins>' in html


@pytest.mark.django_db
def test_the_history_tab_is_for_staff(world, login):
    """Customers read the catalogue and their SLAs, but the change log is the provider's (a 404 page)."""
    from opsdesk.catalogue import services as catalogue
    from opsdesk.core.context import acting_as

    with acting_as(world.admin, "web"):
        service = catalogue.create_service(
            by=world.admin, name="Mail", owner=world.service_desk, status="live"
        )
        catalogue.subscribe(service, world.acme, start_date="2026-01-01", by=world.admin)
    customer = login(world.acme_user)
    page = customer.get(f"/catalogue/{service.pk}/")
    assert page.status_code == 200 and "/history/" not in page.content.decode()
    assert customer.get(f"/catalogue/{service.pk}/history/").status_code == 404


@pytest.mark.django_db
def test_the_incident_history_tab_is_unchanged(world, login):
    incident = world.incident(title="Printer jam", workgroup=world.service_desk)
    html = login(world.agent).get(f"/incidents/{incident.number}/history/").content.decode()
    assert "Every change to the incident, its comments and attachments" in html
    assert "Incident created" in html and "Printer jam" in html


@pytest.mark.django_db
def test_the_admin_history_is_the_audit_log(world, api, login):
    """Organisations, people and workgroups have no pages of their own: the admin's History button shows
    their audit log, including the changes made elsewhere (here through the API)."""
    api(world.admin).patch(f"/api/v1/workgroups/{world.network.pk}", {"lead": world.manager.pk})
    html = login(world.admin).get(f"/admin/accounts/workgroup/{world.network.pk}/history/").content.decode()
    assert "Workgroup created" in html and "Workgroup edited" in html
    assert "<del>Nora Network</del> &rarr; Mona Manager" in html and "api" in html
    calendar = api(world.admin).post("/api/v1/calendars", {"name": "Office hours"}).json()
    html = login(world.admin).get(f"/admin/sla/calendar/{calendar['id']}/history/").content.decode()
    assert "Calendar created" in html and "Office hours" in html
    assert login(world.agent).get(f"/admin/accounts/workgroup/{world.network.pk}/history/").status_code == 302
