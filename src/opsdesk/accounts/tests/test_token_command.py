"""`opsdesk token create USERNAME` prints a working token once and stores only its hash; `token list`
shows a user's tokens without their secrets and `token revoke PREFIX` stops one, on the record."""

import io

import pytest
from django.core.management import CommandError, call_command

from opsdesk.accounts.models import ApiToken, hash_token
from opsdesk.core.models import AuditEntry


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


def _run(*args) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_list_shows_each_token_without_its_secret(world, client):
    raw = _create("sam", "--name", "nightly export")
    _create("sam", "--name", "monitoring")
    _create("nora")  # someone else's
    client.get("/api/v1/incidents", HTTP_AUTHORIZATION=f"Bearer {raw}")
    header, *rows = _run("list", "sam").splitlines()
    assert header.split() == ["PREFIX", "NAME", "CREATED", "LAST", "USED", "REVOKED"]
    assert len(rows) == 2 and raw not in "".join(rows)
    used = next(row for row in rows if "nightly export" in row)
    unused = next(row for row in rows if "monitoring" in row)
    assert used.startswith(raw[:12])
    # created and last used are dates; never used and not revoked show as "-"
    assert used.split("nightly export")[1].split()[-1] == "-" and used.count(":") == 2
    assert unused.split("monitoring")[1].split()[-2:] == ["-", "-"]


def test_list_of_a_user_without_tokens_or_an_unknown_user(world):
    assert _run("list", "nora") == "nora has no API tokens.\n"
    with pytest.raises(CommandError, match="No user named"):
        _run("list", "nobody")


def test_revoke_by_prefix_stops_the_token_and_is_audited(world, client):
    raw = _create("sam", "--name", "nightly export")
    keep = _create("sam", "--name", "monitoring")
    prefix = raw[:12]
    assert _run("revoke", prefix) == f"Revoked {prefix} (nightly export) of sam.\n"
    assert client.get("/api/v1/incidents", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/v1/incidents", HTTP_AUTHORIZATION=f"Bearer {keep}").status_code == 200
    revoked_row = next(row for row in _run("list", "sam").splitlines() if row.startswith(prefix))
    assert revoked_row.split()[-1] != "-"
    entry = AuditEntry.objects.filter(summary="API token 'nightly export' revoked").get()
    assert (entry.object_id, entry.channel, entry.changes) == (
        str(world.agent.pk),
        "system",
        {"api_token": [prefix, None]},
    )
    with pytest.raises(CommandError, match="already revoked"):
        _run("revoke", prefix)


def test_revoke_refuses_an_unknown_or_ambiguous_prefix(world):
    with pytest.raises(CommandError, match="No API token starts with 'odk_nothing'"):
        _run("revoke", "odk_nothing")
    raw = _create("sam")
    ApiToken.objects.create(user=world.net_agent, name="clash", prefix=raw[:12], key_hash="0" * 64)
    with pytest.raises(CommandError, match="2 active tokens start with .* \\(nora, sam\\)"):
        _run("revoke", raw[:12])
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 2
