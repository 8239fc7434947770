"""Free-text search over incident titles and descriptions, fast at a million rows on PostgreSQL.

The queue's search is ``icontains``, which PostgreSQL runs as ``UPPER(col::text) LIKE UPPER('%…%')``;
trigram GIN indexes on exactly those expressions let it answer from the index instead of reading every
row. SQLite has no such index and keeps scanning. Creating the pg_trgm extension needs a privileged
role: where the database user may not, the migration says so and carries on without the indexes
(search stays correct, only slower); a DBA can run the same statements later.
"""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)

INDEXES = {
    "inc_title_trgm_idx": 'UPPER("title"::text)',
    "inc_description_trgm_idx": 'UPPER("description"::text)',
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        log.warning("pg_trgm is not available (%s); incident search will not be indexed", exc)
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON "incidents_incident" USING gin ({expression} gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_saved_view_and_sort_indexes")]
    operations = [migrations.RunPython(create, drop)]
