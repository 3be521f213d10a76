"""Search in the post list by words of the body: a trigram index on PostgreSQL, nothing on SQLite.

As replies/0003: the search is Django's icontains (UPPER(body::text) LIKE
UPPER('%words%')), which a pg_trgm GIN index on that expression serves.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS post_body_trgm ON posts_post USING gin ((UPPER(body::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS post_body_trgm")


class Migration(migrations.Migration):
    dependencies = [("posts", "0012_page_indexes_by_state")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
