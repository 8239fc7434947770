"""The tenancy sweep of the pages: every URL pattern of the site that names an object, filled with another
organisation's objects, is a 404 to a customer of another organisation, to a customer manager of another
organisation and to an agent limited to another customer; nothing is revealed and nothing is written.

The URL patterns come from Django's resolver, so a new page is swept as soon as it is routed; a new kind of
path parameter makes this test fail, naming the pattern, until a filler is declared below.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from opsdesk.accounts.choices import Role
from opsdesk.catalogue import services as catalogue
from opsdesk.cmdb import services as cmdb
from opsdesk.cmdb.models import CIClass, RelationshipType
from opsdesk.core.context import acting_as
from opsdesk.core.models import AuditEntry
from opsdesk.incidents import services as incidents
from opsdesk.sla import calendar_services
from opsdesk.sla import services as sla_services

# The admin is Django's (staff with is_staff only); the API has its own sweep (test_api_tenancy).
NOT_PAGES = ("admin/", "api/v1/")
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
# Parameters that name no object: filled with a valid value, so the object lookup decides the answer.
FIXED = {
    "action": {"incidents/": "assign", "catalogue/": "retire"},
    "month": "2026-10",
    "class_key": "server",
}
# Objects of the provider, which every agent may read: a limited agent's sweep fills them with a real
# (visible) object and sweeps only the patterns that also name tenant data.
PROVIDER_WIDE = {"service_id", "calendar_id", "class_id", "type_id"}
METHODS = ("get", "post")


def page_routes() -> list[str]:
    """Every routed page pattern, as ``cmdb/<int:ci_id>/edit/``."""

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                yield route

    return sorted(r for r in walk(get_resolver().url_patterns, "") if not r.startswith(NOT_PAGES))


def _fill(route: str, name: str, values: dict) -> str:
    if name in values:
        return str(values[name])
    value = FIXED[name]
    if isinstance(value, dict):
        return next(v for start, v in value.items() if route.startswith(start))
    return value


def _secrets(world, org, requester):
    """One of each kind of object, belonging to ``org`` alone; returns the path parameter values."""
    admin = world.admin
    incident = world.incident(org=org, requester=requester, title=f"{org.name} secret printer")
    with acting_as(admin, "web"):
        incidents.add_comment(incident, f"{org.name} internal note", by=world.agent, is_public=False)
        attachment = incidents.add_attachment(
            incident, SimpleUploadedFile(f"{org.short_name}-secret.txt", b"secret"), by=world.agent
        )
        view = incidents.save_view(by=world.agent, name=f"{org.name} secret view", query="status=open")
        service = catalogue.create_service(
            by=admin, name=f"{org.name} secret hosting", owner=world.service_desk, status="live"
        )
        subscription = catalogue.subscribe(service, org, start_date=dt.date(2026, 1, 1), by=admin)
        calendar = calendar_services.create_calendar(by=admin, name=f"{org.name} secret hours")
        sla = sla_services.create_sla(
            by=admin,
            name=f"{org.name} secret SLA",
            organisation=org,
            calendar=calendar,
            targets=[{"priority": p, "response_minutes": 10, "resolution_minutes": 20} for p in range(5)],
        )
        server = CIClass.objects.get(key="server")
        ci = cmdb.create_ci(by=admin, name=f"{org.name} secret server", ci_class=server, organisation=org)
        twin = cmdb.create_ci(by=admin, name=f"{org.name} secret twin", ci_class=server, organisation=org)
        link = cmdb.add_relationship(ci, RelationshipType.objects.get(key="depends-on"), twin, by=admin)
    return {
        "number": incident.number,
        "attachment_id": attachment.pk,
        "view_id": view.pk,  # another agent's saved view
        "service_id": service.pk,
        "subscription_id": subscription.pk,
        "calendar_id": calendar.pk,
        "sla_id": sla.pk,
        "ci_id": ci.pk,
        "relationship_id": link.pk,
        "organisation_id": org.pk,
        # The CMDB's schema is the provider's: managers edit it, agents read it, customers never see it.
        "class_id": server.pk,
        "type_id": link.type_id,
    }


def _check_answer(client, route: str, user, method: str, response, where: str) -> None:
    """404, or 405 for a method the page does not take. Two redirects the pages already use name nothing:
    staff on the customers' portal are sent to the dashboard ``/``; a GET of a portal button's URL is
    sent to the incident's portal page, which is a 404 in its turn."""
    status = response.status_code
    if route.startswith("portal/") and user.is_provider_staff:
        assert status == 302 and response["Location"] == "/", where
    elif status == 302 and method == "get" and route.startswith("portal/"):
        assert client.get(response["Location"]).status_code == 404, f"{where} to {response['Location']}"
    else:
        assert status in (404, 405), where


def _sweep(client, user, values, markers, skip_only=frozenset()):
    routes = page_routes()
    swept = []
    for route in routes:
        params = PARAM.findall(route)
        unknown = [p for p in params if p not in values and p not in FIXED]
        assert not unknown, f"{route}: the page tenancy sweep does not know how to fill {unknown}; add it"
        objects = [p for p in params if p in values]
        if not objects or set(objects) <= skip_only:
            continue  # names no object (a list or a form), or only the provider's own
        path = "/" + PARAM.sub(lambda m, r=route: _fill(r, m.group(1), values), route)
        answers = {}
        for method in METHODS:
            audit_before = AuditEntry.objects.count()
            response = getattr(client, method)(path)
            content = response.content.decode(errors="replace")
            where = f"{method.upper()} {path} ({route}) -> {response.status_code}"
            for marker in markers:
                assert marker not in content, f"{where} reveals {marker!r}: {content[:300]}"
            assert AuditEntry.objects.count() == audit_before, f"{where} wrote something"
            _check_answer(client, route, user, method, response, f"{where}: {content[:300]}")
            answers[method] = response.status_code
        assert set(answers.values()) != {405}, f"{route}: neither GET nor POST reaches the object lookup"
        swept.append(route)
    return swept


@pytest.mark.django_db
@pytest.mark.parametrize("visitor", ["globex_user", "globex_manager"])
def test_every_object_page_hides_acme_from_globex_customers(world, login, visitor):
    from opsdesk.accounts import services as accounts

    if visitor == "globex_manager":
        with acting_as(None, "system"):
            person = accounts.create_person(organisation=world.globex, full_name="Greta Globex")
            user = accounts.create_login(
                person=person, username="greta", password="x-9-long-password", role=Role.CUSTOMER_MANAGER
            )
    else:
        user = world.globex_user
    values = _secrets(world, world.acme, world.acme_user.person)
    markers = ["Acme", "acme-secret", "Alice", "Leeds HQ"]
    swept = _sweep(login(user), user, values, markers)
    assert len(swept) >= 30, swept
    for page in ("catalogue/<int:service_id>/history/", "slas/<int:sla_id>/history/", "portal/<str:number>/"):
        assert page in swept


@pytest.mark.django_db
def test_every_object_page_hides_globex_from_the_agent_limited_to_acme(world, login):
    values = _secrets(world, world.globex, world.globex_user.person)
    markers = ["Globex", "globex-secret", "Gus"]
    swept = _sweep(login(world.acme_only_agent), world.acme_only_agent, values, markers, PROVIDER_WIDE)
    assert len(swept) >= 20, swept
    for page in ("incidents/<str:number>/history/", "slas/<int:sla_id>/history/", "cmdb/<int:ci_id>/"):
        assert page in swept


def test_the_sweep_reads_every_page_pattern():
    routes = page_routes()
    assert "incidents/<str:number>/" in routes and "slas/calendars/<int:calendar_id>/history/" in routes
    assert not any(r.startswith(NOT_PAGES) for r in routes)
