"""A CI's page draws its impact graph; a click on a node that fails with it opens that CI, and from there
its catalogue service."""

import re

import pytest
from conftest import PASSWORD
from playwright.sync_api import expect

from opsdesk.cmdb.tests.conftest import estate  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_click_through_the_impact_graph_to_the_dependent_service(page, world, estate):  # noqa: F811
    page.goto("/login/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))

    page.goto(f"/cmdb/{estate.mx1.pk}/")
    graph = page.locator("#ci-graph[data-ready='true']")
    expect(graph).to_be_visible()
    roles = page.evaluate("window.opsdeskCiGraph.nodes().map(n => [n.data('label'), n.data('role')])")
    assert ["Acme mail", "downstream"] in roles and ["Core-R1", "upstream"] in roles

    # Click the service CI's node where Cytoscape drew it.
    graph.scroll_into_view_if_needed()
    x, y = page.evaluate(
        "id => { const p = window.opsdeskCiGraph.getElementById(id).renderedPosition(); return [p.x, p.y]; }",
        str(estate.mail.pk),
    )
    box = graph.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(re.compile(rf"/cmdb/{estate.mail.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme mail")

    page.get_by_role("link", name="Managed Mail").first.click()
    expect(page).to_have_url(re.compile(rf"/catalogue/{estate.mail_service.pk}/$"))
