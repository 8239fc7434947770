"""The incident form's CI search in a real browser: choose a CI, type to find one the list did not
show, choose it too; both are saved."""

import re

import pytest
from conftest import PASSWORD
from playwright.sync_api import expect

from opsdesk.cmdb.models import CI, CIClass
from opsdesk.cmdb.tests.conftest import ensure_seeded
from opsdesk.incidents import cis as affected
from opsdesk.incidents.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_a_ci_by_typing_and_keep_the_one_already_chosen(page, world, monkeypatch):
    ensure_seeded()
    printer = CIClass.objects.get(key="printer")
    CI.objects.bulk_create(
        CI(name=f"Printer {n:03}", ci_class=printer, organisation=world.acme) for n in range(30)
    )
    monkeypatch.setattr(affected, "OFFER_LIMIT", 10)  # the live server runs in this process

    page.goto("/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))

    page.goto("/incidents/new/")
    page.get_by_label("Organisation").select_option(label="Acme Ltd")
    requester = page.get_by_label("Requester")
    expect(requester.locator("option", has_text="Alice Acme")).to_have_count(1)
    requester.select_option(label="Alice Acme")
    cis = page.get_by_label("Affected configuration items")
    # The requester's change reloads the list (site first): let that finish before choosing.
    page.wait_for_function("!document.querySelector('#id_cis.htmx-request')")
    expect(cis.locator("option", has_text="Printer 000")).to_have_count(1)
    expect(cis.locator("option", has_text="Printer 029")).to_have_count(0)
    cis.select_option(label="Printer 000 (Printer)")

    page.get_by_label("Find configuration items").fill("029")
    expect(cis.locator("option", has_text="Printer 029")).to_have_count(1)
    expect(cis.locator("option", has_text="Printer 005")).to_have_count(0)
    # The one chosen before is still listed and chosen.
    expect(cis.locator("option:checked")).to_have_text(["Printer 000 (Printer)"])
    cis.locator("option", has_text="Printer 029").click(modifiers=["ControlOrMeta"])
    expect(cis.locator("option:checked")).to_have_count(2)

    page.get_by_label("Title").fill("Printers jam")
    page.get_by_label("Impact").select_option("low")
    page.get_by_label("Urgency").select_option("normal")
    page.get_by_role("button", name="Create incident").click()
    expect(page).to_have_url(re.compile(r"/incidents/INC-\d{6}/$"))
    incident = Incident.objects.get(title="Printers jam")
    assert sorted(ci.name for ci in incident.cis.all()) == ["Printer 000", "Printer 029"]
