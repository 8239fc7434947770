"""The detail page's htmx behaviour in a real browser: actions swap the detail region in place, and
error responses (409, 412, 422) are shown to the agent rather than silently dropped by htmx 2."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import PASSWORD

from opsdesk.catalogue import services as catalogue
from opsdesk.catalogue.choices import ServiceStatus
from opsdesk.core.context import acting_as
from opsdesk.incidents.choices import Status
from opsdesk.incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_actions_swap_the_detail_region_and_errors_are_visible(world, page):
    inc = world.incident(title="Printer jams", workgroup=world.service_desk)
    _log_in(page, "sam")
    page.goto(f"/incidents/{inc.number}/")
    page.evaluate("window.__marker = 'same page'")

    # Accept with the keyboard-reachable button: the region is replaced, the page is not reloaded.
    page.get_by_label("Customer contacted").fill("Phoned Alice at 10:20")
    page.get_by_role("button", name="Accept").click()
    page.wait_for_selector("#incident-detail .alert-success")
    assert f"{inc.number} accepted; Sam Desk owns it." in page.inner_text("#incident-detail")
    assert page.locator("#incident-detail .page-header .status-accepted").count() == 1
    assert page.evaluate("window.__marker") == "same page"

    # 422: a missing resolution code is shown on the field (the browser's own check switched off, so
    # the server's answer is what the agent sees).
    page.eval_on_selector("#id_complete-resolution_code", "el => el.form.noValidate = true")
    page.fill("#id_complete-resolution_notes", "Cleaned the rollers")
    page.get_by_role("button", name="Complete").click()
    page.wait_for_selector("#id_complete-resolution_code_error")
    assert page.input_value("#id_complete-resolution_notes") == "Cleaned the rollers"

    # 412: someone else changes the incident meanwhile; the stale form is refused with a message.
    world.act(Incident.objects.get(pk=inc.pk), "pend", reason="customer")
    page.select_option("#id_complete-resolution_code", "fixed")
    page.get_by_role("button", name="Complete").click()
    page.wait_for_selector("text=changed by someone else")
    assert page.get_by_role("link", name="Reload the incident").is_visible()
    assert Incident.objects.get(pk=inc.pk).status == Status.PENDING

    # 409: an action the incident does not allow now names the allowed ones.
    page.reload()
    page.evaluate(
        """(n) => htmx.ajax('POST', `/incidents/${n}/actions/close/`,
             {target: '#incident-detail', swap: 'outerHTML', values: {'close-note': 'ok'}})""",
        inc.number,
    )
    page.wait_for_selector("text=is not possible while the incident is Pending")
    assert "Allowed now: Resume work, Complete, Reassign." in page.inner_text(
        "#incident-detail .alert-danger"
    )


def test_requester_options_follow_the_organisation(world, page):
    _log_in(page, "sam")
    page.goto("/incidents/new/")
    page.select_option("#id_organisation", str(world.globex.pk))
    page.wait_for_selector("#id_requester option:text('Gus Globex')", state="attached")
    names = page.locator("#id_requester option").all_inner_texts()
    assert "Gus Globex" in names and "Alice Acme" not in names
    page.select_option("#id_requester", label="Gus Globex")
    page.fill("#id_title", "Badge reader offline")
    page.get_by_role("button", name="Create incident").click()
    page.wait_for_url("**/incidents/INC-*/")
    assert Incident.objects.get().requester == world.globex_user.person


def test_service_options_follow_the_organisation(world, page):
    with acting_as(world.manager, "web"):
        mail = catalogue.create_service(
            by=world.manager, name="Managed Mail", owner=world.service_desk, status=ServiceStatus.LIVE
        )
        catalogue.subscribe(mail, world.globex, start_date=dt.date(2020, 1, 1), by=world.manager)
    _log_in(page, "sam")
    page.goto("/incidents/new/")
    page.select_option("#id_organisation", str(world.globex.pk))
    page.wait_for_selector("#id_service option:text('Managed Mail')", state="attached")
    page.wait_for_selector("#id_requester option:text('Gus Globex')", state="attached")
    page.select_option("#id_requester", label="Gus Globex")
    page.select_option("#id_service", label="Managed Mail")
    page.fill("#id_title", "Mail bounces")
    page.get_by_role("button", name="Create incident").click()
    page.wait_for_url("**/incidents/INC-*/")
    assert page.locator("#sla-heading").is_visible()
    assert Incident.objects.get().service == mail
    # Another organisation is offered none of Globex's services.
    page.goto("/incidents/new/")
    page.select_option("#id_organisation", str(world.acme.pk))
    page.wait_for_selector("#id_requester option:text('Alice Acme')", state="attached")
    assert "Managed Mail" not in page.locator("#id_service option").all_inner_texts()
