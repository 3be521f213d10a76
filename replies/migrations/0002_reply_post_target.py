"""A reply's post target becomes a foreign key to posts.PostTarget (the column stays post_target_id).

While the replies lived in the moderation app, which had to sit below posts,
the target was kept as a plain number. Replies sit above posts now, so the
database can hold the link: first every number that names no existing
target is set to NULL (so adding the constraint cannot fail), then the
field, renamed post_target in the state only, becomes the foreign key (a
deleted target leaves the reply unlinked: SET_NULL).
"""

import django.db.models.deletion
from django.db import migrations, models


def unlink_missing_targets(apps, schema_editor):
    Reply = apps.get_model("replies", "Reply")
    PostTarget = apps.get_model("posts", "PostTarget")
    db = schema_editor.connection.alias
    (Reply.objects.using(db).filter(post_target_id__isnull=False)
     .exclude(post_target_id__in=PostTarget.objects.using(db).values("pk")).update(post_target_id=None))


class Migration(migrations.Migration):

    dependencies = [
        ("posts", "0012_page_indexes_by_state"),
        # The moderation state no longer names the table when its column changes.
        ("moderation", "0009_models_moved_to_checks_and_replies"),
        ("replies", "0001_moved_from_moderation"),
    ]

    operations = [
        # Going back keeps the NULLs: the numbers named nothing.
        migrations.RunPython(unlink_missing_targets, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="reply", name="post_target_id"),
                migrations.AddField(
                    model_name="reply",
                    name="post_target",
                    field=models.BigIntegerField(blank=True, db_column="post_target_id", db_index=True, null=True,
                                                 verbose_name="post target"),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="reply",
            name="post_target",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="replies", to="posts.posttarget", verbose_name="post target"),
        ),
    ]
