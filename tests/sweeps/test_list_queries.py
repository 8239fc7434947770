"""Query counts of the list pages and list endpoints do not grow with the rows listed: each list is read
with 2 rows and again with 30, and costs the same number of queries both times (no query per row).
(The incident queue, the dashboard and the portal have their own tests in their apps.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opsdesk.accounts import services as accounts
from opsdesk.catalogue import services as catalogue
from opsdesk.cmdb import services as cmdb
from opsdesk.cmdb.models import CIClass, RelationshipType
from opsdesk.core.context import acting_as
from opsdesk.incidents import services as incidents
from opsdesk.sla import calendar_services
from opsdesk.sla import services as sla_services
from opsdesk.sla.models import Calendar

TARGETS = [{"priority": p, "response_minutes": 30, "resolution_minutes": 60} for p in range(5)]


def _organisations(world, state, start, end):
    for n in range(start, end):
        accounts.create_organisation(name=f"Customer {n:02}", short_name=f"c{n:02}")
    return "/api/v1/organisations"


def _people(world, state, start, end):
    for n in range(start, end):
        person = accounts.create_person(
            organisation=world.acme, full_name=f"Person {n:02}", site=world.acme_site
        )
        if n % 2:
            accounts.create_login(
                person=person, username=f"p{n}", password="x-9-long-password", role="customer"
            )
    return "/api/v1/people"


def _workgroups(world, state, start, end):
    for n in range(start, end):
        accounts.create_workgroup(
            name=f"Group {n:02}", lead=world.manager, members=[world.agent, world.net_agent]
        )
    return "/api/v1/workgroups"


def _services(world, state, start, end):
    for n in range(start, end):
        service = catalogue.create_service(
            by=world.admin,
            name=f"Service {n:02}",
            owner=world.network,
            status="live",
            parameters=[("tier", "1")],
        )
        catalogue.subscribe(service, world.acme, start_date=dt.date(2026, 1, 1), by=world.admin)
    return "/api/v1/services"


def _slas(world, state, start, end):
    for n in range(start, end):
        sla_services.create_sla(
            by=world.admin,
            name=f"SLA {n:02}",
            organisation=world.acme,
            calendar=Calendar.objects.get(name="24x7"),
            targets=TARGETS,
        )
    return "/api/v1/slas"


def _calendars(world, state, start, end):
    for n in range(start, end):
        calendar_services.create_calendar(
            by=world.admin,
            name=f"Hours {n:02}",
            hours=[{"weekday": d, "start": "08:00", "end": "17:00"} for d in range(5)],
            exceptions=[{"date": "2026-12-24", "kind": "closed", "name": "Christmas Eve"}],
        )
    return "/api/v1/calendars"


def _cis(world, state, start, end):
    server = CIClass.objects.get(key="server")
    depends = RelationshipType.objects.get(key="depends-on")
    for n in range(start, end):
        ci = cmdb.create_ci(by=world.admin, name=f"srv-{n:02}", ci_class=server, organisation=world.acme)
        if "previous" in state:
            cmdb.add_relationship(ci, depends, state["previous"], by=world.admin)
        state["previous"] = ci
    return "/api/v1/cis"


def _incident(world, state):
    if "incident" not in state:
        state["incident"] = world.incident(title="Printer jam", workgroup=world.service_desk)
    return state["incident"]


def _comments(world, state, start, end):
    incident = _incident(world, state)
    for n in range(start, end):
        incidents.add_comment(incident, f"Note {n}", by=world.agent, is_public=bool(n % 2))
    return f"/api/v1/incidents/{incident.number}/comments"


def _incident_history(world, state, start, end):
    incident = _incident(world, state)
    for n in range(start, end):
        incidents.add_comment(incident, f"Note {n}", by=world.agent, is_public=bool(n % 2))
    return f"/api/v1/incidents/{incident.number}/history"


def _edits(world, state, start, end):
    """``end - start`` edits of one SLA (whose history then lists them)."""
    if "sla" not in state:
        state["sla"] = sla_services.create_sla(
            by=world.admin,
            name="Gold",
            organisation=world.acme,
            calendar=Calendar.objects.get(name="24x7"),
            targets=TARGETS,
        )
    sla = state["sla"]
    for n in range(start, end):
        sla = sla_services.update_sla(sla, {"name": f"Gold {n}"}, by=world.admin)
    state["sla"] = sla
    return sla


def _sla_history(world, state, start, end):
    return f"/api/v1/slas/{_edits(world, state, start, end).pk}/history"


def _sla_history_page(world, state, start, end):
    return f"/slas/{_edits(world, state, start, end).pk}/history/"


def _ci_history(world, state, start, end):
    if "ci" not in state:
        server = CIClass.objects.get(key="server")
        state["ci"] = cmdb.create_ci(by=world.admin, name="srv", ci_class=server, organisation=world.acme)
    for n in range(start, end):
        state["ci"] = cmdb.update_ci(state["ci"], {"name": f"srv-{n}"}, by=world.admin)
    return f"/api/v1/cis/{state['ci'].pk}/history"


def _page(make: Callable, url: str) -> Callable:
    def fill(world, state, start, end):
        make(world, state, start, end)
        return url

    return fill


# (name, who reads, fill(world, state, start, end) -> URL, "api" or "page")
CASES = [
    ("organisations", "admin", _organisations, "api"),
    ("people", "admin", _people, "api"),
    ("workgroups", "admin", _workgroups, "api"),
    ("services", "agent", _services, "api"),
    ("slas", "agent", _slas, "api"),
    ("calendars", "agent", _calendars, "api"),
    ("cis", "agent", _cis, "api"),
    ("comments", "agent", _comments, "api"),
    ("incident history", "agent", _incident_history, "api"),
    ("SLA history", "agent", _sla_history, "api"),
    ("CI history", "agent", _ci_history, "api"),
    ("the CMDB list", "agent", _page(_cis, "/cmdb/"), "page"),
    ("the catalogue", "agent", _page(_services, "/catalogue/"), "page"),
    ("the catalogue for a customer", "acme_user", _page(_services, "/catalogue/"), "page"),
    ("the SLA list", "agent", _page(_slas, "/slas/"), "page"),
    ("the calendar list", "agent", _page(_calendars, "/slas/calendars/"), "page"),
    ("an SLA's history tab", "agent", _sla_history_page, "page"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "who", "fill", "kind"), CASES, ids=[c[0] for c in CASES])
def test_a_list_costs_the_same_queries_for_2_rows_as_for_30(world, api, login, name, who, fill, kind):
    user = getattr(world, who)
    client = api(user) if kind == "api" else login(user)
    state: dict = {}

    def read(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        return len(captured), response

    with acting_as(world.admin, "web"):
        url = fill(world, state, 0, 2)
    read(url)  # warm the per-process caches (content types, class tree, ...)
    few, _ = read(url)
    with acting_as(world.admin, "web"):
        url = fill(world, state, 2, 30)
    many, response = read(url)
    if kind == "api":
        assert len(response.json()["results"]) >= 30, name
    assert many == few, f"{name}: {few} queries for 2 rows, {many} for 30"
