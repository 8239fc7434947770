"""The catalogue pages: list filters, detail, forms with validation, read-only agents, tenancy."""

import re

import pytest

from opsdesk.catalogue import services
from opsdesk.catalogue.models import Service, Subscription


def _names(response) -> list[str]:
    return re.findall(r'<a href="/catalogue/\d+/">([^<]+)</a>', response.content.decode())


def test_the_staff_nav_links_to_the_catalogue(world, login):
    page = login(world.agent).get("/incidents/").content.decode()
    assert 'href="/catalogue/"' in page and ">Catalogue</a>" in page


def test_list_filters_by_status_owner_and_search(catalogue, world, login):
    client = login(world.agent)
    assert _names(client.get("/catalogue/")) == ["Backups", "Managed Mail", "VPN"]
    assert _names(client.get("/catalogue/?status=pipeline")) == ["VPN"]
    assert _names(client.get(f"/catalogue/?owner={world.network.pk}")) == ["Backups", "VPN"]
    assert _names(client.get("/catalogue/?q=mail")) == ["Managed Mail"]
    assert _names(client.get(f"/catalogue/?status=live&owner={world.network.pk}")) == ["Backups"]
    bad = client.get("/catalogue/?status=bogus")
    assert bad.status_code == 422 and "not valid" in bad.content.decode()
    page = client.get("/catalogue/").content.decode()
    for label in ("Search", "Status", "Owner workgroup"):
        assert re.search(rf'<label class="form-label" for="id_\w+">{label}</label>', page)
    assert ">Filter</button>" in page


def test_detail_shows_parameters_in_order_and_the_subscribers(catalogue, world, login):
    page = login(world.agent).get(f"/catalogue/{catalogue.mail.pk}/").content.decode()
    assert page.index("Mailbox size") < page.index("Retention") < page.index("Availability")
    assert "2 GB" in page and "Mon-Fri 08:00-18:00" in page and "Service Desk" in page
    assert "Acme Ltd" in page and "2026-01-01" in page and "open-ended" in page
    # Agents read; they get no buttons and no forms.
    assert "Edit service" not in page and "Add subscription" not in page
    client = login(world.agent)
    assert client.get(f"/catalogue/{catalogue.mail.pk}/edit/").status_code == 403
    assert client.get("/catalogue/new/").status_code == 403
    assert client.post(f"/catalogue/{catalogue.vpn.pk}/actions/go_live/").status_code == 403
    assert Service.objects.get(pk=catalogue.vpn.pk).status == "pipeline"


def test_a_manager_creates_and_edits_a_service(catalogue, world, login):
    client = login(world.manager)
    form = client.get("/catalogue/new/").content.decode()
    for name in ("name", "owner", "status", "service_hours", "description", "parameters"):
        assert f'for="id_{name}"' in form
    assert ">Create service</button>" in form
    bad = client.post(
        "/catalogue/new/",
        {"name": "", "owner": world.network.pk, "status": "pipeline", "parameters": "Size 2 GB"},
    )
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "This field is required." in text and "Line 1: write" in text
    response = client.post(
        "/catalogue/new/",
        {
            "name": "Printing",
            "owner": world.service_desk.pk,
            "status": "pipeline",
            "parameters": "Printers: up to 20\n\nToner: included",
        },
    )
    service = Service.objects.get(name="Printing")
    assert response["Location"] == f"/catalogue/{service.pk}/"
    assert [(p.name, p.value) for p in service.parameters.all()] == [
        ("Printers", "up to 20"),
        ("Toner", "included"),
    ]
    edit = client.get(f"/catalogue/{service.pk}/edit/").content.decode()
    assert "Printers: up to 20" in edit
    client.post(
        f"/catalogue/{service.pk}/edit/",
        {
            "name": "Printing",
            "owner": world.network.pk,
            "service_hours": "24x7",
            "parameters": "Toner: extra",
            "version": service.version,
        },
    )
    service.refresh_from_db()
    assert service.owner == world.network and service.service_hours == "24x7"
    stale = client.post(
        f"/catalogue/{service.pk}/edit/",
        {"name": "Old", "owner": world.network.pk, "parameters": "", "version": 1},
    )
    assert stale.status_code == 412 and "changed this record" in stale.content.decode()
    duplicate = client.post(
        f"/catalogue/{service.pk}/edit/",
        {"name": "Managed Mail", "owner": world.network.pk, "parameters": "", "version": service.version},
    )
    assert duplicate.status_code == 422 and "already exists" in duplicate.content.decode()


def test_lifecycle_buttons(catalogue, world, login):
    client = login(world.manager)
    url = f"/catalogue/{catalogue.vpn.pk}/"
    page = client.get(url).content.decode()
    assert ">Put live</button>" in page and ">Retire</button>" not in page
    client.post(f"{url}actions/go_live/", {"version": catalogue.vpn.version})
    page = client.get(url).content.decode()
    assert ">Retire</button>" in page and ">Put live</button>" not in page
    illegal = client.post(f"{url}actions/go_live/", follow=True).content.decode()
    assert "Cannot go_live from status &#x27;live&#x27;" in illegal
    client.post(f"{url}actions/retire/")
    page = client.get(url).content.decode()
    assert "Retired" in page and "Edit service" not in page


def test_a_manager_adds_and_edits_subscriptions(catalogue, world, login):
    client = login(world.manager)
    url = f"/catalogue/{catalogue.backup.pk}/subscriptions/new/"
    form = client.get(url).content.decode()
    for name in ("organisation", "start_date", "end_date", "sla_notes"):
        assert f'for="id_{name}"' in form
    assert "Company X" not in form  # only customers subscribe
    backwards = client.post(
        url, {"organisation": world.acme.pk, "start_date": "2026-05-01", "end_date": "2026-04-01"}
    )
    assert backwards.status_code == 422 and "cannot be before the start date" in backwards.content.decode()
    overlap = client.post(url, {"organisation": world.globex.pk, "start_date": "2026-06-01"})
    assert overlap.status_code == 422 and "already subscribes" in overlap.content.decode()
    assert client.post(url, {"organisation": world.acme.pk, "start_date": "2026-05-01"}).status_code == 302
    subscription = Subscription.objects.get(service=catalogue.backup, organisation=world.acme)
    edit_url = f"/catalogue/{catalogue.backup.pk}/subscriptions/{subscription.pk}/edit/"
    client.post(
        edit_url,
        {
            "start_date": "2026-05-01",
            "end_date": "2026-12-31",
            "sla_notes": "Silver",
            "version": subscription.version,
        },
    )
    subscription.refresh_from_db()
    assert subscription.end_date.isoformat() == "2026-12-31" and subscription.sla_notes == "Silver"
    assert login(world.agent).get(edit_url).status_code == 403


@pytest.mark.parametrize(
    "path", ["/catalogue/{mail}/", "/catalogue/{mail}/edit/", "/catalogue/{mail}/subscriptions/new/"]
)
def test_another_customers_service_is_a_404(catalogue, world, login, path):
    assert login(world.globex_user).get(path.format(mail=catalogue.mail.pk)).status_code == 404


def test_customers_see_only_their_organisations_services(catalogue, world, login):
    globex = login(world.globex_user)
    assert _names(globex.get("/catalogue/")) == ["Backups"]
    page = globex.get(f"/catalogue/{catalogue.backup.pk}/").content.decode()
    assert "Globex plc" in page and "Nightly 22:00" in page and "Your subscription" in page
    assert "Edit service" not in page
    # Acme's subscription to the same service stays invisible to Globex.
    services.subscribe(
        catalogue.backup, world.acme, start_date=catalogue.acme_mail.start_date, by=world.manager
    )
    assert "Acme Ltd" not in globex.get(f"/catalogue/{catalogue.backup.pk}/").content.decode()
    assert _names(login(world.acme_user).get("/catalogue/")) == ["Backups", "Managed Mail"]
    assert globex.get(f"/catalogue/{catalogue.backup.pk}/edit/").status_code == 404
