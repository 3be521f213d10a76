"""The models now belong to the checks and the replies apps (their 0001): moderation forgets them.

State only: the tables stay, with their rows, under their moderation_* names;
checks and replies own them from here on. This runs after those apps took
the models, and after the one migration elsewhere that reads a model here by
its old name (posts/0008 fills moderation.PublishedText), whatever order
Django picks on a fresh database, on one that already holds data, or when
posts is migrated back and forward again.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("moderation", "0008_listening_note_lease_days"),
        ("posts", "0008_published_text_digests"),
        ("checks", "0001_moved_from_moderation"),
        ("replies", "0001_moved_from_moderation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="ReplyDecision"),
                migrations.DeleteModel(name="Reply"),
                migrations.DeleteModel(name="WordList"),
                migrations.DeleteModel(name="ListeningState"),
                migrations.DeleteModel(name="ListeningDay"),
                migrations.DeleteModel(name="QueueVisit"),
                migrations.DeleteModel(name="PublishedText"),
                migrations.DeleteModel(name="OfficialContact"),
                migrations.DeleteModel(name="AllowedLinkDomain"),
            ],
        ),
    ]
