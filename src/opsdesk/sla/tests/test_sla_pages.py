"""The SLA pages: the list and the detail (targets in business time), the staff nav link, tenancy."""

from opsdesk.sla import services
from opsdesk.sla.models import Calendar
from opsdesk.sla.tests.conftest import targets


def test_the_staff_nav_links_to_the_slas(world, login):
    page = login(world.agent).get("/incidents/").content.decode()
    assert 'href="/slas/"' in page and ">SLAs</a>" in page
    assert 'href="/slas/"' not in login(world.acme_user).get("/portal/").content.decode()


def test_staff_list_every_sla(world, login, standard, acme_gold):
    page = login(world.agent).get("/slas/").content.decode()
    assert f'href="/slas/{standard.pk}/"' in page and f'href="/slas/{acme_gold.pk}/"' in page
    assert "All customers (provider-wide)" in page and "Acme Ltd" in page


def test_the_detail_shows_targets_in_business_time_the_calendar_and_thresholds(world, login, standard):
    response = login(world.agent).get(f"/slas/{standard.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "UK office hours" in page and "Europe/London" in page and "Monday 09:00–17:30" in page
    assert "75%, 100%" in page
    assert "Owner, Workgroup lead, Service-desk manager" in page and "Waiting for customer" in page
    rows = [
        ("P0", "15 min", "4 h"),
        ("P1", "30 min", "8 h"),
        ("P2", "2 h", "16 h"),
        ("P3", "4 h", "40 h"),
        ("P4", "8 h", "80 h"),
    ]
    for priority, response_time, resolution_time in rows:
        assert f"{priority} –" in page
        row = page.split(f"{priority} –", 1)[1].split("</tr>", 1)[0]
        assert f"<td>{response_time}</td><td>{resolution_time}</td>" in row


def test_customers_see_their_own_and_provider_wide_slas_but_not_other_tenants(
    world, login, standard, acme_gold
):
    globex = login(world.globex_user)
    assert globex.get(f"/slas/{acme_gold.pk}/").status_code == 404
    assert globex.get(f"/slas/{standard.pk}/").status_code == 200
    listing = globex.get("/slas/").content.decode()
    assert "Acme" not in listing and "Standard" in listing
    assert login(world.acme_user).get(f"/slas/{acme_gold.pk}/").status_code == 200


def test_an_agent_limited_to_acme_gets_404_for_a_globex_sla(world, login):
    globex_sla = services.create_sla(
        by=world.admin,
        name="Globex Basic",
        organisation=world.globex,
        calendar=Calendar.objects.get(name="24x7"),
        targets=targets(90, 600),
    )
    client = login(world.acme_only_agent)
    assert client.get(f"/slas/{globex_sla.pk}/").status_code == 404
    page = login(world.agent).get(f"/slas/{globex_sla.pk}/").content.decode()
    assert "every hour counts" in page and "<td>1 h 30 min</td><td>10 h</td>" in page


def test_anonymous_visitors_are_sent_to_log_in(client, standard):
    response = client.get(f"/slas/{standard.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]
