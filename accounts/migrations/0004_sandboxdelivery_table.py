"""Rename the sandbox's table to this app's name, now that posts no longer declares it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_sandboxdelivery"),
        ("posts", "0005_sandboxdelivery_moved"),
    ]

    operations = [
        migrations.AlterModelTable(name="sandboxdelivery", table=None),
    ]
