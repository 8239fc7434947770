"""Who may use the agent pages: customers never (404, or the portal for the dashboard); an agent limited
to Acme never sees Globex's incidents, whatever URL they type."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opsdesk.core.context import acting_as
from opsdesk.incidents import services
from opsdesk.incidents.models import Comment, Incident, SavedView, StatusChange
from opsdesk.incidents.workflow import INCIDENT_WORKFLOW


@pytest.fixture
def globex_incident(world):
    inc = world.incident(org=world.globex, title="Globex VPN down", workgroup=world.service_desk)
    with acting_as(world.agent, "web"):
        attachment = services.add_attachment(inc, SimpleUploadedFile("cfg.txt", b"secret"), by=world.agent)
    inc.refresh_from_db()
    return inc, attachment


def _incident_gets(number, attachment_id):
    return [
        f"/incidents/{number}/",
        f"/incidents/{number}/edit/",
        f"/incidents/{number}/history/",
        f"/incidents/{number}/attachments/{attachment_id}/",
    ]


def _incident_posts(number, version):
    posts = [
        (f"/incidents/{number}/edit/", {"title": "Mine now", "version": version}),
        (f"/incidents/{number}/comments/", {"comment-body": "Hello", "comment-is_public": "on"}),
        (f"/incidents/{number}/attachments/", {"attachment-file": SimpleUploadedFile("x.txt", b"x")}),
    ]
    for action in INCIDENT_WORKFLOW.transitions:
        posts.append(
            (
                f"/incidents/{number}/actions/{action}/",
                {f"{action}-version": version, f"{action}-note": "x", f"{action}-owner": "1"},
            )
        )
    return posts


def _nothing_changed(inc):
    fresh = Incident.objects.get(pk=inc.pk)
    assert fresh.version == inc.version and fresh.status == inc.status and fresh.title == inc.title
    assert not Comment.objects.filter(incident=inc).exists()
    assert StatusChange.objects.filter(incident=inc).count() == 2  # open + assign


@pytest.mark.parametrize("who", ["globex_user", "acme_user", "acme_manager"])
def test_customers_never_reach_the_agent_pages(world, login, globex_incident, who):
    inc, attachment = globex_incident
    client = login(getattr(world, who))
    assert client.get("/")["Location"] == "/portal/"
    general = [
        "/incidents/",
        "/incidents/?status=open",
        "/incidents/new/",
        f"/incidents/new/requesters/?organisation={world.globex.pk}",
        "/incidents/new/subcategories/?category=1",
    ]
    for url in general + _incident_gets(inc.number, attachment.pk):
        assert client.get(url).status_code == 404, url
    for url, data in _incident_posts(inc.number, inc.version):
        assert client.post(url, data).status_code == 404, url
    assert client.post("/incidents/new/", {"title": "x"}).status_code == 404
    assert client.post("/incidents/views/", {"save-name": "Mine", "save-query": ""}).status_code == 404
    assert not SavedView.objects.exists()
    _nothing_changed(inc)


def test_the_globex_requester_cannot_use_agent_pages_for_their_own_incident(world, login, globex_incident):
    inc, attachment = globex_incident
    assert inc.requester == world.globex_user.person
    client = login(world.globex_user)
    for url in _incident_gets(inc.number, attachment.pk):
        assert client.get(url).status_code == 404, url


def test_limited_agent_gets_404_for_another_tenants_incident(world, login, globex_incident):
    inc, attachment = globex_incident
    client = login(world.acme_only_agent)
    for url in _incident_gets(inc.number, attachment.pk):
        assert client.get(url).status_code == 404, url
    for url, data in _incident_posts(inc.number, inc.version):
        assert client.post(url, data).status_code == 404, url
    for url, data in _incident_posts(inc.number, inc.version):
        assert client.post(url, data, HTTP_HX_REQUEST="true").status_code == 404, url
    _nothing_changed(inc)


def test_limited_agent_sees_only_acme_in_the_queue_and_dashboard(world, login, globex_incident):
    inc, _ = globex_incident
    acme = world.incident(title="Acme printer", workgroup=world.service_desk)
    client = login(world.acme_only_agent)
    html = client.get("/incidents/").content.decode()
    assert acme.number in html and inc.number not in html
    assert "Globex plc" not in html  # not even as a filter choice
    assert inc.number not in client.get(f"/incidents/?organisation={world.globex.pk}").content.decode()
    assert (
        f'href="/incidents/{inc.number}/"' not in client.get(f"/incidents/?q={inc.number}").content.decode()
    )
    dashboard = client.get("/").content.decode()
    assert acme.number in dashboard and inc.number not in dashboard
    assert 'id="count-status-assigned">1<' in dashboard


def test_limited_agent_cannot_create_for_another_tenant(world, login):
    client = login(world.acme_only_agent)
    html = client.get("/incidents/new/").content.decode()
    assert "Acme Ltd" in html and "Globex plc" not in html
    response = client.post(
        "/incidents/new/",
        {
            "organisation": world.globex.pk,
            "requester": world.globex_user.person.pk,
            "title": "Sneaky",
            "channel": "phone",
            "impact": "low",
            "urgency": "normal",
        },
    )
    assert response.status_code == 422 and 'id="id_organisation_error"' in response.content.decode()
    assert not Incident.objects.exists()
    options = client.get(f"/incidents/new/requesters/?organisation={world.globex.pk}").content.decode()
    assert "Gus Globex" not in options


def test_unlimited_agents_and_managers_see_every_customer(world, login, globex_incident):
    inc, attachment = globex_incident
    for user in (world.agent, world.net_agent, world.manager, world.admin):
        client = login(user)
        for url in _incident_gets(inc.number, attachment.pk):
            assert client.get(url).status_code == 200, (user, url)
