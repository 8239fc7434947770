"""A CI's page draws its impact graph; a click on a node that fails with it opens that CI, and from there
its catalogue service. The graph colours its nodes by impact, status or class, with a legend to match."""

import re

import pytest
from conftest import PASSWORD
from playwright.sync_api import expect

from opsdesk.cmdb import services
from opsdesk.cmdb.tests.conftest import estate  # noqa: F401  (the fixture)
from opsdesk.core.context import acting_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, username):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def _colours(page) -> dict[str, str]:
    return page.evaluate(
        "Object.fromEntries(window.opsdeskCiGraph.nodes()"
        ".map(n => [n.data('label'), n.style('background-color')]))"
    )


def test_colour_the_graph_by_status_or_class_with_a_matching_legend(page, world, estate):  # noqa: F811
    with acting_as(world.agent, "web"):
        services.update_ci(estate.r2, {"status": "in_maintenance"}, by=world.agent)
    _log_in(page, "sam")
    page.goto(f"/cmdb/{estate.mx1.pk}/")
    expect(page.locator("#ci-graph[data-ready='true']")).to_be_visible()
    legend = page.get_by_role("list", name="Legend")
    expect(legend).to_contain_text("This CI")
    expect(legend).to_contain_text("Fails with it")
    expect(legend).to_contain_text("What it relies on")

    page.get_by_label("Colour by").select_option("Status")
    expect(legend).to_contain_text("In maintenance")
    expect(legend).to_contain_text("Installed")
    expect(legend).not_to_contain_text("Fails with it")
    colours = _colours(page)
    assert colours["Core-R2"] != colours["Core-R1"]
    assert colours["Core-R1"] == colours["MX1"] == colours["Acme mail"]

    page.get_by_label("Colour by").select_option("Class")
    for name in ("Router", "Server", "Application", "Service"):
        expect(legend.get_by_role("listitem").filter(has_text=name)).to_have_count(1)
    expect(legend).not_to_contain_text("In maintenance")
    colours = _colours(page)
    assert colours["Core-R1"] == colours["Core-R2"]
    assert len({colours["Core-R1"], colours["MX1"], colours["Exchange"], colours["Acme mail"]}) == 4

    # The select is an ordinary form control: reachable and operable from the keyboard.
    select = page.get_by_label("Colour by")
    select.focus()
    expect(select).to_be_focused()
    select.select_option("Impact")
    expect(legend).to_contain_text("Fails with it")


def test_click_through_the_impact_graph_to_the_dependent_service(page, world, estate):  # noqa: F811
    _log_in(page, "sam")
    page.goto(f"/cmdb/{estate.mx1.pk}/")
    graph = page.locator("#ci-graph[data-ready='true']")
    expect(graph).to_be_visible()
    roles = page.evaluate("window.opsdeskCiGraph.nodes().map(n => [n.data('label'), n.data('role')])")
    assert ["Acme mail", "downstream"] in roles and ["Core-R1", "upstream"] in roles

    # Click the service CI's node where Cytoscape drew it. Scroll instantly (the stylesheet asks for
    # smooth scrolling, which a busy machine may still be doing when the position is read), then read it.
    x, y = page.evaluate(
        """async id => {
            await document.fonts.ready;
            const box = document.getElementById('ci-graph');
            box.scrollIntoView({behavior: 'instant', block: 'center'});
            // The scroll event reaches Cytoscape with the next frames.
            await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
            const r = box.getBoundingClientRect();
            const p = window.opsdeskCiGraph.getElementById(id).renderedPosition();
            return [r.x + p.x, r.y + p.y];
        }""",
        str(estate.mail.pk),
    )
    # Cytoscape ignores the mouse for 250 ms after the page scrolls (it takes that for scrolling).
    page.wait_for_function("!window.opsdeskCiGraph.renderer().scrollingPage")
    page.mouse.click(x, y)
    expect(page).to_have_url(re.compile(rf"/cmdb/{estate.mail.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme mail")

    page.get_by_role("link", name="Managed Mail").first.click()
    expect(page).to_have_url(re.compile(rf"/catalogue/{estate.mail_service.pk}/$"))
