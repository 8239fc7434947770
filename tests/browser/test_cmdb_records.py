"""The CMDB's records in a real browser: importing a file of CIs (a bad row rejects the whole file, with
its line, column and reason), and a CI's past view after an edit."""

import datetime as dt
import re

import pytest
from conftest import PASSWORD
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from opsdesk.cmdb.models import CI
from opsdesk.cmdb.tests.conftest import ensure_seeded, estate  # noqa: F401  (the fixture)
from opsdesk.core.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "name,external_id,status,ram_gb,ip_address\n"


def _log_in(page, username):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def _upload(page, name: str, content: str):
    page.get_by_label("File (CSV or JSON)").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.get_by_label("Class").select_option("server")
    page.get_by_label("Organisation").select_option(label="Acme Ltd")
    page.get_by_role("button", name="Import").click()


def test_a_file_with_a_bad_row_imports_nothing_and_a_good_one_fills_the_list(page, world):
    ensure_seeded()
    _log_in(page, "sam")
    page.goto("/cmdb/")
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cmdb/import/$"))

    bad = HEADER + "Web1,INV-1,installed,32,10.0.0.1\nWeb2,INV-2,,lots,\nWeb3,INV-3,,16,\n"
    _upload(page, "servers.csv", bad)
    expect(page.get_by_role("status")).to_contain_text("Imported nothing: the file has rejected rows")
    rejected = page.get_by_role("table", name="Rejected rows").locator("tbody tr")
    expect(rejected).to_have_count(1)
    expect(rejected.locator("td")).to_have_text(["3", "ram_gb", re.compile("must be a number")])
    assert not CI.objects.filter(name__in=["Web1", "Web2", "Web3"]).exists()
    page.goto("/cmdb/?q=Web")
    expect(page.get_by_text("No configuration items match.")).to_be_visible()

    page.goto("/cmdb/import/")
    good = HEADER + "Web1,INV-1,installed,32,10.0.0.1\nWeb2,INV-2,,8,\nWeb3,INV-3,,16,\n"
    _upload(page, "servers.csv", good)
    expect(page.get_by_role("status")).to_contain_text("Imported: 3 created")

    page.get_by_role("link", name="Configuration management").click()
    expect(page).to_have_url(re.compile(r"/cmdb/$"))
    for name in ("Web1", "Web2", "Web3"):
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))
        expect(row).to_contain_text("Server")
        expect(row).to_contain_text("Acme Ltd")


def test_the_past_view_shows_the_status_and_relationship_an_edit_removed(page, world, estate):  # noqa: F811
    # The estate was recorded two hours ago; the edits below happen now.
    AuditEntry.objects.update(at=F("at") - dt.timedelta(hours=2))
    before_the_edit = timezone.localtime() - dt.timedelta(hours=1)
    _log_in(page, "sam")

    page.goto(f"/cmdb/{estate.mx1.pk}/")
    page.get_by_role("link", name="Edit configuration item").click()
    page.get_by_label("Status").select_option(label="In maintenance")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("In maintenance")

    relationships = page.locator("#relationships")
    router_row = relationships.get_by_role("row").filter(has=page.get_by_role("link", name="Core-R1"))
    router_row.get_by_role("button", name="Remove relationship").click()
    expect(page.get_by_text("Removed: MX1 connected to Core-R1.")).to_be_visible()
    expect(relationships.get_by_role("link", name="Core-R1")).to_have_count(0)

    page.get_by_label("Show as it was at").fill(before_the_edit.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Show past view").click()
    expect(page).to_have_url(re.compile(rf"/cmdb/{estate.mx1.pk}/\?at="))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Past view: MX1 as it was at")
    expect(page.get_by_role("status")).to_contain_text("This is a past view")
    details = page.locator("section", has=page.get_by_role("heading", name="Details then"))
    expect(details).to_contain_text("Installed")
    expect(details).not_to_contain_text("In maintenance")
    then = page.get_by_role("table", name="Relationships at that time")
    expect(then.get_by_role("link", name="Core-R1")).to_be_visible()
    expect(then.get_by_role("link", name="Core-R2")).to_be_visible()

    page.get_by_role("link", name="Back to the current view").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("In maintenance")
