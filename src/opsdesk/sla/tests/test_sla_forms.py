"""The SLA forms under /slas/: managers and administrators create and edit SLAs, with validation messages
on the fields; agents and customers cannot; business time is typed the way people say it."""

import datetime as dt

import pytest

from opsdesk.catalogue import services as catalogue
from opsdesk.core.audit import history_for
from opsdesk.sla import services
from opsdesk.sla.models import Calendar, Sla
from opsdesk.sla.signals import sla_changed


def _form(calendar, **overrides) -> dict:
    data = {
        "name": "Acme Silver",
        "organisation": "",
        "calendar": str(calendar.pk),
        "is_active": "on",
        "warning_thresholds": "75, 100",
        "notify_roles": ["owner", "manager"],
        "pausing_reasons": ["customer"],
        "notes": "",
    }
    times = {0: ("15m", "4h"), 1: ("30m", "8h"), 2: ("2h", "16h"), 3: ("4h", "40h"), 4: ("1h 30m", "90h")}
    for p, (response, resolution) in times.items():
        data[f"p{p}_response"], data[f"p{p}_resolution"] = response, resolution
    data.update(overrides)
    return data


def _edit_form(sla, **overrides) -> dict:
    data = _form(sla.calendar, name=sla.name, version=str(sla.version))
    data.update(notify_roles=sla.notify_roles, pausing_reasons=sla.pausing_reasons, notes=sla.notes)
    if sla.is_default:
        data["is_default"] = "on"
    data.update(overrides)
    data.pop("organisation")
    return data


@pytest.fixture
def uk():
    return Calendar.objects.get(name="UK office hours")


def test_a_manager_creates_an_sla_typing_hours_and_minutes(world, login, uk):
    client = login(world.manager)
    page = client.get("/slas/new/").content.decode()
    assert '<label class="visually-hidden" for="id_p0_response">P0 response target</label>' in page
    assert 'for="id_warning_thresholds"' in page and "Create SLA</button>" in page
    response = client.post("/slas/new/", _form(uk, organisation=str(world.acme.pk)))
    sla = Sla.objects.get(name="Acme Silver")
    assert response.status_code == 302 and response["Location"] == f"/slas/{sla.pk}/"
    table = {t.priority: (t.response_minutes, t.resolution_minutes) for t in sla.targets.all()}
    assert table == {0: (15, 240), 1: (30, 480), 2: (120, 960), 3: (240, 2400), 4: (90, 5400)}
    assert sla.organisation == world.acme and sla.notify_roles == ["owner", "manager"]
    assert sla.pausing_reasons == ["customer"] and sla.warning_thresholds == [75, 100]
    entries = list(history_for(sla))
    assert entries and {(e.channel, e.actor) for e in entries} == {("web", world.manager)}
    detail = client.get(f"/slas/{sla.pk}/").content.decode()
    assert "Created the SLA" in detail and "<td>1 h 30 min</td><td>90 h</td>" in detail


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"p2_response": "4"}, "p2_response", "Add a unit: “4m” for minutes or “4h” for hours."),
        ({"p0_resolution": "soon"}, "p0_resolution", "Write a time such as 4h, 1h 30m or 90m."),
        ({"p1_response": "2d"}, "p1_response", "Give days as business hours"),
        ({"p3_response": "0m"}, "p3_response", "A target must be longer than zero."),
        ({"p4_response": ""}, "p4_response", "This field is required."),
        ({"p1_response": "9h"}, "p1_resolution", "cannot be shorter than the response target"),
        ({"warning_thresholds": "lots"}, "warning_thresholds", "Write whole percentages separated by commas"),
        ({"warning_thresholds": "100, 75"}, "warning_thresholds", "ascending order"),
        ({"warning_thresholds": "75, 150"}, "warning_thresholds", "from 1 to 100"),
        ({"is_default": "on"}, "is_default", "There is already a provider-wide default SLA."),
        ({"name": "Standard"}, "name", "There is already a provider-wide SLA of that name."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_input_is_shown_on_its_field(world, login, uk, standard, overrides, field, message):
    before = Sla.objects.count()
    response = login(world.manager).post("/slas/new/", _form(uk, **overrides))
    assert response.status_code == 422
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert Sla.objects.count() == before


def test_editing_shows_targets_as_typed_and_saves_once(world, login, standard):
    heard = []

    def receiver(sender, sla, by, reason, **kwargs):
        heard.append((sla.pk, by, reason))

    client = login(world.admin)
    page = client.get(f"/slas/{standard.pk}/edit/").content.decode()
    assert 'name="p2_response" value="2h"' in page and 'name="p0_response" value="15m"' in page
    assert 'name="organisation"' not in page
    sla_changed.connect(receiver)
    try:
        response = client.post(
            f"/slas/{standard.pk}/edit/", _edit_form(standard, notes="Reviewed", p0_response="10m")
        )
    finally:
        sla_changed.disconnect(receiver)
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.notes == "Reviewed" and standard.targets.get(priority=0).response_minutes == 10
    assert heard == [(standard.pk, world.admin, "SLA Standard changed: targets")]


def test_a_stale_edit_is_refused_with_a_message(world, login, standard):
    data = _edit_form(standard, notes="First")
    client = login(world.manager)
    assert client.post(f"/slas/{standard.pk}/edit/", data).status_code == 302
    late = client.post(f"/slas/{standard.pk}/edit/", {**data, "notes": "Second"})
    assert late.status_code == 412 and "Someone else changed this record" in late.content.decode()
    standard.refresh_from_db()
    assert standard.notes == "First"


def test_agents_and_customers_cannot_write(world, login, uk, standard, acme_gold):
    agent = login(world.agent)
    assert agent.get("/slas/new/").status_code == 403
    assert agent.post("/slas/new/", _form(uk)).status_code == 403
    assert agent.post(f"/slas/{standard.pk}/edit/", _edit_form(standard, notes="x")).status_code == 403
    assert "Edit SLA" not in agent.get(f"/slas/{standard.pk}/").content.decode()
    assert "New SLA" not in agent.get("/slas/").content.decode()
    customer = login(world.acme_user)
    assert customer.get("/slas/new/").status_code == 404
    assert customer.get(f"/slas/{acme_gold.pk}/edit/").status_code == 404
    assert "Edit SLA" not in customer.get(f"/slas/{acme_gold.pk}/").content.decode()
    assert login(world.globex_user).get(f"/slas/{acme_gold.pk}/").status_code == 404
    assert not Sla.objects.filter(name="Acme Silver").exists()
    assert Sla.objects.get(pk=standard.pk).version == standard.version
    manager = login(world.manager)
    assert "Edit SLA" in manager.get(f"/slas/{standard.pk}/").content.decode()
    assert "New SLA" in manager.get("/slas/").content.decode()


def test_the_sla_page_lists_the_subscriptions_naming_it(world, login, acme_gold):
    desktop = catalogue.create_service(by=world.manager, name="Desktop PC", owner=world.service_desk)
    subscription = catalogue.subscribe(desktop, world.acme, start_date=dt.date(2026, 1, 1), by=world.manager)
    services.set_subscription_sla(subscription, acme_gold, by=world.manager)
    for user in (world.agent, world.acme_user):
        page = login(user).get(f"/slas/{acme_gold.pk}/").content.decode()
        assert f'href="/catalogue/{desktop.pk}/">Desktop PC</a>' in page


# --- putting subscriptions under an SLA from its page -------------------------------------------------------


@pytest.fixture
def desks(world):
    desktop = catalogue.create_service(by=world.manager, name="Desktop PC", owner=world.service_desk)
    acme = catalogue.subscribe(desktop, world.acme, start_date=dt.date(2026, 1, 1), by=world.manager)
    globex = catalogue.subscribe(desktop, world.globex, start_date=dt.date(2026, 1, 1), by=world.manager)
    return acme, globex


def test_a_manager_puts_a_subscription_under_an_sla_and_back(world, login, acme_gold, desks):
    acme_sub, globex_sub = desks
    manager = login(world.manager)
    page = manager.get(f"/slas/{acme_gold.pk}/").content.decode()
    assert f'<option value="{acme_sub.pk}">' in page
    assert f'<option value="{globex_sub.pk}">' not in page  # another customer's subscription is not offered
    url = f"/slas/{acme_gold.pk}/subscriptions/"
    response = manager.post(url, {"subscription": acme_sub.pk}, follow=True)
    assert "is now under Acme Gold" in response.content.decode()
    assert services.subscription_sla(acme_sub) == acme_gold
    manager.post(url, {"remove": acme_sub.pk})
    assert services.subscription_sla(acme_sub) is None


def test_another_customers_subscription_cannot_go_under_a_customer_sla(world, login, acme_gold, desks):
    _acme_sub, globex_sub = desks
    response = login(world.manager).post(
        f"/slas/{acme_gold.pk}/subscriptions/", {"subscription": globex_sub.pk}, follow=True
    )
    assert "is another customer&#x27;s SLA" in response.content.decode()
    assert services.subscription_sla(globex_sub) is None


def test_only_managers_put_subscriptions_under_an_sla(world, login, acme_gold, desks):
    acme_sub, _globex_sub = desks
    agent = login(world.agent)
    assert "Apply this SLA" not in agent.get(f"/slas/{acme_gold.pk}/").content.decode()
    url = f"/slas/{acme_gold.pk}/subscriptions/"
    assert agent.post(url, {"subscription": acme_sub.pk}).status_code == 403
    assert login(world.acme_manager).post(
        f"/slas/{acme_gold.pk}/subscriptions/", {"subscription": acme_sub.pk}
    ).status_code in (403, 404)
    assert services.subscription_sla(acme_sub) is None
