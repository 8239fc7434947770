"""``opsdesk demo``: loads a believable, consistent world once, and never twice."""

from __future__ import annotations

from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from opsdesk.accounts.choices import OrganisationKind, Role
from opsdesk.accounts.models import Organisation, Person, Site, User, Workgroup
from opsdesk.catalogue.models import Service, ServiceParameter, Subscription
from opsdesk.core.models import AuditEntry, OutboxMessage
from opsdesk.demo.data import DEMO_PASSWORD
from opsdesk.incidents.choices import Status
from opsdesk.incidents.models import Attachment, Category, ClockEvent, Comment, Incident, StatusChange

COUNTED = (
    Organisation,
    Site,
    Person,
    User,
    Workgroup,
    Category,
    Incident,
    StatusChange,
    Comment,
    Attachment,
    Service,
    ServiceParameter,
    Subscription,
)


def _demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_the_demo_is_a_consistent_world(db):
    started = timezone.now()
    output = _demo("--incidents", "100")  # the default is 300; a third of it tells the same stories faster

    assert DEMO_PASSWORD in output
    for username in ("admin", "manager", "sam", "margaret", "nina", "klaus", "pieter"):
        assert f"  {username} " in output

    provider = Organisation.objects.get(kind=OrganisationKind.PROVIDER)
    assert provider.name == "Company X"
    customers = Organisation.objects.filter(kind=OrganisationKind.CUSTOMER)
    assert customers.count() == 3
    for org in customers:
        assert 2 <= org.sites.count() <= 3
        assert 10 <= org.people.count() <= 15
        roles = list(User.objects.filter(person__organisation=org).values_list("role", flat=True))
        assert roles.count(Role.CUSTOMER_MANAGER) == 1 and roles.count(Role.CUSTOMER) >= 2
    assert set(Workgroup.objects.values_list("name", flat=True)) == {
        "Service Desk",
        "Windows Server",
        "Mail/Exchange",
        "Network",
        "Backup",
    }
    assert not Workgroup.objects.filter(lead__isnull=True).exists()
    assert User.objects.filter(role=Role.AGENT).count() >= 10
    assert {
        "Desktop PC",
        "Virus Protection",
        "Email",
        "Backups",
        "Server Systems",
        "LAN",
        "WAN",
        "VPN",
    } <= set(Category.objects.filter(parent__isnull=True).values_list("name", flat=True))
    assert Category.objects.filter(parent__isnull=False).count() >= 16

    # The manual's service catalogue, with parameters, and the customers subscribing to most of it.
    assert {
        "Desktop PC",
        "Virus Protection",
        "Managed Mail",
        "Email Services",
        "Backups",
        "Server Systems",
        "LAN Networks",
        "WAN Networks",
        "VPN and distributed file systems",
        "Incident Management",
        "Problem Management",
        "Service Monitoring",
        "Application Maintenance",
        "Service Management",
    } == set(Service.objects.values_list("name", flat=True))
    for service in Service.objects.all():
        assert 3 <= service.parameters.count() <= 6, service.name
    mail = Service.objects.get(name="Managed Mail")
    assert ("Mailbox size", "2 GB") in mail.parameters.values_list("name", "value")
    for org in customers:
        subscribed = Service.objects.subscribed_by(org, on=started.date())
        assert subscribed.count() > Service.objects.count() / 2, org.name

    incidents = {i.pk: i for i in Incident.objects.all()}
    assert len(incidents) == 100
    assert {i.status for i in incidents.values()} == set(Status.values)
    assert {i.channel for i in incidents.values()} >= {"phone", "email", "portal", "monitoring"}
    assert any(i.reopen_count for i in incidents.values())
    assert any(i.status == Status.PENDING and i.pending_reason for i in incidents.values())
    oldest = min(i.opened_at for i in incidents.values())
    assert (started - oldest).days >= 60 and (started - oldest).days <= 90

    # Every incident's history chains from "new" to its current status, in time order, in the past.
    history = defaultdict(list)
    for row in StatusChange.objects.order_by("at", "id"):
        history[row.incident_id].append(row)
    for pk, incident in incidents.items():
        rows = history[pk]
        assert (rows[0].action, rows[0].from_status, rows[0].to_status) == ("open", "", Status.NEW)
        assert rows[0].at == incident.opened_at
        for before, after in zip(rows, rows[1:], strict=False):
            assert after.from_status == before.to_status, incident.number
            assert before.at <= after.at
        assert [r.id for r in rows] == sorted(r.id for r in rows), incident.number
        assert rows[-1].to_status == incident.status and rows[-1].at <= started
        assert incident.opened_at <= (incident.assigned_at or incident.opened_at)
        assert (incident.assigned_at is None) == (incident.status == Status.NEW)
        if incident.status in (Status.COMPLETED, Status.CLOSED):
            assert incident.resolution_code and incident.resolution_notes
            assert incident.completed_at >= incident.accepted_at >= incident.assigned_at
        if incident.status == Status.CLOSED:
            assert incident.closed_at == rows[-1].at and "agreement" in rows[-1].details
        assert incident.reopen_count == sum(r.action in ("reject", "reopen") for r in rows)
    agreements = {r.details["agreement"] for rows in history.values() for r in rows if r.action == "close"}
    assert agreements == {"confirmed by the customer", "recorded by the service desk"}

    # Incidents name a service their organisation subscribes to, and their SLA clocks were counted at the
    # story's own times (not when the demo was loaded): every clock event lies in the incident's history.
    with_service = [i for i in incidents.values() if i.service_id]
    assert len(with_service) > len(incidents) * 0.8
    for incident in with_service:
        on = timezone.localdate(incident.opened_at)
        assert Service.objects.subscribed_by(incident.organisation_id, on=on).filter(pk=incident.service_id)
    events = defaultdict(list)
    for event in ClockEvent.objects.order_by("at", "id"):
        events[event.incident_id].append(event)
    for pk, incident in incidents.items():
        assert incident.sla_id is not None
        last_step = history[pk][-1].at
        assert all(incident.opened_at <= e.at <= last_step for e in events[pk]), incident.number
        if incident.status in (Status.COMPLETED, Status.CLOSED):
            assert incident.response_state == incident.resolution_state == "stopped", incident.number
        if incident.status == Status.PENDING and incident.pending_reason:
            assert incident.resolution_state == "paused", incident.number
    outcomes = {(i.response_breached, i.status) for i in incidents.values() if i.response_state == "stopped"}
    assert {breached for breached, _status in outcomes} == {True, False}  # some met, some breached

    comments = list(Comment.objects.select_related("incident"))
    assert {c.is_public for c in comments} == {True, False}
    assert all(c.incident.opened_at <= c.created_at <= started for c in comments)
    assert Attachment.objects.filter(is_public=False).exists()
    # Nobody is mailed about invented people and past incidents.
    assert not OutboxMessage.objects.exists()


def test_a_second_run_changes_nothing(db):
    first = _demo("--incidents", "12")
    assert "Loaded demo data" in first
    before, audit = _counts(), AuditEntry.objects.count()
    second = _demo("--incidents", "12")
    assert "already loaded" in second and "Loaded demo data" not in second
    assert _counts() == before and AuditEntry.objects.count() == audit
    assert DEMO_PASSWORD in second and "  nina " in second  # make run shows the logins every time


def test_demo_logins_see_their_own_incidents_in_the_portal(db, client):
    _demo("--incidents", "30")
    nina = User.objects.get(username="nina")
    assert client.login(username="nina", password=DEMO_PASSWORD)
    page = client.get("/portal/").content.decode()
    for incident in Incident.objects.all():
        shown = f">{incident.number}</a>" in page
        assert shown == (incident.requester_id == nina.person_id), incident.number
    client.logout()
    assert client.login(username="sam", password=DEMO_PASSWORD)
    assert client.get("/portal/")["Location"] == "/"


def test_the_demo_is_never_mixed_into_a_real_installation(world):
    before = _counts()
    output = _demo("--incidents", "5")
    assert "already has a service provider" in output
    assert _counts() == before


@pytest.mark.parametrize("value", ["-1"])
def test_bad_arguments_are_refused(db, value):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        _demo("--incidents", value)


def test_the_demo_has_a_configuration_with_something_to_say_about_impact(db):
    from opsdesk.cmdb.graph import DatabaseGraph
    from opsdesk.cmdb.impact import downstream
    from opsdesk.cmdb.models import CI

    _demo("--incidents", "5")
    assert CI.objects.filter(ci_class__key="server").count() >= 9
    assert (
        CI.objects.filter(ci_class__key="service", service__isnull=False).count() == Service.objects.count()
    )
    r1, switch = CI.objects.get(name="cx-core-r1"), CI.objects.get(name="cx-dc-sw1")
    # One core router down: the switch carries on through the other; the switch down: the servers go.
    assert (
        downstream(DatabaseGraph(), r1.pk).ids == []
        and switch.pk in downstream(DatabaseGraph(), r1.pk).degraded
    )
    lost = set(
        CI.objects.filter(pk__in=downstream(DatabaseGraph(), switch.pk).ids).values_list("name", flat=True)
    )
    assert {"NW-FS01", "cx-mx1", "Server Systems"} <= lost
