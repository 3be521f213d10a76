"""The (time, id) index of the audit log's reply-decision source, made here as audit/0003 made the others."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_source_time_indexes"), ("replies", "0002_reply_post_target")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS audit_src_replydecision_at ON moderation_replydecision (at, id)",
            "DROP INDEX IF EXISTS audit_src_replydecision_at",
        )
    ]
