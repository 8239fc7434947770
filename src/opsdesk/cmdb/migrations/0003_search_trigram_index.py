"""The CI list's search (``q``), fast at a hundred thousand CIs on PostgreSQL.

The search is "the name contains it, or the serial number, asset tag or external id is it", which
PostgreSQL runs as ``UPPER(name::text) LIKE UPPER('%…%') OR UPPER(serial_number::text) = UPPER('…') OR
...``. One trigram GIN index over exactly those four expressions answers every branch (a trigram index
also serves equality), so the search reads a few index pages instead of every CI. SQLite has no such
index and keeps scanning. As for incident search (incidents 0004), creating the pg_trgm extension needs
a privileged role: where the database user may not, the migration says so and carries on without the
index (search stays correct, only slower); a DBA can run the same statements later.
"""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)

NAME = "ci_search_trgm_idx"
COLUMNS = ("name", "serial_number", "asset_tag", "external_id")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        log.warning("pg_trgm is not available (%s); CI search will not be indexed", exc)
        return
    expressions = ", ".join(f'UPPER("{column}"::text) gin_trgm_ops' for column in COLUMNS)
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {NAME} ON "cmdb_ci" USING gin ({expressions})')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0002_seed_classes_and_types")]
    operations = [migrations.RunPython(create, drop)]
