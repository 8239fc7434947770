"""The one write path for accounts: organisations, people, logins, workgroups and API tokens."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from opsdesk.accounts.choices import CUSTOMER_ROLES, STAFF_ROLES, OrganisationKind, Role
from opsdesk.accounts.models import ApiToken, Organisation, Person, Site, User, Workgroup, hash_token
from opsdesk.core import crud
from opsdesk.core.audit import record, record_create, record_update, snapshot
from opsdesk.core.errors import PermissionDenied

TOKEN_PREFIX = "odk_"


def create_organisation(**fields: Any) -> Organisation:
    return crud.create(Organisation, **fields)


def create_person(**fields: Any) -> Person:
    return crud.create(Person, **fields)


def create_site(**fields: Any) -> Site:
    return crud.create(Site, **fields)


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


def tokens_of(user: User) -> list[ApiToken]:
    """All of ``user``'s API tokens, newest first, revoked ones included (their secrets are never kept)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id"))


@transaction.atomic
def revoke_token_by_prefix(prefix: str) -> ApiToken:
    """Revoke the one active token whose prefix (as ``opsdesk token list`` shows it) is ``prefix``."""
    prefix = prefix.strip()
    matches = list(ApiToken.objects.select_for_update().select_related("user").filter(prefix=prefix))
    active = [token for token in matches if token.is_active]
    if not matches:
        raise ValidationError({"prefix": [f"No API token starts with {prefix!r}."]})
    if not active:
        when = max(token.revoked_at for token in matches)
        raise ValidationError(
            {"prefix": [f"The token {prefix} was already revoked on {when:%Y-%m-%d %H:%M}."]}
        )
    if len(active) > 1:
        owners = ", ".join(sorted(token.user.username for token in active))
        raise ValidationError(
            {
                "prefix": [
                    f"{len(active)} active tokens start with {prefix} ({owners}); revoke them in /admin/."
                ]
            }
        )
    revoke_token(active[0])
    return active[0]


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


# --- administration (the API's organisations, people and workgroups) ---------------------------------------


def is_manager(user: User | None) -> bool:
    """Administrators, service-desk managers and the system itself (``None``) manage configuration."""
    return user is None or bool(getattr(user, "is_manager", False))


def require_manager(user: User | None, what: str) -> None:
    if not is_manager(user):
        raise PermissionDenied(f"Only administrators and managers may {what}.")


def _ensure_admin(by: User | None, what: str) -> None:
    if by is not None and not by.is_admin:
        raise PermissionDenied(f"Only administrators can {what}.")


def _check_role(organisation: Organisation, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": [f"Unknown role; use one of {', '.join(Role.values)}."]})
    if organisation.kind == OrganisationKind.PROVIDER and role not in STAFF_ROLES:
        raise ValidationError({"role": ["People of the service provider get a staff role."]})
    if organisation.kind != OrganisationKind.PROVIDER and role not in CUSTOMER_ROLES:
        raise ValidationError({"role": ["People of a customer get a customer role."]})


@transaction.atomic
def create_person_with_login(
    *,
    by: User | None,
    username: str | None = None,
    password: str | None = None,
    role: str | None = None,
    **fields: Any,
) -> Person:
    """Create a person and, when ``username`` is given, their login (password validated, stored hashed)."""
    _ensure_admin(by, "add people")
    if not username and (password or role):
        raise ValidationError({"username": ["Give a username to create a login."]})
    site, organisation = fields.get("site"), fields.get("organisation")
    if site is not None and organisation is not None and site.organisation_id != organisation.pk:
        raise ValidationError({"site": [f"{site.name} is not a site of {organisation}."]})
    person = create_person(**fields)
    if username:
        if not password:
            raise ValidationError({"password": ["A login needs a password."]})
        role = role or (
            Role.AGENT if person.organisation.kind == OrganisationKind.PROVIDER else Role.CUSTOMER
        )
        _check_role(person.organisation, role)
        try:
            create_login(person=person, username=username, password=password, role=role)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise
            raise ValidationError({"password": exc.messages})
    return person


@transaction.atomic
def create_organisation_by(*, by: User | None, **fields: Any) -> Organisation:
    _ensure_admin(by, "add organisations")
    return create_organisation(**fields)


@transaction.atomic
def update_organisation(
    organisation: Organisation,
    changes: dict[str, Any],
    *,
    by: User | None,
    expected_version: int | None = None,
) -> Organisation:
    _ensure_admin(by, "change organisations")
    if "kind" in changes and changes["kind"] != organisation.kind:
        raise ValidationError({"kind": ["An organisation's kind cannot change."]})
    return crud.update(organisation, changes, expected_version=expected_version)


@transaction.atomic
def delete_organisation(organisation: Organisation, *, by: User | None) -> None:
    _ensure_admin(by, "delete organisations")
    if organisation.kind == OrganisationKind.PROVIDER:
        raise ProtectedError("The service provider's own organisation cannot be deleted.", {organisation})
    crud.delete(organisation)


@transaction.atomic
def update_person(
    person: Person,
    changes: dict[str, Any],
    *,
    by: User | None,
    expected_version: int | None = None,
    role: str | None = None,
) -> Person:
    """Edit a person; ``role`` changes their login's role (audited on the login)."""
    _ensure_admin(by, "change people")
    if "organisation" in changes and changes["organisation"] != person.organisation:
        raise ValidationError({"organisation": ["People do not move between organisations."]})
    site = changes.get("site")
    if site is not None and site.organisation_id != person.organisation_id:
        raise ValidationError({"site": [f"{site.name} is not a site of {person.organisation}."]})
    person = crud.update(person, changes, expected_version=expected_version)
    if role is not None:
        login = User.objects.filter(person=person).first()
        if login is None:
            raise ValidationError({"role": ["This person has no login."]})
        _check_role(person.organisation, role)
        if login.role != role:
            before = snapshot(login)
            login.role = role
            login.save(update_fields=["role"])
            record_update(login, before, summary=f"role changed to {role}")
    return person


@transaction.atomic
def delete_person(person: Person, *, by: User | None) -> None:
    _ensure_admin(by, "delete people")
    if User.objects.filter(person=person).exists():
        raise ProtectedError(
            f"{person} has a login; deactivate the person (is_active false) instead.", {person}
        )
    crud.delete(person)


def _check_staff(lead: User | None, members: list[User] | None) -> None:
    errors: dict[str, list[str]] = {}
    if lead is not None and not lead.is_provider_staff:
        errors["lead"] = [f"{lead} is not service-desk staff."]
    outsiders = [str(m) for m in members or [] if not m.is_provider_staff]
    if outsiders:
        errors["members"] = [f"Not service-desk staff: {', '.join(outsiders)}."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_workgroup_by(*, by: User | None, members: list[User] | None = None, **fields: Any) -> Workgroup:
    _ensure_admin(by, "add workgroups")
    _check_staff(fields.get("lead"), members)
    return create_workgroup(members=members, **fields)


@transaction.atomic
def update_workgroup(
    workgroup: Workgroup,
    changes: dict[str, Any],
    *,
    by: User | None,
    expected_version: int | None = None,
    members: list[User] | None = None,
) -> Workgroup:
    _ensure_admin(by, "change workgroups")
    _check_staff(changes.get("lead"), members)
    m2m = {"members": members} if members is not None else None
    return crud.update(workgroup, changes, expected_version=expected_version, m2m=m2m)


@transaction.atomic
def delete_workgroup(workgroup: Workgroup, *, by: User | None) -> None:
    _ensure_admin(by, "delete workgroups")
    crud.delete(workgroup)
