"""Search in the post list by words of the body: a trigram index on PostgreSQL, nothing on SQLite.

As replies/0003: the search is Django's icontains (UPPER(body::text) LIKE
UPPER('%words%')), which a pg_trgm GIN index on that expression serves.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class TrigramExtensionKept(TrigramExtension):
    """CREATE EXTENSION IF NOT EXISTS pg_trgm (PostgreSQL only); kept on the way back, others may use it.

    Django's operation, reversed, would query pg_extension on SQLite too, and
    would drop the extension under the other app's trigram index.
    """

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        return None


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

    operations = [TrigramExtensionKept(), migrations.RunPython(create, drop)]
