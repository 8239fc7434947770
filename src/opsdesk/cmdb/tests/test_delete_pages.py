"""Deleting from the pages: the *Delete* button on a CI's page and on a class's edit page leads to a
confirmation that shows what would go, or why it may not (no button then); the POST deletes through the
services (audited, with the stale check), as ``DELETE`` in the API does."""

from django.contrib.contenttypes.models import ContentType

from opsdesk.cmdb import services
from opsdesk.cmdb.models import CI, CIClass
from opsdesk.cmdb.tests.conftest import ensure_seeded, make_ci
from opsdesk.core.context import acting_as
from opsdesk.core.models import AuditEntry


def _spare_ci(world):
    with acting_as(world.agent, "web"):
        return make_ci(world.agent, "Spare-PC", "desktop-pc", world.provider)


def _deleted(model, pk) -> AuditEntry | None:
    content_type = ContentType.objects.get_for_model(model)
    return AuditEntry.objects.filter(content_type=content_type, object_id=str(pk), action="delete").first()


def test_an_agent_deletes_an_unused_ci_of_the_provider(world, estate, login):
    spare = _spare_ci(world)
    client = login(world.agent)
    page = client.get(spare.get_absolute_url()).content.decode()
    assert f'href="/cmdb/{spare.pk}/delete/"' in page
    confirm = client.get(f"/cmdb/{spare.pk}/delete/")
    html = confirm.content.decode()
    assert confirm.status_code == 200 and "Spare-PC" in html and "Desktop PC" in html
    assert ">Delete</button>" in html
    response = client.post(f"/cmdb/{spare.pk}/delete/", {"version": spare.version}, follow=True)
    assert response.redirect_chain == [("/cmdb/", 302)]
    assert "Deleted the configuration item “Spare-PC”." in response.content.decode()
    assert not CI.objects.filter(pk=spare.pk).exists()
    entry = _deleted(CI, spare.pk)
    assert entry is not None and entry.actor == world.agent and entry.channel == "web"


def test_a_ci_with_relationships_shows_why_and_a_forged_post_changes_nothing(world, estate, login):
    client = login(world.agent)
    url = f"/cmdb/{estate.mx1.pk}/delete/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "3 relationships" in html and "Retire or dispose of it instead" in html
    assert ">Delete</button>" not in html
    forged = client.post(url, {"version": estate.mx1.version})
    assert forged.status_code == 409
    assert "still in use (3 relationships); retire or dispose of it instead." in forged.content.decode()
    assert CI.objects.filter(pk=estate.mx1.pk).exists()
    assert _deleted(CI, estate.mx1.pk) is None


def test_a_stale_delete_is_refused_with_the_reason(world, estate, login):
    spare = _spare_ci(world)
    client = login(world.agent)
    with acting_as(world.agent, "web"):
        services.update_ci(spare, {"notes": "Moved to the store room"}, by=world.agent)
    response = client.post(f"/cmdb/{spare.pk}/delete/", {"version": spare.version})
    assert response.status_code == 412
    assert "Someone else changed this record" in response.content.decode()
    assert CI.objects.filter(pk=spare.pk).exists()


def test_customers_never_reach_the_delete_page(world, estate, login):
    spare = _spare_ci(world)
    for user in (world.acme_manager, world.acme_user):
        client = login(user)
        assert client.get(f"/cmdb/{estate.app.pk}/").status_code == 200  # their own CI, read only
        assert "/delete/" not in client.get(f"/cmdb/{estate.app.pk}/").content.decode()
        assert client.get(f"/cmdb/{estate.app.pk}/delete/").status_code == 404
        assert client.post(f"/cmdb/{spare.pk}/delete/", {"version": spare.version}).status_code == 404
    assert CI.objects.filter(pk=spare.pk).exists()


def test_a_manager_deletes_an_unused_class_and_an_agent_may_not(world, login):
    ensure_seeded()
    with acting_as(world.manager, "web"):
        spare = services.create_class(by=world.manager, name="Tape drive", key="tape-drive")
    url = f"/cmdb/classes/{spare.pk}/delete/"
    agent = login(world.agent)
    assert agent.get(url).status_code == 403
    assert agent.post(url, {"version": spare.version}).status_code == 403
    manager = login(world.manager)
    assert f'href="{url}"' in manager.get(f"/cmdb/classes/{spare.pk}/edit/").content.decode()
    confirm = manager.get(url).content.decode()
    assert "tape-drive" in confirm and ">Delete</button>" in confirm
    response = manager.post(url, {"version": spare.version}, follow=True)
    assert response.redirect_chain == [("/cmdb/classes/", 302)]
    assert "Deleted the class “Tape drive”." in response.content.decode()
    assert not CIClass.objects.filter(pk=spare.pk).exists()
    assert _deleted(CIClass, spare.pk).actor == world.manager


def test_a_class_in_use_shows_why(world, estate, login):
    server = CIClass.objects.get(key="server")
    manager = login(world.manager)
    html = manager.get(f"/cmdb/classes/{server.pk}/delete/").content.decode()
    assert "2 configuration items are of this class" in html
    assert "Untick Active" in html
    assert ">Delete</button>" not in html
    forged = manager.post(f"/cmdb/classes/{server.pk}/delete/", {"version": server.version})
    assert forged.status_code == 409 and "deactivate it instead" in forged.content.decode()
    assert CIClass.objects.filter(pk=server.pk).exists()
