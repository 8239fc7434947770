"""The affected service and the SLA clocks as agents, customers and API clients see them: forms that
offer only subscribed services, the queue's SLA filters and "due soonest" sort, the SLA panel, the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from opsdesk.catalogue import services as catalogue
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.core.context import acting_as
from opsdesk.incidents import services as incidents
from opsdesk.incidents.models import Incident

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_9 = dt.datetime(2025, 1, 15, 9, 0, tzinfo=LONDON)


@dataclass
class Services:
    mail: object  # Acme subscribes (open-ended)
    backup: object  # Globex subscribes until the end of 2024 only
    vpn: object  # nobody subscribes


@pytest.fixture
def services(world) -> Services:
    with acting_as(world.manager, "web"):
        make = lambda name: catalogue.create_service(  # noqa: E731
            by=world.manager, name=name, owner=world.service_desk, status=ServiceStatus.LIVE
        )
        mail, backup, vpn = make("Managed Mail"), make("Backups"), make("VPN")
        catalogue.subscribe(mail, world.acme, start_date=dt.date(2024, 1, 1), by=world.manager)
        catalogue.subscribe(
            backup,
            world.globex,
            start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2024, 12, 31),
            by=world.manager,
        )
    return Services(mail, backup, vpn)


@pytest.fixture
def frozen():
    with time_machine.travel(WEDNESDAY_9, tick=False) as traveller:
        yield traveller


# --- the service at the one write path ------------------------------------------------------------------


def test_only_a_service_the_organisation_subscribes_to_that_day_is_accepted(world, services, frozen):
    assert world.incident(service=services.mail).service == services.mail
    with pytest.raises(ValidationError) as error:
        world.incident(service=services.vpn)
    assert "does not subscribe to VPN" in error.value.message_dict["service"][0]
    with pytest.raises(ValidationError) as error:  # the subscription ended before the incident
        world.incident(org=world.globex, service=services.backup)
    assert "service" in error.value.message_dict
    old = world.incident(org=world.globex, service=services.backup, opened_at=WEDNESDAY_9.replace(year=2024))
    assert old.service == services.backup


def test_editing_the_service_is_checked_too_and_recorded(world, services, frozen):
    inc = world.incident()
    with acting_as(world.agent, "web"):
        with pytest.raises(ValidationError):
            incidents.update_incident(inc, {"service": services.vpn}, by=world.agent)
        inc = incidents.update_incident(inc, {"service": services.mail}, by=world.agent)
    assert Incident.objects.get(pk=inc.pk).service == services.mail


# --- API ---------------------------------------------------------------------------------------------------


def test_api_create_and_patch_the_service_and_read_the_clocks(world, api, services, frozen):
    client = api(world.agent)
    body = {"organisation": world.acme.pk, "requester": world.acme_user.person.pk, "title": "No mail"}
    created = client.post("/api/v1/incidents", {**body, "service": services.mail.pk})
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["service"], data["service_name"]) == (services.mail.pk, "Managed Mail")
    assert data["sla"] is not None
    assert data["response_state"] == data["resolution_state"] == "running"
    assert data["response_due_at"] == "2025-01-15T13:00:00Z" and data["response_target_minutes"] == 240
    refused = client.post("/api/v1/incidents", {**body, "service": services.vpn.pk})
    assert refused.status_code == 422 and "service" in refused.json()["errors"]

    number = data["number"]
    cleared = client.patch(f"/api/v1/incidents/{number}", {"service": None})
    assert cleared.status_code == 200 and cleared.json()["service"] is None
    wrong = client.patch(f"/api/v1/incidents/{number}", {"service": services.vpn.pk})
    assert wrong.status_code == 422 and "service" in wrong.json()["errors"]


def test_a_customer_names_only_their_own_services(world, api, services, frozen):
    client = api(world.globex_user)
    response = client.post("/api/v1/incidents", {"title": "VPN down", "service": services.mail.pk})
    assert response.status_code == 422 and "service" in response.json()["errors"]


def test_the_sla_endpoint_explains_the_clocks(world, api, services, frozen):
    inc = world.incident(workgroup=world.service_desk)
    frozen.move_to(WEDNESDAY_9 + dt.timedelta(hours=1))
    world.act(inc, "accept")
    response = api(world.acme_user).get(f"/api/v1/incidents/{inc.number}/sla")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["sla_name"], data["calendar_name"]) == ("Standard", "UK office hours")
    clocks = {c["clock"]: c for c in data["clocks"]}
    assert clocks["response"]["state"] == "met" and clocks["response"]["used_minutes"] == 60
    assert clocks["resolution"]["state"] == "running" and clocks["resolution"]["remaining_minutes"] == 2340
    assert [(e["clock"], e["kind"]) for e in data["events"]] == [
        ("response", "started"),
        ("resolution", "started"),
        ("response", "met"),
    ]
    assert data["events"][2]["used_minutes"] == 60 and data["events"][2]["actor"] == "Sam Desk"
    assert api(world.globex_user).get(f"/api/v1/incidents/{inc.number}/sla").status_code == 404


def _numbers(client, query):
    response = client.get(f"/api/v1/incidents?limit=100&{query}")
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_api_filters_by_service_and_sla_state_and_sorts_by_due_time(world, api, services, frozen):
    p3 = world.incident(service=services.mail)  # response due 13:00 (warning 12:00)
    p1 = world.incident(impact="high", urgency="critical")  # response due 09:30
    pending = world.incident(workgroup=world.service_desk)
    pending = world.act(world.act(pending, "accept"), "pend", reason="customer")
    client = api(world.agent)
    assert _numbers(client, f"service={services.mail.pk}") == [p3.number]
    assert set(_numbers(client, "service=none")) == {p1.number, pending.number}
    assert _numbers(client, "sla=paused") == [pending.number]
    assert _numbers(client, "sort=due") == [p1.number, p3.number, pending.number]

    frozen.move_to(WEDNESDAY_9 + dt.timedelta(hours=3, minutes=10))  # 12:10
    assert _numbers(client, "sla=breached") == [p1.number]
    assert _numbers(client, "sla=at_risk") == [p3.number]
    assert set(_numbers(client, "sla=at_risk,breached")) == {p1.number, p3.number}
    bad = client.get("/api/v1/incidents?sla=late")
    assert bad.status_code == 422 and "sla" in bad.json()["errors"]


# --- agent pages -------------------------------------------------------------------------------------------


def test_the_create_form_offers_the_organisations_services_and_saves_one(world, login, services, frozen):
    client = login(world.agent)
    page = client.get(f"/incidents/new/?organisation={world.acme.pk}").content.decode()
    assert 'for="id_service"' in page
    # The service list (every catalogue service also has a shared Service CI, offered as an affected CI).
    offered = page.split('id="id_service"', 1)[1].split("</select>", 1)[0]
    assert "Managed Mail" in offered and "VPN" not in offered
    options = client.get(f"/incidents/new/services/?organisation={world.globex.pk}").content.decode()
    assert "Managed Mail" not in options and "Backups" not in options  # ended before today
    form = {
        "organisation": world.acme.pk,
        "requester": world.acme_user.person.pk,
        "title": "Mailbox full",
        "channel": "phone",
        "impact": "low",
        "urgency": "normal",
        "service": services.mail.pk,
    }
    response = client.post("/incidents/new/", form)
    assert response.status_code == 302
    assert Incident.objects.get(title="Mailbox full").service == services.mail
    refused = client.post("/incidents/new/", {**form, "service": services.vpn.pk})
    assert refused.status_code == 422


def test_the_queue_shows_due_times_and_filters_by_sla_state(world, login, services, frozen):
    late = world.incident(title="Site down", impact="high", urgency="critical")
    calm = world.incident(title="Question")
    frozen.move_to(WEDNESDAY_9 + dt.timedelta(hours=1))
    client = login(world.agent)
    page = client.get("/incidents/?sla=breached").content.decode()
    assert late.number in page and calm.number not in page
    assert "Breached" in page and ">Due<" in page
    assert 'for="id_sla"' in page and 'for="id_service"' in page
    sorted_page = client.get("/incidents/?sort=due").content.decode()
    assert sorted_page.index(late.number) < sorted_page.index(calm.number)
    assert client.get("/incidents/?sla=soon").status_code == 400


def test_the_detail_page_has_an_sla_panel_explaining_the_due_time(world, login, services, frozen):
    inc = world.incident(service=services.mail, workgroup=world.service_desk)
    inc = world.act(inc, "accept")
    frozen.move_to(WEDNESDAY_9 + dt.timedelta(hours=2))
    world.act(inc, "pend", reason="customer")
    page = login(world.agent).get(inc.get_absolute_url()).content.decode()
    assert 'id="sla-heading"' in page and "Standard" in page and "UK office hours" in page
    assert "Response clock started, target 4 h" in page
    assert "Response target met: 0 min of 4 h used" in page
    assert "Resolution clock paused after 2 h of 40 h" in page and "Pending: Waiting for customer" in page
    assert "Managed Mail" in page


# --- the portal ---------------------------------------------------------------------------------------------


def test_the_portal_offers_subscribed_services_and_shows_the_sla(world, login, services, frozen):
    client = login(world.acme_user)
    page = client.get("/portal/new/").content.decode()
    assert "Managed Mail" in page and "VPN" not in page and 'for="id_service"' in page
    response = client.post(
        "/portal/new/",
        {
            "title": "Mail stuck",
            "description": "Outbox full",
            "urgency": "normal",
            "service": services.mail.pk,
        },
    )
    assert response.status_code == 302, response.content
    inc = Incident.objects.get(title="Mail stuck")
    assert inc.service == services.mail
    detail = client.get(response["Location"]).content.decode()
    assert "Service level" in detail and "Resolution clock started" in detail and "Managed Mail" in detail


def test_without_an_sla_the_pages_say_so(world, login, services, frozen):
    from opsdesk.sla.models import Sla

    Sla.objects.all().delete()
    inc = world.incident()
    page = login(world.agent).get(inc.get_absolute_url()).content.decode()
    assert "No service level agreement applies" in page
    assert "No SLA" in login(world.agent).get("/incidents/").content.decode()


def test_a_batch_opens_incidents_with_their_service_and_clocks_in_few_queries(world, api, services, frozen):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(world.agent)
    item = {
        "organisation": world.acme.pk,
        "requester": world.acme_user.person.pk,
        "service": services.mail.pk,
    }
    body = {"incidents": [{**item, "title": f"Mail {n}"} for n in range(5)]}
    world.incident(service=services.mail)  # the SLA policy is cached from here on
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/incidents/batch", body)
    assert response.status_code == 201, response.content
    opened = Incident.objects.filter(title__startswith="Mail ")
    assert opened.count() == 5
    assert all(i.service == services.mail and i.response_state == "running" for i in opened)
    assert all(i.clock_events.count() == 2 for i in opened)
    sql = [q["sql"] for q in captured.captured_queries]
    assert len([q for q in sql if 'FROM "sla_' in q or 'INTO "incidents_clockevent"' in q]) <= 2
    assert len([q for q in sql if 'FROM "catalogue_service"' in q]) <= 2  # the reference and the subscription
    refused = client.post(
        "/api/v1/incidents/batch",
        {"incidents": [{**item, "title": "ok"}, {**item, "title": "vpn", "service": services.vpn.pk}]},
    )
    assert refused.status_code == 422 and "incidents.1.service" in refused.json()["errors"]


def test_the_queue_download_carries_the_service_and_the_clocks(world, login, services, frozen):
    late = world.incident(title="Site down", impact="high", urgency="critical", service=services.mail)
    calm = world.incident(title="Question")
    frozen.move_to(WEDNESDAY_9 + dt.timedelta(hours=1))
    response = login(world.agent).get("/incidents/export.csv?sort=due")
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = {row["Number"]: row for row in csv.DictReader(io.StringIO(text))}
    assert list(rows) == [late.number, calm.number]
    assert rows[late.number]["Service"] == "Managed Mail"
    assert rows[late.number]["Response state"] == "Breached"
    assert rows[late.number]["Response due"] == late.response_due_at.astimezone(LONDON).strftime(
        "%Y-%m-%d %H:%M"
    )
    assert rows[calm.number]["Service"] == "" and rows[calm.number]["Resolution state"] == "Running"
