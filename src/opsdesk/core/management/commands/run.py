import contextlib
import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

GRACE_SECONDS = 10


class Command(BaseCommand):
    help = "Migrate, then run the web server and the background worker together (Ctrl-C stops both)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("OPSDESK_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("OPSDESK_PORT", "8000")))
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply migrations first")

    def handle(self, *args, host, port, no_migrate, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        if connection.vendor == "sqlite":
            # Refresh the planner's statistics where they are stale (a migration that rebuilt an index
            # leaves it without any, and SQLite then picks slow plans on big tables).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA optimize")
        call_command("collectstatic", interactive=False, verbosity=0)
        opsdesk = [sys.executable, "-m", "opsdesk.cli"]
        # Each part runs in a process group of its own, so that stopping it reaches the processes it
        # spawned too (the web server's workers); Ctrl-C reaches us and we pass it on.
        children = [
            subprocess.Popen([*opsdesk, "web", "--host", host, "--port", str(port)], start_new_session=True),
            subprocess.Popen([*opsdesk, "worker"], start_new_session=True),
        ]
        self.stdout.write(f"opsdesk is running on http://{host}:{port}/ (Ctrl-C to stop)")
        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.3)
        if not stopping:
            failed = [" ".join(c.args[3:4]) for c in children if c.poll() is not None]
            self.stderr.write(f"stopping because a part exited: {', '.join(failed)}")
        self.stdout.write("stopping…")
        _stop(children)


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
    for child in children:
        # Whatever is left in a part's group after the grace period (including its own children) is killed.
        _signal_group(child, signal.SIGKILL)
        child.wait()
