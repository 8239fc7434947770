"""The tenancy sweep: every route of the API, called by someone of another tenant, says 404 (or 405 where
the method does not exist for that path) and writes nothing. A new route is swept automatically; a new
kind of path parameter or a new write without a sample body makes this test fail until it is declared."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from opsdesk.api import api
from opsdesk.catalogue import services as catalogue
from opsdesk.core.context import acting_as
from opsdesk.core.models import AuditEntry
from opsdesk.incidents import services
from opsdesk.sla import services as sla_services
from opsdesk.sla.models import Calendar

METHODS = ("get", "post", "put", "patch", "delete")
PARAM = re.compile(r"{(\w+)}")
# Path parameters whose objects do not belong to a customer (provider-wide records); the customer sweep
# still covers them, the sweep of a limited agent (who may see them) does not.
NOT_TENANT_DATA = {"workgroup_id", "service_id", "sla_id", "calendar_id"}


def api_routes() -> list[tuple[str, set[str]]]:
    """(path template, HTTP methods) of every path operation registered on the ninja API object."""
    routes: dict[str, set[str]] = {}
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            full = "/".join(part.strip("/") for part in ("/api/v1", bound.prefix, path) if part.strip("/"))
            methods = routes.setdefault("/" + full, set())
            for operation in path_view.operations:
                methods.update(m.lower() for m in operation.methods)
    return sorted(routes.items())


def _samples(owner_org, owner_person):
    """A valid body per write, so the request reaches the handler (not just the schema check)."""
    return {
        ("post", "/api/v1/incidents"): {
            "organisation": owner_org.pk,
            "requester": owner_person.pk,
            "title": "Written across tenants",
        },
        ("post", "/api/v1/incidents/batch"): {
            "incidents": [
                {"organisation": owner_org.pk, "requester": owner_person.pk, "title": "Across tenants"}
            ]
        },
        ("patch", "/api/v1/incidents/{number}"): {"title": "Hijacked"},
        ("post", "/api/v1/incidents/{number}/comments"): {"body": "Hello from elsewhere", "public": True},
        ("post", "/api/v1/incidents/{number}/attachments"): "multipart",
        ("post", "/api/v1/organisations"): {"name": "Mallory Inc", "short_name": "mallory"},
        ("patch", "/api/v1/organisations/{organisation_id}"): {"name": "Hijacked"},
        ("post", "/api/v1/people"): {"organisation": owner_org.pk, "full_name": "Mallory"},
        ("patch", "/api/v1/people/{person_id}"): {"full_name": "Hijacked"},
        ("post", "/api/v1/workgroups"): {"name": "Mallory's group"},
        ("patch", "/api/v1/workgroups/{workgroup_id}"): {"name": "Hijacked"},
        ("post", "/api/v1/services"): {"name": "Mallory hosting", "owner": 1},
        ("patch", "/api/v1/services/{service_id}"): {"name": "Hijacked"},
        ("post", "/api/v1/services/{service_id}/subscriptions"): {
            "organisation": owner_org.pk,
            "start_date": "2026-01-01",
        },
        ("post", "/api/v1/slas"): {
            "name": "Mallory SLA",
            "organisation": owner_org.pk,
            "calendar": 1,
            "targets": [{"priority": p, "response_minutes": 30, "resolution_minutes": 60} for p in range(5)],
        },
        ("patch", "/api/v1/slas/{sla_id}"): {"name": "Hijacked"},
        ("post", "/api/v1/calendars"): {"name": "Mallory hours"},
        ("patch", "/api/v1/calendars/{calendar_id}"): {"name": "Hijacked"},
        ("put", "/api/v1/services/{service_id}/subscriptions/{subscription_id}/sla"): {"sla": None},
        ("patch", "/api/v1/services/{service_id}/subscriptions/{subscription_id}/sla"): {"sla": None},
        ("post", "/api/v1/cis"): {"name": "Mallory's box", "ci_class": 1, "organisation": owner_org.pk},
        ("patch", "/api/v1/cis/{ci_id}"): {"name": "Hijacked"},
        ("post", "/api/v1/cis/{ci_id}/relationships"): {"type": "depends-on", "target": 1},
        ("post", "/api/v1/ci-classes"): {"name": "Mallory class", "key": "mallory"},
        ("patch", "/api/v1/ci-classes/{class_id}"): {"name": "Hijacked"},
        ("post", "/api/v1/ci-relationship-types"): {"key": "mallory", "forward_name": "owned by"},
        ("patch", "/api/v1/cis/{ci_id}/relationships/{relationship_id}"): {"notes": "Hijacked"},
        ("patch", "/api/v1/ci-relationship-types/{type_id}"): {"forward_name": "Hijacked"},
    }


def _call(client, method, path, body):
    if body == "multipart":
        upload = SimpleUploadedFile("probe.txt", b"probe", content_type="text/plain")
        return client.client.post(path, {"file": upload}, **client.auth)
    kwargs = {"data": body} if body is not None and method in ("post", "put", "patch") else {}
    return getattr(client, method)(path, **kwargs)


def _service_for(world, org):
    """A live service that only ``org`` subscribes to."""
    with acting_as(world.admin, "web"):
        service = catalogue.create_service(
            by=world.admin, name=f"{org.name} secret hosting", owner=world.service_desk, status="live"
        )
        catalogue.subscribe(service, org, start_date=dt.date(2026, 1, 1), by=world.admin)
    return service


def _sla_for(world, org):
    """An SLA of ``org``'s own."""
    with acting_as(world.admin, "web"):
        return sla_services.create_sla(
            by=world.admin,
            name=f"{org.name} secret SLA",
            organisation=org,
            calendar=Calendar.objects.get(name="24x7"),
            targets=[{"priority": p, "response_minutes": 10, "resolution_minutes": 20} for p in range(5)],
        )


def _secret_cis(world, org):
    """Two related CIs of ``org``'s own; returns (CI id, relationship id)."""
    from opsdesk.cmdb import services as cmdb
    from opsdesk.cmdb.models import CIClass, RelationshipType

    server = CIClass.objects.get(key="server")
    with acting_as(world.admin, "web"):
        a = cmdb.create_ci(
            by=world.admin, name=f"{org.name} secret server", ci_class=server, organisation=org
        )
        b = cmdb.create_ci(by=world.admin, name=f"{org.name} secret twin", ci_class=server, organisation=org)
        link = cmdb.add_relationship(a, RelationshipType.objects.get(key="depends-on"), b, by=world.admin)
    return a.pk, link.pk


def _secret_incident(world, org, requester):
    incident = world.incident(org=org, requester=requester, title=f"{org.name} secret printer")
    with acting_as(world.agent, "web"):
        services.add_comment(incident, f"{org.name} internal note", by=world.agent, is_public=False)
        services.add_attachment(
            incident, SimpleUploadedFile(f"{org.short_name}-secret.txt", b"secret"), by=world.agent
        )
    return incident


def _sweep(client, owner, values, markers, skip_params=frozenset()):
    samples = _samples(owner["org"], owner["person"])
    routes = api_routes()
    assert len(routes) >= 12, routes
    checked = 0
    for template, registered in routes:
        params = PARAM.findall(template)
        unknown = [p for p in params if p not in values]
        assert not unknown, f"{template}: the tenancy sweep does not know how to fill {unknown}; add it"
        if set(params) & skip_params:
            continue
        path = PARAM.sub(lambda m: str(values[m.group(1)]), template)
        for method in METHODS:
            body = samples.get((method, template))
            if method in registered and method in ("post", "put", "patch") and body is None:
                pytest.fail(f"{method.upper()} {template}: add a sample body to the tenancy sweep")
            audit_before = AuditEntry.objects.count()
            response = _call(client, method, path, body)
            content = response.content.decode(errors="replace")
            where = f"{method.upper()} {path} -> {response.status_code}"
            for marker in markers:
                assert marker not in content, f"{where} reveals {marker!r}: {content[:300]}"
            assert AuditEntry.objects.count() == audit_before, f"{where} wrote something"
            if method not in registered:
                assert response.status_code == 405, where
            elif params:
                assert response.status_code == 404, f"{where}: {content[:300]}"
            elif method != "get":
                assert response.status_code in (403, 404, 422), f"{where}: {content[:300]}"
            checked += 1
    return checked


@pytest.mark.django_db
def test_every_route_hides_acme_from_the_globex_customer(world, api):
    incident = _secret_incident(world, world.acme, world.acme_user.person)
    service = _service_for(world, world.acme)
    values = {
        "number": incident.number,
        "organisation_id": world.acme.pk,
        "person_id": world.acme_user.person.pk,
        "workgroup_id": world.service_desk.pk,
        "attachment_id": incident.attachments.get().pk,
        "service_id": service.pk,
        "subscription_id": service.subscriptions.get().pk,
        "sla_id": _sla_for(world, world.acme).pk,
        "calendar_id": Calendar.objects.get(name="24x7").pk,  # only Acme's own SLA counts in it
        "class_id": 0,  # CI classes are provider-wide configuration, readable by every user
        "type_id": 0,  # so are relationship types
    }
    values["ci_id"], values["relationship_id"] = _secret_cis(world, world.acme)
    markers = ["Acme", "acme-secret", "Alice", "Leeds HQ", "Service Desk"]
    checked = _sweep(
        api(world.globex_user), {"org": world.acme, "person": world.acme_user.person}, values, markers
    )
    assert checked >= 60
    incident.refresh_from_db()
    assert incident.title == "Acme Ltd secret printer" and incident.comments.count() == 1


@pytest.mark.django_db
def test_every_route_hides_globex_from_the_agent_limited_to_acme(world, api):
    incident = _secret_incident(world, world.globex, world.globex_user.person)
    values = {
        "number": incident.number,
        "organisation_id": world.globex.pk,
        "person_id": world.globex_user.person.pk,
        "workgroup_id": world.service_desk.pk,
        "attachment_id": incident.attachments.get().pk,
        "service_id": 0,  # provider-wide: not part of this sweep (see NOT_TENANT_DATA)
        "sla_id": 0,  # provider-wide defaults are visible to every agent (see NOT_TENANT_DATA)
        "calendar_id": 0,  # calendars are the provider's (see NOT_TENANT_DATA)
        "subscription_id": 0,  # only under a service, which this sweep skips
        "class_id": 0,  # CI classes are provider-wide configuration, readable by every user
        "type_id": 0,  # so are relationship types
    }
    values["ci_id"], values["relationship_id"] = _secret_cis(world, world.globex)
    markers = ["Globex", "globex-secret", "Gus"]
    owner = {"org": world.globex, "person": world.globex_user.person}
    checked = _sweep(api(world.acme_only_agent), owner, values, markers, skip_params=NOT_TENANT_DATA)
    assert checked >= 45
    incident.refresh_from_db()
    assert incident.title == "Globex plc secret printer" and incident.comments.count() == 1


def test_the_sweep_sees_every_routed_url():
    """The sweep enumerates ninja's path operations; they must be all the API serves (besides the docs)."""
    swept = {re.sub(r"{\w+}", "<x>", path) for path, _methods in api_routes()}
    served = set()
    for pattern in api.urls[0]:
        route = re.sub(r"<[\w:]+>", "<x>", "/api/v1/" + str(pattern.pattern)).rstrip("/")
        if pattern.name not in ("openapi-json", "openapi-view", "api-root"):
            served.add(route)
    assert served == swept
