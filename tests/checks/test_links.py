"""The one URL recogniser (checks.links), shared by X's length counter and the link checks."""

import random
import unicodedata

import pytest

from checks import links
from checks.checks import scan
from checks.links import x_url_spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("詳しくはwww.moj.go.jp/isa/をご覧ください", [(4, 22)]),
        ("see https://example.com/a. and t.co", [(4, 25), (31, 35)]),
        ("\u202ahttp://foobar.پاکستان/\u202c", [(1, 23)]),
        ("no url here", []),
    ],
)
def test_x_url_spans(text: str, expected: list[tuple[int, int]]) -> None:
    assert x_url_spans(text) == expected


def test_builtin_tlds_cover_the_conformance_cases() -> None:
    # Should fido2's Public Suffix List ever be missing, these still count.
    assert {"com", "co", "net", "jp", "ly", "پاکستان"} <= links._BUILTIN_TLDS


def test_fast_scanner_matches_plain_finditer() -> None:
    """_url_matches skips start positions; it must find exactly what finditer finds."""
    tokens = [
        "a",
        "b",
        "x",
        "-",
        "_",
        ".",
        ":",
        "/",
        "?",
        "#",
        "=",
        "&",
        "(",
        ")",
        "@",
        "$",
        " ",
        "あ",
        "漢",
        "。",
        "é",
        "1",
        "\u202a",
        "\ufeff",
        "\U0001f355",
        "http://",
        "https://",
        "HTTP://",
        "com",
        "co",
        "jp",
        "tv",
        "uk",
        "xn--",
        "t.co/",
        ".com",
        ".co.jp",
        "www.",
        "みんな",
        "भारत",
        "भारतम्",
    ]
    rng = random.Random(20260401)
    for _ in range(5000):
        text = "".join(rng.choice(tokens) for _ in range(rng.randint(0, 30)))
        fast = [(m.span(), m.groupdict()) for m in links._url_matches(text)]
        plain = [(m.span(), m.groupdict()) for m in links._URL_RE.finditer(text)]
        assert fast == plain, text


# --- one recogniser: every span X counts as a URL is held against the allow-list -------------------

ALLOWED = ("moj.go.jp", "isa.go.jp", "go.jp", "lg.jp", "e-gov.go.jp", "digital.go.jp")


def _host(span_text: str) -> str:
    from urllib.parse import urlsplit

    normalised = unicodedata.normalize("NFKC", span_text)
    has_scheme = normalised.lower().startswith(("http://", "https://"))
    return (urlsplit(normalised if has_scheme else "http://" + normalised).hostname or "").rstrip(".")


def assert_every_x_url_is_checked(text: str) -> None:
    """Each span X counts as 23 is either on the allow-list or carries a link finding at exactly that span."""
    findings = {(f.start, f.end): f for f in scan(text) if f.kind in ("link_domain", "url_shortener", "phishing_link")}
    for start, end in x_url_spans(unicodedata.normalize("NFC", text)):
        host = _host(text[start:end])
        if any(host == d or host.endswith("." + d) for d in ALLOWED):
            assert (start, end) not in findings, (text, text[start:end])
        else:
            assert (start, end) in findings, (text, text[start:end])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "詳しくはexample.club/jpへ",  # .club: X counts it; the old bare-domain list did not know it
        "example.comｘ",  # X reads example.com before a full-width letter
        "申込はevent.example.store から",
        "see shop.example.tokyo/ja and www.example.xn--p1ai",
        "連絡：https://example.com/a（詳細）",
        "ab.1234.5678.cd",
        "bit.ly/abc と https://t.co/abc123 と tinyurl.com/x",
        "公式：https://www.moj.go.jp/isa/ 偽：https://moj.go.jp.example.net/isa/",
    ],
)
def test_every_span_x_counts_as_a_url_is_checked_against_the_allow_list(text):
    assert x_url_spans(unicodedata.normalize("NFC", text)), "the case must hold a URL as X counts them"
    assert_every_x_url_is_checked(text)


@pytest.mark.django_db
def test_every_span_x_counts_as_a_url_is_checked_in_random_texts():
    tokens = [
        "a",
        "x",
        "-",
        "_",
        ".",
        ":",
        "/",
        "?",
        "#",
        "=",
        "(",
        ")",
        "@",
        " ",
        "あ",
        "漢",
        "。",
        "、",
        "ｘ",
        "１",
        "é",
        "1",
        "\u3000",
        "https://",
        "http://",
        "www.",
        "example",
        ".com",
        ".club",
        ".co.jp",
        ".go.jp",
        "moj",
        ".lg.jp",
        "bit.ly/",
        "t.co/",
        "isa",
        ".tokyo",
        ".xn--p1ai",
        "ｗｗｗ．",
        "．ｃｏｍ",
        "e\u0301",
        ".jp/",
    ]
    rng = random.Random(20261202)
    checked = 0
    for _ in range(3000):
        # NFC, so that X's offsets are the typed text's (decomposed input: the test below).
        text = unicodedata.normalize("NFC", "".join(rng.choice(tokens) for _ in range(rng.randint(1, 24))))
        checked += len(x_url_spans(unicodedata.normalize("NFC", text)))
        assert_every_x_url_is_checked(text)
    assert checked > 1000  # the random texts did hold URLs


@pytest.mark.django_db
def test_a_url_after_decomposed_characters_is_found_where_it_was_typed():
    text = "see e\u0301.example.com now"  # é typed as e + combining acute: X reads it composed
    assert x_url_spans(unicodedata.normalize("NFC", text)) == [(4, 17)]  # "é.example.com", 13 code points
    [finding] = scan(text)
    assert (finding.kind, finding.start, finding.end) == ("link_domain", 4, 18)
    assert finding.excerpt == "e\u0301.example.com"  # the 14 characters as typed


def test_the_length_counter_and_the_checks_share_the_recogniser():
    from checks import checks
    from posts import length

    assert length.x_url_spans is links.x_url_spans is checks.x_url_spans
