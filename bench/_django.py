"""Shared set-up for the bench scripts: choose the database from the command line, then start Django."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "bench" / "out"

# Every login the generator makes has this password (the same as the test personas').
PASSWORD = "correct-horse-battery-9"
# The agent the load script acts as: a Service Desk member who may see every customer.
BENCH_AGENT = "agent01"
PROVIDER_NAME = "Northwind Managed Services"


def add_database_arguments(parser) -> None:
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="PostgreSQL URL (default: $DATABASE_URL; unset means SQLite under --data-dir)",
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("OPSDESK_DATA_DIR", ""),
        help="Directory of the SQLite database when no database URL is given (default: $OPSDESK_DATA_DIR)",
    )


def database_environment(args) -> dict[str, str]:
    """The environment variables that select the database, for this process and for child processes."""
    env = {}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.data_dir:
        env["OPSDESK_DATA_DIR"] = str(Path(args.data_dir).resolve())
    return env


def setup(args) -> None:
    os.environ.update(database_environment(args))
    if not args.database_url:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opsdesk.settings")
    src = str(REPO / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import django

    django.setup()


def describe_database() -> str:
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        return (
            f"postgresql {settings.get('HOST') or 'local'}:{settings.get('PORT') or 5432}/{settings['NAME']}"
        )
    return f"{connection.vendor} {settings['NAME']}"


def analyze() -> None:
    """Refresh the planner statistics (``ANALYZE``, PostgreSQL and SQLite) after loading or adding many
    rows, as autovacuum (PostgreSQL) or ``PRAGMA optimize`` (SQLite, ``opsdesk run``) would on a live
    system: without them the planner guesses row counts from an empty table and picks scans."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
