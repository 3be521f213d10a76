"""Indexes on (time, id) of the audit log's other sources, so a page reads each backwards from its end.

The tables belong to posts and accounts; the indexes are the audit log's need,
so they are made here, with IF NOT EXISTS, and left out of those models' state
(Django neither knows nor drops them). Removing this migration drops them.
"""

from django.db import migrations

INDEXES = [
    ("audit_src_postevent_at", "posts_postevent", "at, id"),
    ("audit_src_statechange_at", "accounts_accountstatechange", "at, id"),
    ("audit_src_footer_created", "posts_footer", "created_at, id"),
    ("audit_src_switch_at", "posts_publishingswitch", "at, id"),
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_auditevent_append_only"), ("posts", "0010_page_indexes")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
