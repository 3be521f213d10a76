"""The sandbox's record of deliveries moves here with the platform adapters (accounts/platforms).

Step one of moving a model between apps without copying rows: the model is
declared in this app's state on the existing table; posts/0005 then drops it
from the posts app's state, and 0004 below renames the table.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_seed_offices_and_accounts"),
        ("posts", "0004_publishing"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SandboxDelivery",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("text", models.TextField(verbose_name="text")),
                        ("media", models.JSONField(default=list, verbose_name="images")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("deleted_at", models.DateTimeField(blank=True, null=True, verbose_name="deleted at")),
                        ("account", models.ForeignKey(
                            on_delete=django.db.models.deletion.PROTECT, related_name="sandbox_deliveries",
                            to="accounts.socialaccount", verbose_name="SNS account",
                        )),
                    ],
                    options={
                        "verbose_name": "sandbox delivery",
                        "verbose_name_plural": "sandbox deliveries",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "posts_sandboxdelivery",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
