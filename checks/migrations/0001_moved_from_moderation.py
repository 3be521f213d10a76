"""The checks' models, first made by the moderation app, become the checks app's (their tables stay).

State only: the tables moderation/0001–0005 created keep their names
(Meta.db_table), their rows and their constraints; nothing in the database
changes but the content types, which follow the models so that permissions
and admin log entries stay attached to them. moderation/0009 then forgets
the models on its side.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

import checks.models

MOVED = ["allowedlinkdomain", "officialcontact", "publishedtext"]


def _move_content_types(from_label: str, to_label: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        rows = ContentType.objects.using(schema_editor.connection.alias)
        # A row already under the new label (none is expected) is left alone rather than duplicated.
        taken = set(rows.filter(app_label=to_label, model__in=MOVED).values_list("model", flat=True))
        rows.filter(app_label=from_label, model__in=MOVED).exclude(model__in=taken).update(app_label=to_label)
        from django.contrib.contenttypes.models import ContentType as LiveContentType

        LiveContentType.objects.clear_cache()

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0004_sandboxdelivery_table"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("moderation", "0008_listening_note_lease_days"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AllowedLinkDomain',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('domain', models.CharField(help_text='For example moj.go.jp. Every subdomain (www.moj.go.jp) is allowed as well.', max_length=253, unique=True, validators=[checks.models.validate_domain], verbose_name='domain')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                    ],
                    options={
                        'verbose_name': 'allowed link domain',
                        'verbose_name_plural': 'allowed link domains',
                        'db_table': 'moderation_allowedlinkdomain',
                        'ordering': ['domain'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('domain', django.db.models.functions.text.Lower('domain'))), name='allowedlinkdomain_domain_lowercase')],
                    },
                ),
                migrations.CreateModel(
                    name='OfficialContact',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('phone', 'phone number'), ('email', 'e-mail address'), ('email_domain', 'e-mail domain (every address at it and its subdomains)')], max_length=20, verbose_name='kind')),
                        ('value', models.CharField(help_text='As it is published, for example 0570-013904, info@example.go.jp or moj.go.jp.', max_length=254, verbose_name='number or address')),
                        ('key', models.CharField(editable=False, max_length=254)),
                        ('note', models.CharField(blank=True, help_text='Whose it is, shown to staff beside a match.', max_length=200, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                    ],
                    options={
                        'verbose_name': 'official contact detail',
                        'verbose_name_plural': 'official contact details',
                        'db_table': 'moderation_officialcontact',
                        'ordering': ['kind', 'key'],
                        'constraints': [models.UniqueConstraint(fields=('kind', 'key'), name='officialcontact_unique_key')],
                    },
                ),
                migrations.CreateModel(
                    name='PublishedText',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('digest', models.CharField(max_length=64)),
                        ('published_at', models.DateTimeField()),
                        ('target_id', models.BigIntegerField(unique=True)),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.socialaccount')),
                    ],
                    options={
                        'verbose_name': 'published text',
                        'verbose_name_plural': 'published texts',
                        'db_table': 'moderation_publishedtext',
                        'indexes': [models.Index(fields=['account', 'digest', 'published_at'], name='publishedtext_lookup')],
                    },
                ),
            ],
        ),
        migrations.RunPython(_move_content_types("moderation", "checks"), _move_content_types("checks", "moderation")),
    ]
