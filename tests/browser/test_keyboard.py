"""An agent who works with the keyboard only: Tab to move, typing to choose, Enter or Space to submit.
No mouse click anywhere; after every htmx swap the focus lands on what happened."""

import re

import pytest
from conftest import PASSWORD
from playwright.sync_api import expect

from opsdesk.incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def _tab_to(page, locator, limit=80):
    """Press Tab until ``locator`` has the focus: it is reachable from the keyboard, in tab order."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(locator):
            # The focused control shows it (the project's :focus-visible outline).
            assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
            return
    raise AssertionError(f"{locator} not reached with {limit} presses of Tab")


def _log_in(page, username):
    page.goto("/login/")
    # The username field has the focus when the page opens.
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))


def test_agent_assigns_and_accepts_with_the_keyboard(page, world):
    incident = world.incident(title="VPN drops every ten minutes")
    _log_in(page, "sam")
    page.goto(incident.get_absolute_url())
    status = page.locator("#incident-detail [role=status]")

    # Assign: choose the workgroup by typing its name, then Enter on the button.
    workgroup = page.get_by_label("Workgroup", exact=True)
    _tab_to(page, workgroup)
    page.keyboard.type("Service")
    expect(workgroup.locator("option:checked")).to_have_text("Service Desk")
    _tab_to(page, page.get_by_role("button", name="Assign", exact=True))
    page.keyboard.press("Enter")

    expect(status).to_have_text(f"{incident.number} assigned to Service Desk.")
    expect(status).to_be_focused()

    # Accept without saying how the customer was reached: the focus goes to the field to fix.
    accept = page.get_by_role("button", name="Accept", exact=True)
    _tab_to(page, accept)
    page.keyboard.press("Enter")
    contacted = page.get_by_label("Customer contacted")
    expect(contacted).to_be_focused()
    assert contacted.evaluate("el => el.validity.valueMissing")

    # Type the note where the focus already is, then Space on the button.
    page.keyboard.type("Phoned the requester at 10:20; remote session booked.")
    _tab_to(page, accept)
    page.keyboard.press("Space")

    expect(status).to_have_text(re.compile(rf"{incident.number} accepted; .* owns it\."))
    expect(status).to_be_focused()
    incident.refresh_from_db()
    assert incident.status == "accepted" and incident.owner == world.agent


def test_agent_creates_an_incident_and_filters_the_queue_with_the_keyboard(page, world):
    _log_in(page, "sam")
    page.goto("/incidents/new/")

    # Submitting the empty form puts the focus on the summary of what is missing.
    _tab_to(page, page.get_by_role("button", name="Create incident"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_role("alert")).to_contain_text("correct the fields marked below")

    organisation = page.get_by_label("Organisation")
    _tab_to(page, organisation)
    page.keyboard.type("Acme")
    requester = page.get_by_label("Requester")
    expect(requester.locator("option", has_text="Alice Acme")).to_have_count(1)
    _tab_to(page, requester)
    page.keyboard.type("Alice")
    _tab_to(page, page.get_by_label("Title"))
    page.keyboard.type("Printer on floor 2 jams")
    _tab_to(page, page.get_by_role("button", name="Create incident"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/incidents/INC-\d{6}/$"))
    created = Incident.objects.get(title="Printer on floor 2 jams")
    assert created.organisation == world.acme and created.requester == world.acme_user.person

    # The queue's filter bar: choose a status, Enter on "Apply filters".
    world.incident(title="Mail bounces")
    page.goto("/incidents/")
    status_filter = page.get_by_label("Status", exact=True)
    _tab_to(page, status_filter)
    page.keyboard.type("New")
    _tab_to(page, page.get_by_role("button", name="Apply filters"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"status=new"))
    results = page.get_by_role("region", name="Results")
    expect(results.get_by_role("link", name=created.number)).to_be_visible()
