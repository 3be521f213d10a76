"""§5: the agency's own numbers and addresses are official contacts, shown as information, never blocked."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from checks import checks
from checks.checks import official_contacts, scan
from checks.models import OfficialContact
from tests.conftest import sign_in_with_second_factor
from tests.factories import OfficialContactFactory

pytestmark = pytest.mark.django_db

seed_migration = importlib.import_module("moderation.migrations.0005_seed_official_contacts")

INFO_CENTRE = "0570-013904"
FROM_ABROAD = "03-5796-7112"


def test_the_information_centre_and_the_ministry_domain_are_seeded():
    assert set(OfficialContact.objects.values_list("kind", "value", "key")) >= {
        ("phone", INFO_CENTRE, "0570013904"),
        ("phone", FROM_ABROAD, "0357967112"),
        ("email_domain", "moj.go.jp", "moj.go.jp"),
    }
    notes = dict(OfficialContact.objects.values_list("key", "note"))
    assert "外国人在留総合インフォメーションセンター" in notes["0570013904"]


def test_the_seed_is_idempotent_and_keeps_what_administrators_changed():
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    # The models as the seed migration saw them (they belong to the checks app now; the table is the same).
    apps = MigrationLoader(connection).project_state(("moderation", "0005_seed_official_contacts")).apps
    OfficialContact.objects.filter(key="0570013904").update(note="edited by an administrator")
    seed_migration.seed(apps, None)
    seed_migration.seed(apps, None)
    assert OfficialContact.objects.filter(key="0570013904").count() == 1
    assert OfficialContact.objects.get(key="0570013904").note == "edited by an administrator"
    # The migration's keys are written out; they must be what the model computes.
    for kind, value, key, _note in seed_migration.CONTACTS:
        assert OfficialContact.key_for(kind, value) == key


@pytest.mark.parametrize(
    "typed",
    [
        "0570-013904",
        "0570013904",
        "0570 013 904",
        "0570‐013‐904",
        "０５７０－０１３９０４",
        "０５７０ー０１３ー９０４",
        "(0570)013904",
        "（０５７０）０１３－９０４",
        "0570.013.904",
    ],
)
def test_the_information_centre_number_passes_however_it_is_written(typed):
    text = f"お問い合わせは外国人在留総合インフォメーションセンター（{typed}）へ。"
    assert scan(text) == []
    [match] = official_contacts(text)
    assert (match.kind, match.listed_as, text[match.start : match.end], match.excerpt) == (
        "phone",
        INFO_CENTRE,
        typed,
        typed,
    )
    assert "インフォメーションセンター" in match.note


@pytest.mark.parametrize(
    "typed",
    [
        "03-5796-7112",
        "03(5796)7112",
        "０３－５７９６－７１１２",
        "03 5796 7112",
        "+81-3-5796-7112",
        "+81 3 5796 7112",
        "+81 (0)3-5796-7112",
        "＋８１－３－５７９６－７１１２",
        "TEL03-5796-7112",
    ],
)
def test_the_number_for_calls_from_abroad_passes_in_its_international_forms(typed):
    text = f"From abroad: {typed}."
    assert scan(text) == []
    [match] = official_contacts(text)
    assert match.listed_as == FROM_ABROAD


@pytest.mark.parametrize("near_miss", ["0570-013905", "0570-013-9041", "03-5796-7113", "+81-3-5796-7113", "0570-13904"])
def test_a_number_one_digit_off_is_not_official(near_miss):
    assert official_contacts(f"電話 {near_miss}") == []


def test_one_digit_off_is_still_a_phone_number():
    [finding] = scan("電話 03-5796-7113")
    assert finding.kind == "phone"


@pytest.mark.parametrize(
    "address",
    [
        "isa-event@moj.go.jp",
        "ISA-EVENT@MOJ.GO.JP",
        "ｉｓａ－ｅｖｅｎｔ＠ｍｏｊ．ｇｏ．ｊｐ",
        "someone@i.moj.go.jp",
    ],
)
def test_every_address_at_the_ministry_domain_is_official(address):
    text = f"申込み：{address}まで"
    assert scan(text) == []
    [match] = official_contacts(text)
    assert (match.kind, match.listed_as, match.excerpt) == ("email", "moj.go.jp", address)


@pytest.mark.parametrize("address", ["someone@moj.go.jp.example.com", "someone@notmoj.go.jp", "someone@moj-go.jp"])
def test_an_address_that_only_looks_official_is_blocked(address):
    text = f"申込み：{address}まで"
    assert [(f.kind, f.excerpt) for f in scan(text)] == [("email", address)]
    assert official_contacts(text) == []


def test_an_administrator_adds_a_bureau_switchboard_and_the_next_scan_lets_it_through():
    text = "大阪出入国在留管理局 代表 06-4703-2100"
    assert [f.kind for f in scan(text)] == ["phone"]
    contact = OfficialContact(kind="phone", value="０６（４７０３）２１００", note="大阪局 代表")
    contact.full_clean()
    contact.save()
    assert contact.key == "0647032100"
    assert scan(text) == []
    assert [m.listed_as for m in official_contacts(text)] == ["０６（４７０３）２１００"]
    contact.delete()
    assert [f.kind for f in scan(text)] == ["phone"]


def test_an_exact_official_address_outside_the_official_domains():
    text = "問合せ：support@fresc.example.jp"
    assert [f.kind for f in scan(text)] == ["email"]
    OfficialContactFactory.create(kind="email", value="Support@FRESC.example.jp")
    assert scan(text) == []
    assert scan("問合せ：other@fresc.example.jp")[0].kind == "email"  # only that address, not its domain


def test_official_and_personal_numbers_side_by_side():
    text = "0570-013904につながらない場合は、担当者の携帯090-1234-5678へ"
    assert [(f.kind, f.excerpt) for f in scan(text)] == [("phone", "090-1234-5678")]
    assert [m.excerpt for m in official_contacts(text)] == ["0570-013904"]


# --- the model ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("phone", "100-8977"),
        ("phone", "12,345"),
        ("phone", "0570-013904 and 03-5796-7112"),
        ("phone", ""),
        ("email", "not an address"),
        ("email", "a@b"),
        ("email", "x@moj.go.jp y@moj.go.jp"),
        ("email_domain", "https://moj.go.jp/"),
        ("email_domain", "moj"),
        ("email_domain", "a b.jp"),
        ("phone", "0570-013904\x00"),
    ],
)
def test_invalid_values_are_refused_with_a_message(kind, value):
    contact = OfficialContact(kind=kind, value=value)
    with pytest.raises(ValidationError) as refused:
        contact.full_clean()
    assert "value" in refused.value.message_dict


def test_the_same_number_written_another_way_is_refused_as_a_duplicate():
    with pytest.raises(ValidationError) as refused:
        OfficialContact(kind="phone", value="０５７０ー０１３ー９０４").full_clean()
    assert "0570-013904" in refused.value.message_dict["value"][0]


def test_an_overlong_value_is_refused():
    with pytest.raises(ValidationError):
        OfficialContact(kind="email", value="a" * 250 + "@moj.go.jp").full_clean()


def test_the_domain_is_stored_without_at_sign_and_in_lowercase():
    contact = OfficialContact(kind="email_domain", value=" @Example.LG.JP ")
    contact.full_clean()
    contact.save()
    assert contact.key == "example.lg.jp"
    assert scan("kouhou@city.example.lg.jp") == []


def test_rules_read_once_inside_rules_pinned(django_assert_num_queries):
    text = "電話 0570-013904、メール info@moj.go.jp、https://www.moj.go.jp/isa/"
    with django_assert_num_queries(2):  # the allow-list and the official contacts
        assert scan(text) == []
    with django_assert_num_queries(0):
        assert scan("お知らせ：令和8年4月1日から受付時間が変わります。") == []
    with django_assert_num_queries(2):
        with checks.rules_pinned():
            for _ in range(5):
                assert scan(text) == []
                assert len(official_contacts(text)) == 2


# --- the admin ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, administrator):
    sign_in_with_second_factor(client, administrator)
    return client


def test_administrators_list_and_add_official_contacts_next_to_the_link_domains(admin_client):
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:checks_officialcontact_changelist") in index
    assert reverse("admin:checks_allowedlinkdomain_changelist") in index
    listing = admin_client.get(reverse("admin:checks_officialcontact_changelist")).content.decode()
    assert INFO_CENTRE in listing and FROM_ABROAD in listing and "moj.go.jp" in listing
    response = admin_client.post(
        reverse("admin:checks_officialcontact_add"),
        {
            "kind": "phone",
            "value": "092-600-1008",
            "note": "福岡局 代表",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OfficialContact.objects.get(key="0926001008").note == "福岡局 代表"


def test_the_admin_refuses_a_value_that_is_not_a_phone_number_and_keeps_the_input(admin_client):
    response = admin_client.post(
        reverse("admin:checks_officialcontact_add"),
        {
            "kind": "phone",
            "value": "〒100-8977",
            "note": "typo",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page and "〒100-8977" in page
    assert not OfficialContact.objects.filter(note="typo").exists()


@pytest.mark.parametrize("persona", ["tokyo_poster", "tokyo_supervisor", "viewer"])
def test_people_who_are_not_administrators_cannot_reach_the_list(client, request, persona):
    person = request.getfixturevalue(persona)
    sign_in_with_second_factor(client, person)  # even with the second factor
    response = client.get(reverse("admin:checks_officialcontact_changelist"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_anonymous_cannot_reach_the_list(client):
    response = client.get(reverse("admin:checks_officialcontact_changelist"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_rules_pinned_reads_each_list_only_when_needed_and_nests(django_assert_num_queries):
    with django_assert_num_queries(0):
        with checks.rules_pinned():
            assert scan("令和8年4月1日") == []
    with django_assert_num_queries(1):  # the official contacts only: there is no link
        with checks.rules_pinned():
            with checks.rules_pinned():
                assert scan("電話 0570-013904") == []
            assert scan("電話 03-5796-7112") == []


def test_a_kind_that_is_not_one_of_the_choices_is_refused_as_such():
    # full_clean() runs clean() after clean_fields() found the kind wrong; clean() leaves it to that message.
    with pytest.raises(ValidationError) as refused:
        OfficialContact(kind="fax", value="03-1234-5678").full_clean()
    assert set(refused.value.message_dict) == {"kind"}


def test_the_note_beside_an_official_number_is_in_one_language_at_a_time():
    from django.utils import translation

    [match] = official_contacts("お問い合わせは 0570-013904 へ。")
    with translation.override("ja"):
        assert match.note_shown == "外国人在留総合インフォメーションセンター"
    with translation.override("en"):
        assert match.note_shown == "Immigration Services Agency information centre"
    [domain] = official_contacts("info@isa.moj.go.jp")
    with translation.override("en"):
        assert domain.note_shown == "Ministry of Justice and Immigration Services Agency"
