"""Seed the offices, the 21 official accounts (§2 of the operating policy) and
office hours (§4). Idempotent: running it again changes nothing that is already
right and adds what is missing; it never deletes.
"""

import datetime

from django.db import migrations

# (code, kind, parent code, name ja, name en, name zh)
OFFICES = [
    ("agency", "agency", None, "出入国在留管理庁", "Immigration Services Agency of Japan", "出入国在留管理厅"),
    ("sapporo", "bureau", "agency", "札幌出入国在留管理局", "Sapporo Regional Immigration Services Bureau", "札幌出入国在留管理局"),
    ("sendai", "bureau", "agency", "仙台出入国在留管理局", "Sendai Regional Immigration Services Bureau", "仙台出入国在留管理局"),
    ("tokyo", "bureau", "agency", "東京出入国在留管理局", "Tokyo Regional Immigration Services Bureau", "东京出入国在留管理局"),
    ("narita", "branch", "tokyo", "東京出入国在留管理局成田空港支局", "Narita Airport District Immigration Services Office", "东京出入国在留管理局成田机场支局"),
    ("haneda", "branch", "tokyo", "東京出入国在留管理局羽田空港支局", "Haneda Airport District Immigration Services Office", "东京出入国在留管理局羽田机场支局"),
    ("yokohama", "branch", "tokyo", "東京出入国在留管理局横浜支局", "Yokohama District Immigration Services Office", "东京出入国在留管理局横滨支局"),
    ("nagoya", "bureau", "agency", "名古屋出入国在留管理局", "Nagoya Regional Immigration Services Bureau", "名古屋出入国在留管理局"),
    ("chubu", "branch", "nagoya", "名古屋出入国在留管理局中部空港支局", "Chubu Airport District Immigration Services Office", "名古屋出入国在留管理局中部机场支局"),
    ("osaka", "bureau", "agency", "大阪出入国在留管理局", "Osaka Regional Immigration Services Bureau", "大阪出入国在留管理局"),
    ("kansai", "branch", "osaka", "大阪出入国在留管理局関西空港支局", "Kansai Airport District Immigration Services Office", "大阪出入国在留管理局关西机场支局"),
    ("kobe", "branch", "osaka", "大阪出入国在留管理局神戸支局", "Kobe District Immigration Services Office", "大阪出入国在留管理局神户支局"),
    ("hiroshima", "bureau", "agency", "広島出入国在留管理局", "Hiroshima Regional Immigration Services Bureau", "广岛出入国在留管理局"),
    ("takamatsu", "bureau", "agency", "高松出入国在留管理局", "Takamatsu Regional Immigration Services Bureau", "高松出入国在留管理局"),
    ("fukuoka", "bureau", "agency", "福岡出入国在留管理局", "Fukuoka Regional Immigration Services Bureau", "福冈出入国在留管理局"),
    ("naha", "branch", "fukuoka", "福岡出入国在留管理局那覇支局", "Naha District Immigration Services Office", "福冈出入国在留管理局那霸支局"),
    ("higashi-nihon", "center", "agency", "東日本入国管理センター", "East Japan Immigration Center", "东日本入国管理中心"),
    ("omura", "center", "agency", "大村入国管理センター", "Omura Immigration Center", "大村入国管理中心"),
]

# (platform, handle, office code, display name)
ACCOUNTS = [
    ("x", "MOJ_IMMI", "agency", "法務省出入国在留管理庁"),
    ("x", "IMMI_SAPPORO", "sapporo", "札幌出入国在留管理局"),
    ("x", "IMMI_SENDAI", "sendai", "仙台出入国在留管理局"),
    ("x", "IMMI_TOKYO", "tokyo", "東京出入国在留管理局"),
    ("x", "IMMI_NARITA", "narita", "東京出入国在留管理局成田空港支局"),
    ("x", "IMMI_HANEDA", "haneda", "東京出入国在留管理局羽田空港支局"),
    ("x", "IMMI_YOKOHAMA", "yokohama", "東京出入国在留管理局横浜支局"),
    ("x", "IMMI_NAGOYA", "nagoya", "名古屋出入国在留管理局"),
    ("x", "IMMI_CHUBU", "chubu", "名古屋出入国在留管理局中部空港支局"),
    ("x", "IMMI_OSAKA", "osaka", "大阪出入国在留管理局"),
    ("x", "IMMI_KANSAI", "kansai", "大阪出入国在留管理局関西空港支局"),
    ("x", "IMMI_KOBE", "kobe", "大阪出入国在留管理局神戸支局"),
    ("x", "IMMI_HIROSHIMA", "hiroshima", "広島出入国在留管理局"),
    ("x", "IMMI_TAKAMATSU", "takamatsu", "高松出入国在留管理局"),
    ("x", "IMMI_FUKUOKA", "fukuoka", "福岡出入国在留管理局"),
    ("x", "IMMI_NAHA", "naha", "福岡出入国在留管理局那覇支局"),
    ("x", "IMMI_HIGASHI", "higashi-nihon", "東日本入国管理センター"),
    ("x", "IMMI_OMURA2", "omura", "大村入国管理センター"),
    ("facebook", "ImmigrationServicesAgency.MOJ", "agency", "法務省出入国在留管理庁"),
    ("facebook", "nagoya.nyukan.support", "nagoya", "名古屋出入国在留管理局（在留支援）"),
    ("facebook", "fukuoka.nyukan.support", "fukuoka", "福岡出入国在留管理局（在留支援）"),
]

# §4 (DESIGN): counter hours where known; elsewhere 09:00–12:00 and 13:00–16:00.
DEFAULT_WINDOWS = [("09:00", "12:00"), ("13:00", "16:00")]
KNOWN_WINDOWS = {
    "sapporo": [("09:00", "12:00"), ("13:00", "16:00")],
    "tokyo": [("09:00", "16:00")],
    "sendai": [("09:00", "16:00")],
}


def seed(apps, schema_editor):
    Office = apps.get_model("accounts", "Office")
    OfficeHours = apps.get_model("accounts", "OfficeHours")
    SocialAccount = apps.get_model("accounts", "SocialAccount")

    offices = {}
    for order, (code, kind, parent, name_ja, name_en, name_zh) in enumerate(OFFICES):
        offices[code], _ = Office.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind, "parent": offices[parent] if parent else None, "sort_order": order,
                "name_ja": name_ja, "name_en": name_en, "name_zh": name_zh,
            },
        )
    for code, office in offices.items():
        if office.hours.exists():
            continue  # an administrator's hours are never overwritten
        for weekday in range(5):  # Monday to Friday
            for opens, closes in KNOWN_WINDOWS.get(code, DEFAULT_WINDOWS):
                OfficeHours.objects.create(
                    office=office, weekday=weekday,
                    opens=datetime.time.fromisoformat(opens), closes=datetime.time.fromisoformat(closes),
                )
    for order, (platform, handle, office_code, display_name) in enumerate(ACCOUNTS):
        account = SocialAccount.objects.filter(platform=platform, handle__iexact=handle).first()
        if account is None:
            SocialAccount.objects.create(
                platform=platform, handle=handle, office=offices[office_code],
                display_name=display_name, sort_order=order,
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
