"""Search in replies by words, author handle or name: trigram indexes on PostgreSQL, nothing on SQLite.

Japanese has no spaces between words, so the search is a substring match
(Django's icontains: UPPER(column::text) LIKE UPPER('%words%')). pg_trgm's GIN
indexes serve exactly that expression, whatever the language, when the words
are three characters or more. SQLite has no such index: there the search is
a LIKE over the rows the other filters leave, bounded by the form's length.
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


INDEXES = [
    ("reply_text_trgm", "moderation_reply", "text"),
    ("reply_author_handle_trgm", "moderation_reply", "author_handle"),
    ("reply_author_name_trgm", "moderation_reply", "author_name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("replies", "0003_reply_text_recent")]

    operations = [TrigramExtensionKept(), migrations.RunPython(create, drop)]
