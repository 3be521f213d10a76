"""Fill the duplicate check's index (moderation.PublishedText) from the targets already published."""

import hashlib
import unicodedata

from django.db import migrations


def _digest(text: str) -> str:
    # As moderation.models.text_digest (a migration must not import the live code).
    return hashlib.sha256("".join(unicodedata.normalize("NFKC", text).split()).encode()).hexdigest()


def forward(apps, schema_editor):
    PostTarget = apps.get_model("posts", "PostTarget")
    PublishedText = apps.get_model("moderation", "PublishedText")
    rows = []
    for target in PostTarget.objects.filter(state="published", published_at__isnull=False).select_related("post").iterator():
        if not PublishedText.objects.filter(target_id=target.pk).exists():
            rows.append(PublishedText(
                account_id=target.account_id, digest=_digest(target.body_override or target.post.body),
                published_at=target.published_at, target_id=target.pk,
            ))
    PublishedText.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0007_postevent_history_as_data"),
        ("moderation", "0003_publishedtext"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
