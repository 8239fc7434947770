"""The one write path for accounts: organisations, people, logins, workgroups and API tokens."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from opsdesk.accounts.models import ApiToken, Organisation, Person, User, Workgroup, hash_token
from opsdesk.core import crud
from opsdesk.core.audit import record, record_create

TOKEN_PREFIX = "odk_"


def create_organisation(**fields: Any) -> Organisation:
    return crud.create(Organisation, **fields)


def create_person(**fields: Any) -> Person:
    return crud.create(Person, **fields)


@transaction.atomic
def create_login(
    *, person: Person, username: str, password: str, role: str, limited_to: list[Organisation] | None = None
) -> User:
    """Give a person a login. The password is validated and stored hashed; never audited."""
    user = User(
        username=username,
        person=person,
        role=role,
        email=person.email,
        first_name=person.full_name.split(" ")[0][:150],
        last_name=" ".join(person.full_name.split(" ")[1:])[:150],
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if limited_to:
        user.limited_to.set(limited_to)
    record_create(user, summary=f"login {username} with role {role}")
    return user


def create_workgroup(*, members: list[User] | None = None, **fields: Any) -> Workgroup:
    return crud.create(Workgroup, m2m={"members": members or []}, **fields)


@transaction.atomic
def create_token(user: User, name: str = "API") -> tuple[ApiToken, str]:
    """Return the new token and its secret; only the hash is stored, so the secret is shown once."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:12], key_hash=hash_token(raw))
    record(user, "update", {"api_token": [None, token.prefix]}, summary=f"API token '{name}' created")
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken) -> None:
    token.revoke()
    record(
        token.user, "update", {"api_token": [token.prefix, None]}, summary=f"API token '{token.name}' revoked"
    )


def authenticate_token(raw: str) -> User | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__person")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Record use at most once a minute, so a busy integration does not write on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
