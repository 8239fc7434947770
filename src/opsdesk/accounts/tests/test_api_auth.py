"""Who may call the API: bearer tokens (hashed, revocable, last use recorded) and the browser session."""

import re

import pytest
from django.test import Client

from opsdesk.accounts import services
from opsdesk.accounts.models import Organisation
from opsdesk.core.audit import history_for
from opsdesk.core.context import acting_as

pytestmark = pytest.mark.django_db


def _token(user):
    with acting_as(None, "system"):
        return services.create_token(user, "script")


def _get(raw=None, path="/api/v1/organisations"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"} if raw else {}
    return Client().get(path, **headers)


def test_no_token_is_401_with_a_json_body(world):
    response = _get()
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response.json()["errors"] == {}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("raw", ["odk_not-a-real-token", "something-else", ""])
def test_an_unknown_token_is_401(world, raw):
    response = Client().get("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"]


def test_a_revoked_token_is_401(world):
    token, raw = _token(world.agent)
    assert _get(raw).status_code == 200
    with acting_as(world.admin, "web"):
        services.revoke_token(token)
    assert _get(raw).status_code == 401


def test_a_deactivated_users_token_is_401(world):
    _token_obj, raw = _token(world.agent)
    world.agent.is_active = False
    world.agent.save(update_fields=["is_active"])
    assert _get(raw).status_code == 401


def test_tokens_are_stored_hashed_and_record_their_last_use(world):
    token, raw = _token(world.agent)
    assert raw not in (token.key_hash, token.prefix) and len(token.key_hash) == 64
    assert token.last_used_at is None
    assert _get(raw).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_request_is_audited_on_the_api_channel(world):
    _token_obj, raw = _token(world.admin)
    response = Client().patch(
        f"/api/v1/organisations/{world.acme.pk}",
        data={"phone": "+44 113 000"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200
    entry = history_for(world.acme).filter(action="update").last()
    assert (entry.actor, entry.channel, entry.changes["phone"]) == (world.admin, "api", ["", "+44 113 000"])


def test_the_browser_session_works_and_needs_csrf_for_writes(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.admin)
    assert browser.get("/api/v1/organisations").status_code == 200
    body = {"name": "Initech", "short_name": "initech"}
    refused = browser.post("/api/v1/organisations", data=body, content_type="application/json")
    assert refused.status_code == 403
    docs = browser.get("/api/v1/docs").content.decode()
    csrf = re.search(r'data-csrf-token="([^"]+)"', docs).group(1)
    accepted = browser.post(
        "/api/v1/organisations", data=body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201, accepted.content
    entry = history_for(Organisation.objects.get(name="Initech")).get()
    assert (entry.actor, entry.channel) == (world.admin, "api")


def test_a_bad_token_does_not_fall_back_to_the_session(world):
    browser = Client()
    browser.force_login(world.admin)
    response = browser.get("/api/v1/organisations", HTTP_AUTHORIZATION="Bearer odk_wrong")
    assert response.status_code == 401
