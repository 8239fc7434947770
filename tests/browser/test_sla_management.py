"""A manager sets up a calendar and an SLA in the pages, in a real browser."""

import re

import pytest
from conftest import PASSWORD
from playwright.sync_api import expect

from opsdesk.sla.models import Calendar, Sla

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, username):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_manager_sets_up_a_calendar_and_an_sla(page, world):
    _log_in(page, "manager")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/slas/")
    page.get_by_role("link", name="Calendars").click()
    page.get_by_role("link", name="New calendar").click()

    page.get_by_label("Name").fill("Glasgow office")
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_label("Public holidays of").select_option("GB")
    region = page.get_by_label("Region")
    expect(region.locator("option", has_text="Scotland")).to_have_count(1)  # the list followed the country
    region.select_option("SCT")
    page.get_by_label("Monday").fill("09:00-13:00, 12:00-17:00")
    page.get_by_role("button", name="Create calendar").click()
    expect(page.get_by_text("13:00 and 12:00-17:00 overlap")).to_be_visible()

    page.get_by_label("Monday").fill("09:00-12:30, 13:30-17:30")
    page.get_by_label("Exceptions").fill("2026-12-24 09:00-13:00 Christmas Eve")
    page.get_by_role("button", name="Create calendar").click()
    expect(page).to_have_url(re.compile(r"/slas/calendars/\d+/$"))
    expect(page.get_by_role("cell", name="09:00–12:30, 13:30–17:30")).to_be_visible()
    calendar = Calendar.objects.get(name="Glasgow office")
    assert calendar.holiday_subdivision == "SCT" and calendar.hours.count() == 2

    page.goto("/slas/new/")
    page.get_by_label("Name").fill("Acme Scotland")
    page.get_by_label("Customer", exact=True).select_option(label="Acme Ltd")
    page.get_by_label("Calendar", exact=True).select_option(label="Glasgow office")
    for p, (response, resolution) in enumerate(
        [("15m", "4h"), ("30m", "8h"), ("2h", "16h"), ("4h", "40h"), ("8h", "80h")]
    ):
        page.get_by_label(f"P{p} response target").fill(response)
        page.get_by_label(f"P{p} resolution target").fill(resolution)
    page.get_by_label("P2 response target").fill("90")
    page.get_by_role("button", name="Create SLA").click()
    expect(page.get_by_text("Add a unit: “90m” for minutes or “90h” for hours.")).to_be_visible()
    page.get_by_label("P2 response target").fill("1h 30m")
    page.get_by_role("button", name="Create SLA").click()
    expect(page).to_have_url(re.compile(r"/slas/\d+/$"))
    expect(page.get_by_role("cell", name="1 h 30 min")).to_be_visible()
    sla = Sla.objects.get(name="Acme Scotland")
    assert sla.calendar == calendar and sla.targets.get(priority=2).response_minutes == 90
