"""Make the post event log append-only in the database itself.

The model and its queryset already refuse updates and deletes; these triggers
also stop raw SQL, the shell and any future code path from rewriting history.

A database operator can open a deliberate maintenance window (for example to
purge records past their retention period): on PostgreSQL with
`SET immisns.postevent_maintenance = 'on'` in the session, on SQLite with a row
in posts_postevent_maintenance. The test suite uses it to empty the tables
between tests that commit.
"""

from django.db import migrations

SQLITE = [
    "CREATE TABLE posts_postevent_maintenance (id INTEGER PRIMARY KEY)",
    """CREATE TRIGGER posts_postevent_no_update BEFORE UPDATE ON posts_postevent
       WHEN NOT EXISTS (SELECT 1 FROM posts_postevent_maintenance)
       BEGIN SELECT RAISE(ABORT, 'posts_postevent is append-only'); END""",
    """CREATE TRIGGER posts_postevent_no_delete BEFORE DELETE ON posts_postevent
       WHEN NOT EXISTS (SELECT 1 FROM posts_postevent_maintenance)
       BEGIN SELECT RAISE(ABORT, 'posts_postevent is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS posts_postevent_no_update",
    "DROP TRIGGER IF EXISTS posts_postevent_no_delete",
    "DROP TABLE IF EXISTS posts_postevent_maintenance",
]
POSTGRESQL = [
    """CREATE FUNCTION posts_postevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF coalesce(current_setting('immisns.postevent_maintenance', true), '') = 'on' THEN
           RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
         END IF;
         RAISE EXCEPTION 'posts_postevent is append-only';
       END $$""",
    """CREATE TRIGGER posts_postevent_no_update_delete BEFORE UPDATE OR DELETE ON posts_postevent
       FOR EACH ROW EXECUTE FUNCTION posts_postevent_append_only()""",
    """CREATE TRIGGER posts_postevent_no_truncate BEFORE TRUNCATE ON posts_postevent
       FOR EACH STATEMENT EXECUTE FUNCTION posts_postevent_append_only()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS posts_postevent_no_truncate ON posts_postevent",
    "DROP TRIGGER IF EXISTS posts_postevent_no_update_delete ON posts_postevent",
    "DROP FUNCTION IF EXISTS posts_postevent_append_only()",
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
    dependencies = [("posts", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
