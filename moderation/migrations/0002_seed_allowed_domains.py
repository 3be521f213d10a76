"""Seed the link allow-list (§5). Idempotent: adds what is missing, never deletes
on the way forward; going back removes only the seeded domains.
"""

from django.db import migrations

# (domain, note). A subdomain of an allowed domain is allowed, so go.jp covers
# every central-government domain and lg.jp every local-government one.
DOMAINS = [
    ("moj.go.jp", "法務省 Ministry of Justice"),
    ("isa.go.jp", "出入国在留管理庁 Immigration Services Agency"),
    ("go.jp", "政府機関 Government bodies"),
    ("lg.jp", "地方公共団体 Local governments"),
    ("e-gov.go.jp", "e-Gov"),
    ("digital.go.jp", "デジタル庁 Digital Agency"),
]


def seed(apps, schema_editor):
    AllowedLinkDomain = apps.get_model("moderation", "AllowedLinkDomain")
    for domain, note in DOMAINS:
        AllowedLinkDomain.objects.get_or_create(domain=domain, defaults={"note": note})


def unseed(apps, schema_editor):
    AllowedLinkDomain = apps.get_model("moderation", "AllowedLinkDomain")
    AllowedLinkDomain.objects.filter(domain__in=[domain for domain, _ in DOMAINS]).delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
