"""An incident from the agent's first click to the customer's confirmation, in a real browser."""

import re

import pytest
from conftest import PASSWORD
from playwright.sync_api import expect

from opsdesk.incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, username):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def test_agent_resolves_and_customer_confirms(page, world):
    # The agent records the call.
    _log_in(page, "sam")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/incidents/new/")
    page.get_by_label("Organisation").select_option(label="Acme Ltd")
    requester = page.get_by_label("Requester")
    expect(requester.locator("option", has_text="Alice Acme")).to_have_count(1)
    requester.select_option(label="Alice Acme")
    page.get_by_label("Title").fill("Shared drive unreachable from Leeds")
    page.get_by_label("Description").fill("Since 9:00 nobody in Leeds can open S:.")
    page.get_by_label("Impact").select_option("medium")
    page.get_by_label("Urgency").select_option("urgent")
    page.get_by_role("button", name="Create incident").click()

    expect(page).to_have_url(re.compile(r"/incidents/INC-\d{6}/$"))
    incident = Incident.objects.get(title="Shared drive unreachable from Leeds")
    assert incident.priority == 2 and incident.status == "new"

    # Assign to the Service Desk, accept, complete: each through the action panel.
    page.get_by_label("Workgroup").select_option(label="Service Desk")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("button", name="Accept", exact=True)).to_be_visible()
    page.get_by_label("Customer contacted").fill("Phoned Alice: the Leeds office cannot reach S:.")
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_role("button", name="Complete", exact=True)).to_be_visible()
    page.get_by_label("Resolution code").select_option("configuration")
    page.get_by_label("Resolution notes").fill("Re-mapped S: after the file server's certificate renewal.")
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page.get_by_role("button", name="Close incident")).to_be_visible()
    incident.refresh_from_db()
    assert incident.status == "completed" and incident.owner == world.agent
    _log_out(page)

    # The customer confirms in the portal.
    _log_in(page, "alice")
    expect(page).to_have_url(re.compile(r"/portal/$"))
    page.get_by_role("link", name=re.compile(incident.number)).first.click()
    expect(page.get_by_text("Re-mapped S:")).to_be_visible()
    page.get_by_role("button", name=re.compile("Confirm")).click()
    expect(page.get_by_text(re.compile("closed", re.I)).first).to_be_visible()
    incident.refresh_from_db()
    assert incident.status == "closed"
    _log_out(page)

    # The whole story is in the agent's timeline.
    _log_in(page, "sam")
    page.goto(f"/incidents/{incident.number}/")
    timeline = page.locator(".timeline")
    for step in ("assigned", "accepted", "completed", "closed"):
        expect(timeline).to_contain_text(re.compile(step, re.I))
    expect(page.get_by_text("No actions")).to_be_visible()
    assert list(incident.status_changes.values_list("to_status", flat=True)) == [
        "new",
        "assigned",
        "accepted",
        "completed",
        "closed",
    ]
