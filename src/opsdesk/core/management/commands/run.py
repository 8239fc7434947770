import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, then run the web server and the background worker together (Ctrl-C stops both)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("OPSDESK_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("OPSDESK_PORT", "8000")))
        parser.add_argument("--no-migrate", action="store_true", help="Do not apply migrations first")

    def handle(self, *args, host, port, no_migrate, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        opsdesk = [sys.executable, "-m", "opsdesk.cli"]
        children = [
            subprocess.Popen([*opsdesk, "web", "--host", host, "--port", str(port)]),
            subprocess.Popen([*opsdesk, "worker"]),
        ]
        self.stdout.write(f"opsdesk is running on http://{host}:{port}/ (Ctrl-C to stop)")

        def stop(signum=None, frame=None):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()

        signal.signal(signal.SIGTERM, lambda s, f: (stop(), sys.exit(0)))
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            failed = [c.args[-1] for c in children if c.poll() not in (None, 0)]
            if failed:
                self.stderr.write(f"stopped because a part exited: {', '.join(failed)}")
        except KeyboardInterrupt:
            self.stdout.write("stopping…")
        finally:
            stop()
