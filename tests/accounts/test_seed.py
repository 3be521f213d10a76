"""§2 of the operating policy: the offices and the 21 official accounts, seeded idempotently."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps

from accounts.models import ClosureDay, Office, OfficeHours, SocialAccount

X_HANDLES = {
    "MOJ_IMMI": "agency",
    "IMMI_SAPPORO": "sapporo",
    "IMMI_SENDAI": "sendai",
    "IMMI_TOKYO": "tokyo",
    "IMMI_NARITA": "narita",
    "IMMI_HANEDA": "haneda",
    "IMMI_YOKOHAMA": "yokohama",
    "IMMI_NAGOYA": "nagoya",
    "IMMI_CHUBU": "chubu",
    "IMMI_OSAKA": "osaka",
    "IMMI_KANSAI": "kansai",
    "IMMI_KOBE": "kobe",
    "IMMI_HIROSHIMA": "hiroshima",
    "IMMI_TAKAMATSU": "takamatsu",
    "IMMI_FUKUOKA": "fukuoka",
    "IMMI_NAHA": "naha",
    "IMMI_HIGASHI": "higashi-nihon",
    "IMMI_OMURA2": "omura",
}
FACEBOOK_PAGES = {
    "ImmigrationServicesAgency.MOJ": "agency",
    "nagoya.nyukan.support": "nagoya",
    "fukuoka.nyukan.support": "fukuoka",
}
BRANCH_PARENTS = {
    "narita": "tokyo",
    "haneda": "tokyo",
    "yokohama": "tokyo",
    "chubu": "nagoya",
    "kansai": "osaka",
    "kobe": "osaka",
    "naha": "fukuoka",
}
BUREAUS = {"sapporo", "sendai", "tokyo", "nagoya", "osaka", "hiroshima", "takamatsu", "fukuoka"}
CENTERS = {"higashi-nihon", "omura"}

seed_migration = importlib.import_module("accounts.migrations.0002_seed_offices_and_accounts")

pytestmark = pytest.mark.django_db


def test_exactly_the_18_x_accounts_of_the_policy_each_under_its_office():
    x_accounts = SocialAccount.objects.filter(platform="x").select_related("office")
    assert {a.handle: a.office.code for a in x_accounts} == X_HANDLES


def test_exactly_the_3_facebook_pages_of_the_policy():
    pages = SocialAccount.objects.filter(platform="facebook").select_related("office")
    assert {a.handle: a.office.code for a in pages} == FACEBOOK_PAGES
    assert SocialAccount.objects.count() == 21


def test_office_tree_agency_bureaus_branches_centers():
    agency = Office.objects.get(code="agency")
    assert agency.kind == "agency" and agency.parent is None
    for code in BUREAUS:
        office = Office.objects.get(code=code)
        assert (office.kind, office.parent) == ("bureau", agency)
    for code in CENTERS:
        office = Office.objects.get(code=code)
        assert (office.kind, office.parent) == ("center", agency)
    for branch, bureau in BRANCH_PARENTS.items():
        office = Office.objects.get(code=branch)
        assert office.parent is not None
        assert (office.kind, office.parent.code) == ("branch", bureau)
    assert Office.objects.count() == 1 + len(BUREAUS) + len(CENTERS) + len(BRANCH_PARENTS)


def test_every_office_has_names_in_three_languages():
    for office in Office.objects.all():
        assert office.name_ja and office.name_en and office.name_zh
    narita = Office.objects.get(code="narita")
    assert "成田" in narita.name_ja and "Narita" in narita.name_en and "成田机场" in narita.name_zh


def test_office_hours_as_design_section_4_says():
    def windows(code):
        return sorted(
            (h.weekday, h.opens.strftime("%H:%M"), h.closes.strftime("%H:%M"))
            for h in OfficeHours.objects.filter(office__code=code)
        )

    weekdays = range(5)
    assert windows("tokyo") == [(d, "09:00", "16:00") for d in weekdays]
    assert windows("sendai") == [(d, "09:00", "16:00") for d in weekdays]
    split = sorted([(d, "09:00", "12:00") for d in weekdays] + [(d, "13:00", "16:00") for d in weekdays])
    assert windows("sapporo") == split
    assert windows("osaka") == split  # counter hours unknown: the default
    assert not OfficeHours.objects.filter(weekday__gte=5).exists()


def test_profile_urls_derive_from_platform_and_handle():
    assert SocialAccount.objects.get(handle="IMMI_TOKYO").profile_url == "https://x.com/IMMI_TOKYO"
    page = SocialAccount.objects.get(handle="nagoya.nyukan.support")
    assert page.profile_url == "https://www.facebook.com/nagoya.nyukan.support"


def test_seeding_again_changes_nothing_and_keeps_administrators_edits():
    tokyo = Office.objects.get(code="tokyo")
    OfficeHours.objects.filter(office=tokyo).delete()
    OfficeHours.objects.create(office=tokyo, weekday=0, opens=datetime.time(10), closes=datetime.time(11))
    ClosureDay.objects.create(date=datetime.date(2026, 12, 1), office=tokyo, reason="訓練")
    SocialAccount.objects.filter(handle="IMMI_OSAKA").update(state="paused", display_name="edited")
    before = (Office.objects.count(), SocialAccount.objects.count(), OfficeHours.objects.count())

    seed_migration.seed(django_apps, None)
    seed_migration.seed(django_apps, None)

    assert (Office.objects.count(), SocialAccount.objects.count(), OfficeHours.objects.count()) == before
    assert list(OfficeHours.objects.filter(office=tokyo).values_list("opens", flat=True)) == [datetime.time(10)]
    osaka = SocialAccount.objects.get(handle="IMMI_OSAKA")
    assert (osaka.state, osaka.display_name) == ("paused", "edited")


def test_seeding_restores_a_deleted_account():
    SocialAccount.objects.filter(handle="IMMI_NAHA").delete()
    seed_migration.seed(django_apps, None)
    assert SocialAccount.objects.get(handle="IMMI_NAHA").office.code == "naha"


def test_handles_are_unique_per_platform_whatever_the_case():
    from django.db import IntegrityError, transaction

    tokyo = Office.objects.get(code="tokyo")
    with pytest.raises(IntegrityError), transaction.atomic():
        SocialAccount.objects.create(platform="x", handle="immi_tokyo", office=tokyo, display_name="impostor")
    # The same handle on the other platform is a different account.
    SocialAccount.objects.create(platform="facebook", handle="IMMI_TOKYO", office=tokyo, display_name="ok")
