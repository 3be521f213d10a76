"""The first disclaimer footers (§5 and §6 of the operating policy), one per platform.

Administrators replace them in the admin; each change adds a version.
"""

from django.db import migrations

FOOTERS = {
    "x": "※本アカウントでは返信・DMへの回答は行っていません。運用方針 https://www.moj.go.jp/isa/",
    "facebook": (
        "※本ページでは、コメント等によるご意見・お問い合わせには回答しておりません。"
        "出入国在留管理庁へのお問い合わせ・運用方針は https://www.moj.go.jp/isa/ をご覧ください。"
    ),
}


def seed(apps, schema_editor):
    Footer = apps.get_model("posts", "Footer")
    for platform, text in FOOTERS.items():
        if not Footer.objects.filter(platform=platform, account__isnull=True).exists():
            Footer.objects.create(platform=platform, text=text, version=1)


class Migration(migrations.Migration):
    dependencies = [("posts", "0002_postevent_append_only")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
