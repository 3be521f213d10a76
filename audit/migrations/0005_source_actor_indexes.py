"""Indexes on (person, time, id) of every source of the audit log, for the log filtered by a person.

The filter names a person; their id is looked up once and each source is read
along one of these indexes from its newest row, a page's worth at a time,
instead of walking the whole log by time and joining each row to its person.

As in audit/0003, the indexes of the other apps' tables are the audit log's
need: made here with IF NOT EXISTS and left out of those models' state. The
audit records' own two (by id, and by the name as it was recorded) are in
AuditEvent's Meta.

Post events run to about a million rows in three years, and a plain CREATE
INDEX holds off writes while it reads them all: on PostgreSQL the indexes are
built CONCURRENTLY, outside a transaction (this migration is not atomic).
SQLite, for development, builds them plainly.
"""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Upper

# (name, table, columns, which rows). The system's own rows (no person) are left out of the two large
# tables' indexes, about half of each. Post events are read in two parts, those of a target and the
# post-wide ones (audit.selectors._post_events): each part has its own index, so a person's events of the
# other kind are never read and set aside (a poster's are nearly all post-wide: 15,000 of them walked to
# find none of a target).
PERSON = "actor_id IS NOT NULL"
INDEXES = [
    ("audit_src_postevent_actor_target", "posts_postevent", "actor_id, at, id", f"{PERSON} AND target_id IS NOT NULL"),
    ("audit_src_postevent_actor_post", "posts_postevent", "actor_id, at, id", f"{PERSON} AND target_id IS NULL"),
    ("audit_src_statechange_actor", "accounts_accountstatechange", "actor_id, at, id", ""),
    ("audit_src_footer_actor", "posts_footer", "created_by_id, created_at, id", ""),
    ("audit_src_switch_actor", "posts_publishingswitch", "actor_id, at, id", ""),
    ("audit_src_connection_actor", "accounts_accountconnection", "actor_id, at, id", ""),
    ("audit_src_replydecision_actor", "moderation_replydecision", "actor_id, at, id", PERSON),
]
RECORD_INDEXES = [
    models.Index(fields=["actor", "-at", "-id"], name="auditevent_actor_at"),
    models.Index(Upper("actor_name"), F("at").desc(), F("id").desc(), name="auditevent_actor_name_at"),
]


def _concurrently(schema_editor) -> str:
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def _drop_unfinished(schema_editor) -> None:
    """An index whose CONCURRENTLY build was interrupted stays, marked invalid: dropped, so a rerun builds it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    names = [name for name, *_rest in INDEXES] + [index.name for index in RECORD_INDEXES]
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE NOT i.indisvalid AND c.relname = ANY(%s)",
            [names],
        )
        unfinished = [row[0] for row in cursor.fetchall()]
    for name in unfinished:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def create(apps, schema_editor):
    how = _concurrently(schema_editor)
    _drop_unfinished(schema_editor)
    for name, table, columns, rows in INDEXES:
        where = f" WHERE {rows}" if rows else ""
        schema_editor.execute(f"CREATE INDEX {how}IF NOT EXISTS {name} ON {table} ({columns}){where}")
    record = apps.get_model("audit", "AuditEvent")
    with schema_editor.connection.cursor() as cursor:
        present = schema_editor.connection.introspection.get_constraints(cursor, record._meta.db_table)
    for index in RECORD_INDEXES:
        if index.name in present:
            continue  # built by an earlier, interrupted run of this migration (it is not atomic)
        if how:
            schema_editor.add_index(record, index, concurrently=True)
        else:
            schema_editor.add_index(record, index)


def drop(apps, schema_editor):
    how = _concurrently(schema_editor)
    for name in [*(name for name, *_rest in INDEXES), *(index.name for index in RECORD_INDEXES)]:
        schema_editor.execute(f"DROP INDEX {how}IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0004_reply_decision_time_index"),
        ("accounts", "0005_connections"),
        ("posts", "0019_post_outside_hours_index"),
        ("replies", "0008_reply_account_state_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="auditevent", index=index) for index in RECORD_INDEXES],
            database_operations=[migrations.RunPython(create, drop)],
        )
    ]
