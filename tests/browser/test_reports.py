"""A customer manager opens the SLA compliance report and the monthly service report in a real browser."""

import importlib
import re

import pytest
from conftest import PASSWORD
from django.apps import apps as django_apps
from django.utils import timezone
from playwright.sync_api import expect

from opsdesk.core.context import acting_as
from opsdesk.sla import services as sla_services
from opsdesk.sla.models import Calendar

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, username):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _seed_calendars_and_default_sla():
    """A transactional test empties every table, seeded ones included: put them back."""
    if not Calendar.objects.filter(name="24x7").exists():
        for name in ("0002_default_calendars", "0004_default_sla"):
            importlib.import_module(f"opsdesk.sla.migrations.{name}").seed(django_apps, None)


def test_customer_manager_reads_the_reports_with_charts(page, world, tmp_path):
    _seed_calendars_and_default_sla()
    with acting_as(world.manager, "web"):
        sla_services.create_sla(
            by=world.manager,
            name="Acme Round The Clock",
            organisation=world.acme,
            is_default=True,
            calendar=Calendar.objects.get(name="24x7"),
            targets=[{"priority": p, "response_minutes": 60, "resolution_minutes": 240} for p in range(5)],
        )
    accepted = world.incident(workgroup=world.service_desk, title="Printer jammed in Leeds")
    world.act(accepted, "accept")
    world.incident(title="VPN drops every hour")
    world.incident(org=world.globex, title="Globex secret outage")

    _log_in(page, "carol")
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Open the SLA compliance report").click()
    expect(page).to_have_url(re.compile(r"/reports/sla/"))
    table = page.get_by_role("table")
    expect(table).to_contain_text("Acme Ltd")
    expect(table).not_to_contain_text("Globex")
    drawn = page.evaluate(
        "() => { const c = document.querySelector('canvas[data-report-chart]');"
        " return !!(window.Chart && window.Chart.getChart(c)); }"
    )
    assert drawn
    page.get_by_label("Priority", exact=True).select_option("3")
    page.get_by_role("button", name="Show report").click()
    expect(page).to_have_url(re.compile(r"priority=3"))
    page.screenshot(path=str(tmp_path / "sla.png"), full_page=True)

    month = timezone.localtime().strftime("%Y-%m")
    page.goto("/reports/")
    page.get_by_label("Month", exact=True).fill(month)
    page.get_by_role("button", name="Show").click()
    heading = timezone.localtime().strftime("Acme Ltd — %B %Y")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("heading", name="Breaches explained")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "service.png"), full_page=True)
