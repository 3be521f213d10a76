"""§5: the content checks that block personal data and shortened links and warn about other links."""

import dataclasses
import importlib

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import translation

from checks.checks import Finding, _duplicate_findings, has_blocking, scan
from checks.models import AllowedLinkDomain
from tests.factories import AllowedLinkDomainFactory

pytestmark = pytest.mark.django_db

seed_migration = importlib.import_module("moderation.migrations.0002_seed_allowed_domains")


def check_digit(first_eleven: str) -> int:
    """The My Number check digit, written out independently of checks.checks."""
    weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]  # Q_n for n = 11 .. 1, left to right
    total = sum(int(d) * w for d, w in zip(first_eleven, weights, strict=True))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def valid_my_number(first_eleven: str) -> str:
    return first_eleven + str(check_digit(first_eleven))


def wrong_my_number(first_eleven: str) -> str:
    return first_eleven + str((check_digit(first_eleven) + 1) % 10)


MY_NUMBER = valid_my_number("12345678901")
BAD_MY_NUMBER = wrong_my_number("12345678901")


def to_full_width(text: str) -> str:
    """ASCII letters, digits, '-', '@', '.' as typed with a Japanese IME in full-width mode."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def only(findings: list[Finding], kind: str) -> list[Finding]:
    return [f for f in findings if f.kind == kind]


def assert_points_at_typed_text(text: str, finding: Finding, excerpt: str) -> None:
    assert finding.excerpt == excerpt
    assert text[finding.start : finding.end] == excerpt


def test_the_independent_check_digit_agrees_with_the_known_example():
    assert MY_NUMBER == "123456789018"
    assert BAD_MY_NUMBER == "123456789019"


# ---------------------------------------------------------------------------
# Each blocking kind: ASCII, full-width, inside Japanese text
# ---------------------------------------------------------------------------

BLOCKING_CASES = [
    ("residence_card", "AB12345678CD"),
    ("my_number", MY_NUMBER),
    ("my_number", f"{MY_NUMBER[:4]} {MY_NUMBER[4:8]} {MY_NUMBER[8:]}"),
    ("my_number", f"{MY_NUMBER[:4]}-{MY_NUMBER[4:8]}-{MY_NUMBER[8:]}"),
    ("passport", "TK1234567"),
    ("phone", "090-1234-5678"),
    ("phone", "03-1234-5678"),
    ("phone", "045-123-4567"),
    ("phone", "0467-12-3456"),
    ("phone", "0120-123-456"),
    ("phone", "0570-123-456"),  # a navi-dial number that is not on the official list
    ("phone", "0312345678"),
    ("phone", "090 1234 5678"),
    ("phone", "+81-90-1234-5678"),
    ("phone", "+81 3 1234 5678"),
    ("email", "taro.yamada@example.com"),
]


@pytest.mark.parametrize(("kind", "typed"), BLOCKING_CASES)
def test_found_in_ascii(kind, typed):
    text = f"Contact {typed} now"
    findings = scan(text)
    assert [f.kind for f in findings] == [kind]
    assert findings[0].severity == "block"
    assert_points_at_typed_text(text, findings[0], typed)


@pytest.mark.parametrize(("kind", "typed"), BLOCKING_CASES)
def test_found_in_full_width(kind, typed):
    wide = to_full_width(typed)
    assert wide != typed
    text = f"連絡先：{wide}です"
    findings = scan(text)
    assert [f.kind for f in findings] == [kind]
    assert_points_at_typed_text(text, findings[0], wide)


@pytest.mark.parametrize(("kind", "typed"), BLOCKING_CASES)
def test_found_inside_japanese_text(kind, typed):
    # No spaces: \b would miss these, kana and kanji being word characters.
    text = f"在留カード{typed}を確認してください。"
    findings = scan(text)
    assert [f.kind for f in findings] == [kind]
    assert_points_at_typed_text(text, findings[0], typed)


def test_residence_card_in_a_japanese_sentence():
    text = "「在留カードAB12345678CDを」"
    [finding] = scan(text)
    assert finding.kind == "residence_card"
    assert_points_at_typed_text(text, finding, "AB12345678CD")


@pytest.mark.parametrize(
    "typed",
    [
        "０９０－１２３４－５６７８",  # full-width hyphen-minus
        "０９０ー１２３４ー５６７８",  # katakana long vowel mark
        "090‐1234‐5678",  # U+2010 hyphen
        "090–1234–5678",  # en dash
        "090—1234—5678",  # em dash
        "090−1234−5678",  # minus sign
        "０９０　１２３４　５６７８",  # ideographic spaces
    ],
)
def test_dashes_and_spaces_of_japanese_input_count_as_separators(typed):
    text = f"携帯{typed}まで"
    [finding] = scan(text)
    assert finding.kind == "phone"
    assert_points_at_typed_text(text, finding, typed)


def test_offsets_survive_normalisation_that_changes_length():
    # ㍻ becomes 平成 and ｶﾞ becomes ガ under NFKC: the normalised text is longer
    # and shorter than the typed one before the number.
    text = "㍻３１年ｶﾞｲﾄﾞ ＡＢ１２３４５６７８ＣＤ"
    [finding] = scan(text)
    assert finding.kind == "residence_card"
    assert_points_at_typed_text(text, finding, "ＡＢ１２３４５６７８ＣＤ")


# ---------------------------------------------------------------------------
# My Number check digit
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("first_eleven", ["12345678901", "98765432109", "03123456789", "55555555555"])
def test_my_number_with_a_valid_check_digit_is_found(first_eleven):
    number = valid_my_number(first_eleven)
    text = f"個人番号は{number}です"
    [finding] = scan(text)
    assert finding.kind == "my_number"
    assert_points_at_typed_text(text, finding, number)


@pytest.mark.parametrize("first_eleven", ["12345678901", "98765432109", "03123456789", "55555555555"])
def test_twelve_digits_with_a_wrong_check_digit_are_not_a_my_number(first_eleven):
    assert only(scan(f"受付番号{wrong_my_number(first_eleven)}"), "my_number") == []


def test_wrong_check_digit_grouped_is_not_a_my_number():
    number = BAD_MY_NUMBER
    assert scan(f"{number[:4]}-{number[4:8]}-{number[8:]}") == []


def test_my_number_is_not_also_a_phone():
    number = valid_my_number("03123456789")
    grouped = f"{number[:4]} {number[4:8]} {number[8:]}"
    assert [f.kind for f in scan(grouped)] == ["my_number"]


@pytest.mark.parametrize("text", ["1" + MY_NUMBER, MY_NUMBER + "1", "A" + MY_NUMBER, f"{MY_NUMBER}-1"])
def test_my_number_must_stand_alone(text):
    assert only(scan(text), "my_number") == []


# ---------------------------------------------------------------------------
# What is not a phone number, passport or residence card
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28",
        "２０２６－１１－２８",
        "2026/11/28 10:30〜12:00",
        "令和8年11月28日（土）09:00-17:00",
        "10:00–12:00",
        "〒100-0013 東京都千代田区霞が関1-1-1",
        "〒０６０－０００１",
        "第1回 2026-01-15",
        "2025-2026年度",
        "03-1234",
        "090-1234-56789",
        "12-34-5678",
        "受付番号 1234567890",
    ],
)
def test_dates_times_and_postal_codes_are_not_phones(text):
    assert only(scan(text), "phone") == []


def test_a_phone_after_a_postal_code_is_still_found():
    text = "〒100-0013 03-1234-5678"
    [finding] = scan(text)
    assert finding.kind == "phone"
    assert_points_at_typed_text(text, finding, "03-1234-5678")


@pytest.mark.parametrize(
    "typed", ["(03)1234-5678", "03(1234)5678", "+81 (0)3-1234-5678", "0800-123-4567", "050-1234-5678"]
)
def test_other_written_forms_of_phone_numbers(typed):
    text = f"電話：{typed}（平日9時〜17時）"
    [finding] = scan(text)
    assert finding.kind == "phone"
    assert_points_at_typed_text(text, finding, typed)


@pytest.mark.parametrize("text", ["XAB12345678CD", "AB12345678CD1", "TK12345678", "TTK1234567", "TK1234567A"])
def test_letters_and_digits_glued_to_a_number_are_not_it(text):
    kinds = {f.kind for f in scan(text)}
    assert not kinds & {"residence_card", "passport"}


# ---------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_allow_list_is_seeded():
    assert set(AllowedLinkDomain.objects.values_list("domain", flat=True)) >= {
        "moj.go.jp",
        "isa.go.jp",
        "go.jp",
        "lg.jp",
        "e-gov.go.jp",
        "digital.go.jp",
    }
    assert {domain for domain, _ in seed_migration.DOMAINS} == {
        "moj.go.jp",
        "isa.go.jp",
        "go.jp",
        "lg.jp",
        "e-gov.go.jp",
        "digital.go.jp",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "詳しくはhttps://www.moj.go.jp/isa/applications/procedures/index.html をご覧ください。",
        "詳しくはwww.moj.go.jp/isa/をご覧ください。",
        "https://www.isa.go.jp/en/",
        "ｈｔｔｐｓ：／／ｗｗｗ．ｍｏｊ．ｇｏ．ｊｐ／",
        "https://www.city.shinjuku.lg.jp/",
        "https://www.kantei.go.jp/",
        "HTTPS://WWW.MOJ.GO.JP/",
    ],
)
def test_a_link_to_an_allowed_domain_or_its_subdomain_is_fine(text):
    assert scan(text) == []


@pytest.mark.django_db
def test_a_link_outside_the_allow_list_is_a_warning():
    text = "申請はhttps://example.com/apply?lang=ja。"
    [finding] = scan(text)
    assert (finding.kind, finding.severity) == ("link_domain", "warn")
    assert_points_at_typed_text(text, finding, "https://example.com/apply?lang=ja")
    assert not has_blocking([finding])


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["https://moj.go.jp.example.net/", "https://notgo.jp/", "https://fakemoj.go.jpx.com/"])
def test_a_domain_that_only_looks_like_an_allowed_one_is_not_allowed(text):
    # Those that carry an official name are phishing links now (checks.lookalike); none is allowed.
    expected = "link_domain" if text == "https://notgo.jp/" else "phishing_link"
    assert [(f.kind, f.excerpt) for f in scan(text)] == [(expected, text)]


@pytest.mark.django_db
def test_an_administered_domain_is_allowed_with_its_subdomains():
    AllowedLinkDomainFactory.create(domain="Example.COM")
    assert AllowedLinkDomain.objects.get(domain="example.com")
    assert scan("https://www.example.com/ と example.com/x") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("https://bit.ly/3abcDEF", "https://bit.ly/3abcDEF"),
        ("詳細はbit.ly/3abcDEFへ", "bit.ly/3abcDEF"),
        ("（ｂｉｔ．ｌｙ／ａｂｃ）", "ｂｉｔ．ｌｙ／ａｂｃ"),
        ("https://t.co/AbC123", "https://t.co/AbC123"),
        ("tinyurl.com/abc", "tinyurl.com/abc"),
        ("https://www.bit.ly/abc", "https://www.bit.ly/abc"),
        ("URL:lnkd.in/abc", "lnkd.in/abc"),
        ("http://x.gd/abc", "http://x.gd/abc"),
        ("shorturl.at/abc", "shorturl.at/abc"),
    ],
)
def test_a_shortened_link_blocks(text, excerpt):
    [finding] = scan(text)
    assert (finding.kind, finding.severity) == ("url_shortener", "block")
    assert_points_at_typed_text(text, finding, excerpt)


@pytest.mark.django_db
def test_a_post_id_in_a_link_is_not_a_my_number():
    text = f"https://www.facebook.com/ImmigrationServicesAgency.MOJ/posts/{MY_NUMBER}"
    assert [(f.kind, f.excerpt) for f in scan(text)] == [("link_domain", text)]


@pytest.mark.parametrize("text", ["e.g. No.1", "ver.2.0 を公開", "3.14", "index.html", "在留カード.pdf", "Mr.Tanaka"])
def test_words_with_dots_are_not_links(text):
    assert scan(text) == []


def test_the_domain_of_an_email_address_is_not_a_link():
    assert [f.kind for f in scan("info@bit.ly")] == ["email"]


# ---------------------------------------------------------------------------
# The whole result
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_findings_are_sorted_by_start():
    text = f"https://example.com/ 連絡先 taro@example.com, 090-1234-5678, {MY_NUMBER}, AB12345678CD, bit.ly/x"
    findings = scan(text)
    assert [f.kind for f in findings] == [
        "link_domain",
        "email",
        "phone",
        "my_number",
        "residence_card",
        "url_shortener",
    ]
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    for finding in findings:
        assert text[finding.start : finding.end] == finding.excerpt
    assert has_blocking(findings)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "在留カードの更新手続は、在留期間の満了する日の3か月前から申請できます。",
        "令和8年11月28日（土）は、東京出入国在留管理局の窓口を9時から17時まで開きます。",
        "外国人在留支援センター（FRESC）では、生活相談を12言語で受け付けています。#出入国在留管理庁",
        "ホームページをご覧ください。メールマガジンもあります。",
    ],
)
def test_clean_japanese_text_has_no_findings(text):
    assert scan(text) == []
    assert not has_blocking([])


def test_findings_are_frozen_and_carry_a_translatable_message():
    with translation.override("en"):
        [finding] = scan("AB12345678CD")
    assert isinstance(finding.message, str) and "residence card" in finding.message
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.start = 0  # type: ignore[misc]  # the assignment mypy refuses is the one the test tries


def test_no_duplicate_check_without_an_account():
    assert _duplicate_findings("お知らせ", None) == []


# ---------------------------------------------------------------------------
# The allow-list model and its admin
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_allowed_domain_is_stored_lowercase_and_validated():
    entry = AllowedLinkDomain(domain="  WWW.Example.ORG. ")
    entry.full_clean()
    assert entry.domain == "www.example.org"
    with pytest.raises(ValidationError):
        AllowedLinkDomain(domain="https://example.org/path").full_clean()


def test_allowed_domain_admin_lists_and_searches():
    model_admin = admin.site._registry[AllowedLinkDomain]
    assert "domain" in model_admin.list_display
    assert "domain" in model_admin.search_fields
