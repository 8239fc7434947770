"""The incident form's CI search: at tens of thousands of CIs the list shows the first few hundred, and
typing narrows it (same endpoint, ``q``), within the agent's scope, the requester's site first, keeping
the CIs already chosen."""

from __future__ import annotations

import pytest

from opsdesk.cmdb.models import CI, CIClass
from opsdesk.incidents import cis as affected
from opsdesk.incidents.models import Incident
from opsdesk.incidents.tests.test_affected_cis import kit  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(world, kit, monkeypatch):  # noqa: F811
    """More Acme printers than the form lists (the limit made small for the test)."""
    printer = CIClass.objects.get(key="printer")
    CI.objects.bulk_create(
        CI(name=f"Printer {n:03}", ci_class=printer, organisation=world.acme, serial_number=f"SN{n:03}")
        for n in range(30)
    )
    monkeypatch.setattr(affected, "OFFER_LIMIT", 10)
    return kit


def _url(world, **params):
    query = "&".join(f"{k}={v}" for k, v in {"organisation": world.acme.pk, **params}.items())
    return f"/incidents/new/cis/?{query}"


def test_typing_finds_a_ci_beyond_the_first_page_of_the_list(world, crowd, login):
    client = login(world.agent)
    unsearched = client.get(_url(world)).content.decode()
    assert "Printer 029" not in unsearched
    assert "More configuration items than shown: search to find others" in unsearched
    found = client.get(_url(world, q="printer 029")).content.decode()
    assert "Printer 029" in found and "Printer 028" not in found and "More configuration" not in found
    by_serial = client.get(_url(world, q="sn017")).content.decode()
    assert "Printer 017" in by_serial and "Printer 018" not in by_serial
    nothing = client.get(_url(world, q="no-such-thing")).content.decode()
    assert "No configuration item matches the search" in nothing


def test_the_search_keeps_the_chosen_cis_chosen(world, crowd, login):
    client = login(world.agent)
    page = client.get(
        _url(world, q="printer 02", cis=crowd.laptop.pk) + f"&cis={crowd.core_router.pk}"
    ).content.decode()
    assert f'value="{crowd.laptop.pk}" selected' in page
    assert f'value="{crowd.core_router.pk}" selected' in page
    assert "Printer 021" in page and "Printer 011" not in page


def test_the_search_puts_the_requesters_site_first(world, crowd, login):
    page = login(world.agent).get(_url(world, q="a", requester=world.acme_user.person.pk)).content.decode()
    assert page.index('label="At Leeds HQ"') < page.index("Alice&#x27;s laptop") < page.index("Other CIs")


def test_the_search_stays_within_the_agents_scope(world, crowd, login):
    assert "Globex DB" not in login(world.agent).get(_url(world, q="globex")).content.decode()
    # Asking for Globex's list as an agent limited to Acme, or naming a Globex CI as chosen, shows nothing.
    limited = login(world.acme_only_agent)
    page = limited.get(f"/incidents/new/cis/?organisation={world.globex.pk}&q=globex").content.decode()
    assert "Globex DB" not in page
    page = limited.get(_url(world, q="printer", cis=crowd.globex_db.pk)).content.decode()
    assert "Globex DB" not in page
    assert login(world.acme_user).get(_url(world, q="printer")).status_code == 404


def test_a_ci_found_by_the_search_is_saved_and_kept_on_a_redisplayed_form(world, crowd, login):
    client = login(world.agent)
    far = CI.objects.get(name="Printer 029")
    form = client.get("/incidents/new/").content.decode()
    assert 'id="id_ci_q"' in form and 'hx-get="/incidents/new/cis/"' in form
    data = {
        "organisation": world.acme.pk,
        "requester": world.acme_user.person.pk,
        "channel": "phone",
        "impact": "low",
        "urgency": "normal",
        "ci_q": "printer 029",
        "cis": [far.pk],
    }
    redisplayed = client.post("/incidents/new/", data)  # no title: the form comes back
    assert redisplayed.status_code == 422
    assert f'value="{far.pk}" selected' in redisplayed.content.decode()
    assert client.post("/incidents/new/", {**data, "title": "Jammed"}).status_code == 302
    assert [ci.name for ci in Incident.objects.get().cis.all()] == ["Printer 029"]


def test_the_edit_form_searches_within_the_incidents_organisation(world, crowd, login):
    client = login(world.agent)
    incident = world.incident(title="Printing fails")
    url = f"{incident.get_absolute_url()}edit/"
    form = client.get(url).content.decode()
    assert 'id="id_ci_q"' in form and f"&quot;organisation&quot;: &quot;{world.acme.pk}&quot;" in form
    far = CI.objects.get(name="Printer 029")
    data = {
        "requester": incident.requester_id,
        "title": incident.title,
        "channel": incident.channel,
        "impact": incident.impact,
        "urgency": incident.urgency,
        "ci_q": "029",
        "cis": [far.pk],
        "version": incident.version,
    }
    assert client.post(url, data).status_code == 302
    assert [ci.name for ci in incident.cis.all()] == ["Printer 029"]
