import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand

from opsdesk.core import periodic


class Command(BaseCommand):
    help = "Run the background worker: queued tasks plus the periodic sweeps (outbox, SLA clocks, ...)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between queue polls")

    def handle(self, *args, interval: float, **options):
        stop = threading.Event()
        periodic.start_ticker(stop)
        try:
            call_command(
                "db_worker", queue_name="*", interval=interval, reload=False, verbosity=options["verbosity"]
            )
        finally:
            stop.set()
