from django.core.management.base import BaseCommand, CommandError

from opsdesk.accounts.models import User
from opsdesk.accounts.services import create_token
from opsdesk.core.context import acting_as


class Command(BaseCommand):
    help = "Manage API tokens. 'token create USERNAME [--name N]' prints a new token once."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user and print it once")
        create.add_argument("username")
        create.add_argument("--name", default="CLI")

    def handle(self, *args, action, username, name, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}")
        if not user.is_active:
            raise CommandError(f"User {username!r} is disabled")
        with acting_as(None, "system"):
            _token, raw = create_token(user, name)
        self.stdout.write(raw)
