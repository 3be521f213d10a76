"""The replies' models, first made by the moderation app, become the replies app's (their tables stay).

State only: the tables moderation/0006–0008 created keep their names
(Meta.db_table), their rows, their indexes and the append-only triggers on
the decisions (moderation/0007); nothing in the database changes but the
content types, which follow the models so that permissions and admin log
entries stay attached to them. moderation/0009 then forgets the models on
its side, and 0002 makes post_target_id a foreign key.

The models are written as moderation/0008 left them (post_target_id a plain
number; ReplyDecision's append-only mixin is code, not state, as it was in
moderation/0006).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ["reply", "replydecision", "wordlist", "listeningstate", "listeningday", "queuevisit"]


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
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='WordList',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('category', models.CharField(choices=[('personal_data', 'Personal data'), ('defamation', 'Defamation'), ('ip_infringement', 'Infringement of intellectual property'), ('illegal', 'Unlawful or immoral content'), ('impersonation', 'Impersonation'), ('advertising', 'Advertising'), ('tampering', 'Tampering with posts'), ('off_topic', 'Off-topic'), ('other', 'Other')], max_length=20, verbose_name='category')),
                        ('action', models.CharField(choices=[('flag', 'Flag for a person'), ('hide', 'Hide at once')], default='flag', max_length=10, verbose_name='action')),
                        ('words', models.TextField(help_text='One word or phrase per line, Japanese first. Width and case do not matter.', verbose_name='words')),
                        ('enabled', models.BooleanField(default=True, verbose_name='enabled')),
                    ],
                    options={
                        'verbose_name': 'word list',
                        'verbose_name_plural': 'word lists',
                        'db_table': 'moderation_wordlist',
                        'ordering': ['category', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='ListeningState',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('cursors', models.JSONField(blank=True, default=dict, verbose_name='cursors')),
                        ('day', models.DateField(blank=True, null=True, verbose_name='day')),
                        ('reads_today', models.PositiveIntegerField(default=0, verbose_name='items read today')),
                        ('note', models.JSONField(blank=True, default=dict, verbose_name='note')),
                        ('wait_until', models.DateTimeField(blank=True, null=True, verbose_name='waiting until')),
                        ('last_polled_at', models.DateTimeField(blank=True, null=True, verbose_name='last polled')),
                        ('last_error', models.CharField(blank=True, max_length=300, verbose_name='last error')),
                        ('polling_until', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='poll running until')),
                        ('account', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='listening', to='accounts.socialaccount', verbose_name='SNS account')),
                    ],
                    options={
                        'verbose_name': 'listening state',
                        'verbose_name_plural': 'listening states',
                        'db_table': 'moderation_listeningstate',
                    },
                ),
                migrations.CreateModel(
                    name='QueueVisit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'moderation queue visit',
                        'verbose_name_plural': 'moderation queue visits',
                        'db_table': 'moderation_queuevisit',
                    },
                ),
                migrations.CreateModel(
                    name='Reply',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('external_id', models.CharField(max_length=100, verbose_name='platform id')),
                        ('author_id', models.CharField(blank=True, max_length=100, verbose_name='author id')),
                        ('author_handle', models.CharField(blank=True, max_length=100, verbose_name='author handle')),
                        ('author_name', models.CharField(blank=True, max_length=200, verbose_name='author name')),
                        ('text', models.TextField(verbose_name='text')),
                        ('text_digest', models.CharField(blank=True, editable=False, max_length=64)),
                        ('created_at', models.DateTimeField(verbose_name='written at')),
                        ('url', models.URLField(blank=True, max_length=500, verbose_name='URL')),
                        ('answers_id', models.CharField(blank=True, max_length=100, verbose_name='answers')),
                        ('conversation_id', models.CharField(blank=True, max_length=100, verbose_name='conversation')),
                        ('post_target_id', models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name='post target')),
                        ('state', models.CharField(choices=[('visible', 'Visible'), ('hidden', 'Hidden'), ('deleted', 'Deleted')], default='visible', max_length=10, verbose_name='state on the platform')),
                        ('findings', models.JSONField(blank=True, default=list, verbose_name='findings')),
                        ('category', models.CharField(blank=True, choices=[('personal_data', 'Personal data'), ('defamation', 'Defamation'), ('ip_infringement', 'Infringement of intellectual property'), ('illegal', 'Unlawful or immoral content'), ('impersonation', 'Impersonation'), ('advertising', 'Advertising'), ('tampering', 'Tampering with posts'), ('off_topic', 'Off-topic'), ('other', 'Other')], max_length=20, verbose_name='category')),
                        ('risk', models.PositiveSmallIntegerField(choices=[(0, 'None'), (1, 'Low'), (2, 'Medium'), (3, 'High')], default=0, verbose_name='risk')),
                        ('hide_pending', models.BooleanField(default=False, editable=False)),
                        ('needs_review', models.BooleanField(default=False, verbose_name='waiting for a decision')),
                        ('received_at', models.DateTimeField(auto_now_add=True, verbose_name='received at')),
                        ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='replies', to='accounts.socialaccount', verbose_name='SNS account')),
                    ],
                    options={
                        'verbose_name': 'reply',
                        'verbose_name_plural': 'replies',
                        'db_table': 'moderation_reply',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ReplyDecision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('flag', 'Flagged'), ('hide', 'Hidden'), ('unhide', 'Shown again'), ('confirm', 'Confirmed'), ('delete', 'Deleted'), ('ban', 'Banned')], max_length=10, verbose_name='action')),
                        ('category', models.CharField(blank=True, choices=[('personal_data', 'Personal data'), ('defamation', 'Defamation'), ('ip_infringement', 'Infringement of intellectual property'), ('illegal', 'Unlawful or immoral content'), ('impersonation', 'Impersonation'), ('advertising', 'Advertising'), ('tampering', 'Tampering with posts'), ('off_topic', 'Off-topic'), ('other', 'Other')], max_length=20, verbose_name='category')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('rule', models.CharField(blank=True, max_length=100, verbose_name='rule')),
                        ('data', models.JSONField(blank=True, default=dict, verbose_name='data')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                        ('reply', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='decisions', to='replies.reply', verbose_name='reply')),
                    ],
                    options={
                        'verbose_name': 'reply decision',
                        'verbose_name_plural': 'reply decisions',
                        'db_table': 'moderation_replydecision',
                        'ordering': ['at', 'id'],
                    },
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
                        'db_table': 'moderation_listeningday',
                        'ordering': ['-day', 'account'],
                        'constraints': [models.UniqueConstraint(fields=('account', 'day'), name='listeningday_unique_account_day')],
                    },
                ),
                migrations.AddIndex(
                    model_name='reply',
                    index=models.Index(fields=['account', '-created_at'], name='reply_account_newest'),
                ),
                migrations.AddIndex(
                    model_name='reply',
                    index=models.Index(fields=['needs_review', '-risk', '-created_at'], name='reply_queue'),
                ),
                migrations.AddIndex(
                    model_name='reply',
                    index=models.Index(fields=['author_id', 'text_digest'], name='reply_author_text'),
                ),
                migrations.AddConstraint(
                    model_name='reply',
                    constraint=models.UniqueConstraint(fields=('account', 'external_id'), name='reply_unique_platform_item'),
                ),
            ],
        ),
        migrations.RunPython(_move_content_types("moderation", "replies"), _move_content_types("replies", "moderation")),
    ]
