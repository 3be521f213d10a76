"""Listening: the budget note becomes data rendered in the reader's language, and a poll holds a lease.

A note stored as a sentence read in whatever language the worker happened to
use. It is now {"code": "budget_reached", "reads", "budget", "cost"}; a
sentence already stored becomes that code with the day's reads (the sentence
itself is not parsed). ``polling_until`` is the lease a running poll holds.
"""

from django.conf import settings
from django.db import migrations, models


def notes_to_data(apps, schema_editor):
    ListeningState = apps.get_model("moderation", "ListeningState")
    for state in ListeningState.objects.exclude(budget_note=""):
        state.note = {"code": "budget_reached", "reads": state.reads_today,
                      "budget": settings.LISTENING_X_DAILY_READ_BUDGET,
                      "cost": round(state.reads_today * settings.LISTENING_X_COST_PER_ITEM, 4)}
        state.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [("moderation", "0007_replydecision_append_only")]

    operations = [
        migrations.AddField(
            model_name="listeningstate",
            name="note",
            field=models.JSONField(blank=True, default=dict, verbose_name="note"),
        ),
        migrations.RunPython(notes_to_data, migrations.RunPython.noop),
        migrations.RemoveField(model_name="listeningstate", name="budget_note"),
        migrations.AddField(
            model_name="listeningstate",
            name="polling_until",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="poll running until"),
        ),
    ]
