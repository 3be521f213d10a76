"""Make the reply decision log append-only in the database itself (as posts/0002 does for post events).

The model and its queryset already refuse updates and deletes; these triggers
also stop raw SQL, the shell and any future code path from rewriting what was
decided on a reply.

A database operator can open a deliberate maintenance window (for example to
purge records past their retention period): on PostgreSQL with
`SET immisns.replydecision_maintenance = 'on'` in the session, on SQLite with a
row in moderation_replydecision_maintenance. The test suite uses it to empty
the tables between tests that commit.
"""

from django.db import migrations

SQLITE = [
    "CREATE TABLE moderation_replydecision_maintenance (id INTEGER PRIMARY KEY)",
    """CREATE TRIGGER moderation_replydecision_no_update BEFORE UPDATE ON moderation_replydecision
       WHEN NOT EXISTS (SELECT 1 FROM moderation_replydecision_maintenance)
       BEGIN SELECT RAISE(ABORT, 'moderation_replydecision is append-only'); END""",
    """CREATE TRIGGER moderation_replydecision_no_delete BEFORE DELETE ON moderation_replydecision
       WHEN NOT EXISTS (SELECT 1 FROM moderation_replydecision_maintenance)
       BEGIN SELECT RAISE(ABORT, 'moderation_replydecision is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS moderation_replydecision_no_update",
    "DROP TRIGGER IF EXISTS moderation_replydecision_no_delete",
    "DROP TABLE IF EXISTS moderation_replydecision_maintenance",
]
POSTGRESQL = [
    """CREATE FUNCTION moderation_replydecision_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF coalesce(current_setting('immisns.replydecision_maintenance', true), '') = 'on' THEN
           RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
         END IF;
         RAISE EXCEPTION 'moderation_replydecision is append-only';
       END $$""",
    """CREATE TRIGGER moderation_replydecision_no_update_delete BEFORE UPDATE OR DELETE ON moderation_replydecision
       FOR EACH ROW EXECUTE FUNCTION moderation_replydecision_append_only()""",
    """CREATE TRIGGER moderation_replydecision_no_truncate BEFORE TRUNCATE ON moderation_replydecision
       FOR EACH STATEMENT EXECUTE FUNCTION moderation_replydecision_append_only()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS moderation_replydecision_no_truncate ON moderation_replydecision",
    "DROP TRIGGER IF EXISTS moderation_replydecision_no_update_delete ON moderation_replydecision",
    "DROP FUNCTION IF EXISTS moderation_replydecision_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"No append-only trigger for {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("moderation", "0006_replies")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
