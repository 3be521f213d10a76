"""Listening: the budget note becomes data rendered in the reader's language, a poll holds a lease, and the
items read are kept per account and day (ListeningDay).

A note stored as a sentence read in whatever language the worker happened to
use. It is now {"code": "budget_reached", "reads", "budget", "cost"}; a
sentence already stored becomes that code with the day's reads (the sentence
itself is not parsed). ``polling_until`` is the lease a running poll holds.
"""

from django.conf import settings
import django.db.models.deletion
from django.db import migrations, models


def notes_to_data(apps, schema_editor):
    ListeningState = apps.get_model("moderation", "ListeningState")
    for state in ListeningState.objects.exclude(budget_note=""):
        state.note = {"code": "budget_reached", "reads": state.reads_today,
                      "budget": settings.LISTENING_X_DAILY_READ_BUDGET,
                      "cost": round(state.reads_today * settings.LISTENING_X_COST_PER_ITEM, 4)}
        state.save(update_fields=["note"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_sandboxdelivery_table"), ("moderation", "0007_replydecision_append_only")]

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
        migrations.CreateModel(
            name='ListeningDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(verbose_name='day')),
                ('reads', models.PositiveIntegerField(default=0, verbose_name='items read')),
                ('cost', models.DecimalField(decimal_places=4, default=0, max_digits=12, verbose_name='estimated cost (USD)')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.socialaccount', verbose_name='SNS account')),
            ],
            options={
                'verbose_name': 'listening day',
                'verbose_name_plural': 'reads per account and day',
                'ordering': ['-day', 'account'],
                'constraints': [models.UniqueConstraint(fields=('account', 'day'), name='listeningday_unique_account_day')],
            },
        ),
    ]
