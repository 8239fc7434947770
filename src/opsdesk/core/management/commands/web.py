import os
import shutil
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server (granian, WSGI). Start several behind a proxy to scale out."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("OPSDESK_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("OPSDESK_PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("OPSDESK_WEB_WORKERS", "1")))
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("OPSDESK_WEB_THREADS", "4")),
            help="Blocking threads per worker",
        )

    def handle(self, *args, host, port, workers, threads, **options):
        granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which("granian")
        if granian is None:
            raise SystemExit("granian is not installed; reinstall opsdesk")
        argv = [
            granian,
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--no-ws",
            "opsdesk.wsgi:application",
        ]
        os.execv(granian, argv)
