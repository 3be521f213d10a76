"""The seeded footers pointed at the agency's home page for the policy; now they name {policy_url}.

The address itself is settings.PUBLIC_POLICY_URL (where the agency publishes
the exported policy page). Footers are versioned: this adds a version to each
platform footer that is still the seeded one, and leaves edited ones alone.
"""

from django.db import migrations

SEEDED = {
    "x": "※本アカウントでは返信・DMへの回答は行っていません。運用方針 https://www.moj.go.jp/isa/",
    "facebook": (
        "※本ページでは、コメント等によるご意見・お問い合わせには回答しておりません。"
        "出入国在留管理庁へのお問い合わせ・運用方針は https://www.moj.go.jp/isa/ をご覧ください。"
    ),
}
NAMING_THE_SETTING = {
    "x": "※本アカウントでは返信・DMへの回答は行っていません。運用方針 {policy_url}",
    "facebook": (
        "※本ページでは、コメント等によるご意見・お問い合わせには回答しておりません。"
        "運用方針は {policy_url} 、出入国在留管理庁へのお問い合わせは https://www.moj.go.jp/isa/ をご覧ください。"
    ),
}


def forward(apps, schema_editor):
    Footer = apps.get_model("posts", "Footer")
    for platform, seeded in SEEDED.items():
        newest = Footer.objects.filter(platform=platform, account__isnull=True).order_by("-version").first()
        if newest is not None and newest.text == seeded:
            Footer.objects.create(platform=platform, text=NAMING_THE_SETTING[platform], version=newest.version + 1)


class Migration(migrations.Migration):
    dependencies = [("public", "0002_first_policy_version"), ("posts", "0008_published_text_digests")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
