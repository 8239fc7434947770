"""`opsdesk token create USERNAME` prints a working token once and stores only its hash."""

import io

import pytest
from django.core.management import CommandError, call_command

from opsdesk.accounts.models import ApiToken, hash_token


def _create(*args) -> str:
    out = io.StringIO()
    call_command("token", "create", *args, stdout=out)
    return out.getvalue().strip()


def test_printed_token_authenticates_and_only_its_hash_is_stored(world, client):
    raw = _create("sam", "--name", "nightly export")
    token = ApiToken.objects.get(user=world.agent)
    assert token.name == "nightly export"
    assert token.key_hash == hash_token(raw) and raw not in token.key_hash
    response = client.get("/api/v1/incidents", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_unknown_or_disabled_user_is_refused(world):
    with pytest.raises(CommandError, match="No user named"):
        _create("nobody")
    world.agent.is_active = False
    world.agent.save()
    with pytest.raises(CommandError, match="disabled"):
        _create("sam")
    assert not ApiToken.objects.exists()
