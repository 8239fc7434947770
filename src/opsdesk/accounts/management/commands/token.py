from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from opsdesk.accounts.models import User
from opsdesk.accounts.services import create_token, revoke_token_by_prefix, tokens_of
from opsdesk.core.context import acting_as

HELP = """Manage API tokens.
  token create USERNAME [--name N]  prints a new token once (only its hash is stored)
  token list USERNAME               the user's tokens: prefix, name, created, last used, revoked
  token revoke PREFIX               revokes the token with that prefix (as 'list' shows it)"""


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="CLI")
        listing = sub.add_parser("list", help="List a user's tokens (never their secrets)")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, action, **options):
        if action == "revoke":
            return self._revoke(options["prefix"])
        user = self._user(options["username"])
        if action == "list":
            return self._list(user)
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is disabled")
        with acting_as(None, "system"):
            _token, raw = create_token(user, options["name"])
        self.stdout.write(raw)

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}")

    def _list(self, user: User) -> None:
        tokens = tokens_of(user)
        if not tokens:
            self.stdout.write(f"{user.username} has no API tokens.")
            return
        rows = [("PREFIX", "NAME", "CREATED", "LAST USED", "REVOKED")]
        rows += [
            (t.prefix, t.name, _when(t.created_at), _when(t.last_used_at), _when(t.revoked_at))
            for t in tokens
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]))

    def _revoke(self, prefix: str) -> None:
        try:
            with acting_as(None, "system"):
                token = revoke_token_by_prefix(prefix)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        self.stdout.write(f"Revoked {token.prefix} ({token.name}) of {token.user.username}.")
