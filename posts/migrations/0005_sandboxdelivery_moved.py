"""The sandbox's deliveries now belong to accounts (accounts/0003); the table stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0004_publishing"),
        ("accounts", "0003_sandboxdelivery"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SandboxDelivery")],
            database_operations=[],
        ),
    ]
