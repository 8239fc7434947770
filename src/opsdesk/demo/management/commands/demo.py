"""``opsdesk demo``: load the demo organisation set once, then print its logins (``make run`` shows them)."""

import time

from django.core.management.base import BaseCommand, CommandError

from opsdesk.demo import data, loader


class Command(BaseCommand):
    help = (
        "Load the demo data: Company X, three customers, their people and logins, workgroups, categories "
        "and about 300 incidents over the last 90 days. Idempotent: does nothing if already loaded."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=loader.DEFAULT_SEED, help="random seed (default %(default)s)"
        )
        parser.add_argument(
            "--incidents",
            type=int,
            default=loader.DEFAULT_INCIDENTS,
            help="how many incidents (default %(default)s)",
        )
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args, seed, incidents, quiet_logins, **options):
        if incidents < 0:
            raise CommandError("--incidents cannot be negative")
        if loader.demo_provider() is not None:
            self.stdout.write("Demo data is already loaded; nothing changed.")
        elif (provider := loader.other_provider()) is not None:
            self.stdout.write(
                f"This database already has a service provider ({provider}); demo data is only loaded into "
                "an empty installation. Nothing changed."
            )
            return
        else:
            started = time.monotonic()
            summary = loader.load(seed=seed, incident_count=incidents)
            statuses = ", ".join(f"{summary.by_status[s]} {s}" for s in sorted(summary.by_status))
            seconds = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded demo data in {seconds:.1f} s: {summary.organisations} organisations, "
                    f"{summary.people} people, {summary.logins} logins, "
                    f"{summary.incidents} incidents ({statuses})."
                )
            )
        if not quiet_logins:
            self._print_logins()

    def _print_logins(self) -> None:
        logins = loader.demo_logins()
        if not logins:
            return
        width = max(len(login.username) for login in logins)
        role_width = max(len(login.role) for login in logins)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {data.DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(
                f"  {login.username:<{width}}  {login.role:<{role_width}}  {login.name}, {login.organisation}"
            )
        self.stdout.write(
            "Staff start at http://127.0.0.1:8000/ ; customers at http://127.0.0.1:8000/portal/"
        )
