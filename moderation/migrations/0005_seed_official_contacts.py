"""Seed the agency's published contact details (§5). Idempotent: adds what is
missing, never deletes on the way forward; going back removes only the seeded rows.

The Immigration Services Agency's information centre (外国人在留総合インフォメーション
センター) publishes 0570-013904, and 03-5796-7112 for IP phones, PHS and calls from
abroad; the agency's and the Ministry of Justice's addresses are all @moj.go.jp.
Administrators add the bureaus' own numbers and addresses in the admin.
"""

from django.db import migrations

# (kind, value as published, key the checks compare, note). The key is written
# out here rather than computed, so this migration keeps meaning what it says
# whatever the recognisers become.
CONTACTS = [
    ("phone", "0570-013904", "0570013904", "外国人在留総合インフォメーションセンター Immigration Services Agency information centre"),
    ("phone", "03-5796-7112", "0357967112",
     "外国人在留総合インフォメーションセンター（IP電話・PHS・海外から） information centre, from IP phones, PHS and abroad"),
    ("email_domain", "moj.go.jp", "moj.go.jp", "法務省・出入国在留管理庁 Ministry of Justice and Immigration Services Agency"),
]


def seed(apps, schema_editor):
    OfficialContact = apps.get_model("moderation", "OfficialContact")
    for kind, value, key, note in CONTACTS:
        OfficialContact.objects.get_or_create(kind=kind, key=key, defaults={"value": value, "note": note})


def unseed(apps, schema_editor):
    OfficialContact = apps.get_model("moderation", "OfficialContact")
    for kind, _value, key, _note in CONTACTS:
        OfficialContact.objects.filter(kind=kind, key=key).delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0004_official_contacts")]

    operations = [migrations.RunPython(seed, unseed)]
