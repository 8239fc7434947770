"""The Django admin, for configuration: administrators only, and audited."""

from __future__ import annotations

import pytest

from opsdesk.accounts import services as accounts
from opsdesk.accounts.models import ApiToken
from opsdesk.core.context import acting_as
from opsdesk.core.models import AuditEntry
from opsdesk.incidents.models import Category, PriorityRule

CHANGELISTS = [
    "/admin/incidents/category/",
    "/admin/incidents/priorityrule/",
    "/admin/accounts/organisation/",
    "/admin/accounts/site/",
    "/admin/accounts/person/",
    "/admin/accounts/user/",
    "/admin/accounts/workgroup/",
    "/admin/accounts/apitoken/",
]


def test_administrators_can_use_the_admin(world, login):
    assert world.admin.is_staff
    client = login(world.admin)
    index = client.get("/admin/")
    assert index.status_code == 200
    for url in CHANGELISTS:
        assert client.get(url).status_code == 200, url
        assert url in index.content.decode()
    for url in ("/admin/incidents/category/add/", f"/admin/accounts/user/{world.agent.pk}/change/"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["manager", "agent", "acme_manager", "globex_user"])
def test_nobody_else_gets_in(world, login, who):
    user = getattr(world, who)
    assert not user.is_staff
    client = login(user)
    for url in ["/admin/", *CHANGELISTS]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_admin_changes_are_audited(world, login):
    client = login(world.admin)
    response = client.post("/admin/incidents/category/add/", {"name": "Printers", "is_active": "on"})
    assert response.status_code == 302
    printers = Category.objects.get(name="Printers")
    created = AuditEntry.objects.filter(
        object_id=str(printers.pk), action="create", object_repr="Printers"
    ).get()
    assert created.actor == world.admin and created.channel == "web"

    client.post(
        f"/admin/accounts/workgroup/{world.network.pk}/change/",
        {
            "name": "Network",
            "email": "net@cx.example",
            "description": "",
            "lead": world.net_agent.pk,
            "members": [world.net_agent.pk, world.agent.pk],
            "is_active": "on",
        },
    )
    entry = AuditEntry.objects.filter(object_repr="Network", action="update").last()
    assert entry.changes["members"] == [[world.net_agent.pk], sorted([world.net_agent.pk, world.agent.pk])]


def test_priority_matrix_is_editable_in_manual_order(world, login):
    client = login(world.admin)
    html = client.get("/admin/incidents/priorityrule/").content.decode()
    assert html.index("Severe") < html.index("High") < html.index("Medium")
    rule = PriorityRule.objects.get(impact="low", urgency="normal")
    rule.priority = 2
    before = AuditEntry.objects.count()
    response = client.post(
        f"/admin/incidents/priorityrule/{rule.pk}/change/",
        {"impact": "low", "urgency": "normal", "priority": 2},
    )
    assert response.status_code == 302
    assert AuditEntry.objects.count() == before + 1
    assert world.incident(impact="low", urgency="normal").priority == 2


def test_tokens_are_read_only_and_can_be_revoked(world, login):
    with acting_as(None, "system"):
        token, raw = accounts.create_token(world.agent, "monitoring")
    client = login(world.admin)
    page = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash in page and raw not in page
    assert 'name="key_hash"' not in page  # shown, not editable
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    response = client.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert "Revoked 1 token(s)." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert accounts.authenticate_token(raw) is None
    assert ApiToken.objects.count() == 1


def test_user_role_decides_admin_access(world, login):
    client = login(world.admin)
    data = {
        "username": "nora",
        "person": world.net_agent.person_id,
        "first_name": "Nora",
        "last_name": "Network",
        "email": "nora@cx.example",
        "role": "admin",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }
    response = client.post(f"/admin/accounts/user/{world.net_agent.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    world.net_agent.refresh_from_db()
    assert world.net_agent.role == "admin" and world.net_agent.is_staff
    entry = AuditEntry.objects.filter(object_repr="Nora Network", action="update").last()
    assert "role" in entry.changes and "password" not in entry.changes
