"""The pages for CI classes and relationship types: managers and administrators define classes with typed
attribute rows (checked by the same code as the API) and relationship types; agents read, customers
never see them."""

import pytest

from opsdesk.cmdb.models import CIClass, RelationshipType
from opsdesk.cmdb.tests.conftest import ensure_seeded

pytestmark = pytest.mark.django_db

PAGES = [
    "/cmdb/classes/",
    "/cmdb/classes/new/",
    "/cmdb/relationship-types/",
    "/cmdb/relationship-types/new/",
]


def _rows(*rows, extra=0):
    """Formset POST data for attribute rows given as dicts."""
    data = {"attrs-TOTAL_FORMS": str(len(rows) + extra), "attrs-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"attrs-{i}-{key}"] = value
    return data


def test_the_class_tree_lists_classes_below_their_parents(world, login):
    ensure_seeded()
    html = login(world.manager).get("/cmdb/classes/").content.decode()
    assert html.index("Hardware") < html.index("Server") < html.index("Network") < html.index("Router")
    assert "RAM (GB)" in html and "New class" in html


@pytest.mark.parametrize("url", PAGES)
def test_customers_get_404_and_agents_cannot_change_anything(world, login, url):
    ensure_seeded()
    assert login(world.acme_user).get(url).status_code == 404
    agent = login(world.agent)
    if url.endswith("new/"):
        assert agent.get(url).status_code == 403
        assert agent.post(url, {"name": "Sneaky", "key": "sneaky"}).status_code == 403
    else:
        page = agent.get(url)
        assert page.status_code == 200 and "/new/" not in page.content.decode().split("</h1>")[1]
    assert login(world.admin).get(url).status_code == 200


def test_agents_cannot_edit_a_class_or_type(world, login):
    ensure_seeded()
    server = CIClass.objects.get(key="server")
    kind = RelationshipType.objects.get(key="runs-on")
    agent = login(world.agent)
    assert agent.get(f"/cmdb/classes/{server.pk}/edit/").status_code == 403
    assert agent.post(f"/cmdb/relationship-types/{kind.pk}/edit/", {"key": "x"}).status_code == 403
    assert login(world.acme_user).get(f"/cmdb/classes/{server.pk}/edit/").status_code == 404


def test_a_manager_creates_a_class_with_typed_attribute_rows(world, login):
    ensure_seeded()
    hardware = CIClass.objects.get(key="hardware")
    client = login(world.manager)
    data = {
        "name": "Storage array",
        "key": "storage-array",
        "parent": hardware.pk,
        "is_active": "on",
        **_rows(
            {"name": "capacity_tb", "label": "Capacity (TB)", "type": "number", "required": "on"},
            {"name": "tier", "type": "choice", "choices": "gold, silver , bronze"},
            {},
            extra=0,
        ),
    }
    response = client.post("/cmdb/classes/new/", data)
    assert response.status_code == 302
    klass = CIClass.objects.get(key="storage-array")
    assert klass.parent == hardware
    assert klass.attributes == [
        {"name": "capacity_tb", "label": "Capacity (TB)", "type": "number", "required": True},
        {
            "name": "tier",
            "label": "Tier",
            "type": "choice",
            "required": False,
            "choices": ["gold", "silver", "bronze"],
        },
    ]
    # The edit form shows the rows back, one per attribute.
    form = client.get(f"/cmdb/classes/{klass.pk}/edit/").content.decode()
    assert 'value="capacity_tb"' in form and 'value="gold, silver, bronze"' in form


def test_bad_definitions_get_the_same_clear_errors_as_the_api_and_save_nothing(world, login):
    ensure_seeded()
    client = login(world.manager)
    base = {"name": "Gadget", "key": "gadget", "is_active": "on"}
    bad = client.post(
        "/cmdb/classes/new/",
        {
            **base,
            **_rows(
                {"name": "Bad Name", "type": "text"},
                {"name": "level", "type": "choice"},
                {"name": "colour", "type": "text", "choices": "red, blue"},
            ),
        },
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "the name must be lower case letters, digits and _" in html
    assert "Attribute &#x27;level&#x27;: a choice needs a list of distinct, non-empty choices." in html
    assert "only a choice attribute has choices" in html
    assert 'value="Bad Name"' in html  # what was typed is kept
    assert not CIClass.objects.filter(key="gadget").exists()

    # A subclass may not define an attribute its parent already has (Hardware has purchase_date).
    hardware = CIClass.objects.get(key="hardware")
    again = client.post(
        "/cmdb/classes/new/",
        {**base, "parent": hardware.pk, **_rows({"name": "purchase_date", "type": "date"})},
    )
    assert again.status_code == 422 and "defined twice" in again.content.decode()


def test_add_a_row_keeps_what_was_typed_and_saves_nothing(world, login):
    ensure_seeded()
    client = login(world.manager)
    data = {"name": "Gadget", "key": "gadget", "add_row": "1", **_rows({"name": "size", "type": "number"})}
    response = client.post("/cmdb/classes/new/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="size"' in html and 'name="attrs-1-name"' in html
    assert not CIClass.objects.filter(key="gadget").exists()


def test_editing_a_class_removes_a_row_and_refuses_a_stale_form(world, estate, login):
    server = CIClass.objects.get(key="server")
    client = login(world.manager)
    own = server.attributes
    assert own, "the seeded Server class has attributes"
    rows = [
        {
            "name": d["name"],
            "label": d["label"],
            "type": d["type"],
            **({"required": "on"} if d["required"] else {}),
            "choices": ", ".join(d.get("choices", [])),
        }
        for d in own
    ]
    rows[0]["DELETE"] = "on"
    data = {
        "name": server.name,
        "key": server.key,
        "parent": server.parent_id or "",
        "is_active": "on",
        "version": server.version,
        **_rows(*rows),
    }
    url = f"/cmdb/classes/{server.pk}/edit/"
    assert client.post(url, data).status_code == 302
    server.refresh_from_db()
    assert [d["name"] for d in server.attributes] == [d["name"] for d in own[1:]]
    stale = client.post(url, data)
    assert stale.status_code == 412 and "Someone else changed this record" in stale.content.decode()


def test_a_class_cannot_be_moved_below_its_own_subclass(world, login):
    ensure_seeded()
    hardware = CIClass.objects.get(key="hardware")
    server = CIClass.objects.get(key="server")
    form = login(world.manager).get(f"/cmdb/classes/{hardware.pk}/edit/").content.decode()
    assert f'<option value="{server.pk}"' not in form


def test_a_manager_creates_and_edits_a_relationship_type(world, login):
    ensure_seeded()
    client = login(world.manager)
    server = CIClass.objects.get(key="server")
    application = CIClass.objects.get(key="application")
    data = {
        "forward_name": "monitored by",
        "reverse_name": "monitors",
        "key": "monitored-by",
        "impact": "none",
        "source_classes": [application.pk],
        "target_classes": [server.pk],
    }
    assert client.post("/cmdb/relationship-types/new/", data).status_code == 302
    kind = RelationshipType.objects.get(key="monitored-by")
    assert list(kind.source_classes.all()) == [application] and list(kind.target_classes.all()) == [server]
    listing = client.get("/cmdb/relationship-types/").content.decode()
    assert "monitored by" in listing and "monitors" in listing

    missing_reverse = client.post(
        "/cmdb/relationship-types/new/", {**data, "key": "x", "forward_name": "y", "reverse_name": ""}
    )
    assert missing_reverse.status_code == 422 and "Give the reverse name" in missing_reverse.content.decode()
    duplicate = client.post("/cmdb/relationship-types/new/", data)
    assert duplicate.status_code == 422

    edit = {
        **data,
        "reverse_name": "watches",
        "target_classes": [],
        "version": kind.version,
        "symmetric": "on",
    }
    assert client.post(f"/cmdb/relationship-types/{kind.pk}/edit/", edit).status_code == 302
    kind.refresh_from_db()
    # Key and one-way-ness are fixed; the reverse name and the target classes changed.
    assert (
        kind.key == "monitored-by"
        and not kind.symmetric
        and kind.reverse_name == "watches"
        and not kind.target_classes.exists()
    )
