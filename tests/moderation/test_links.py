"""The one URL recogniser (moderation.links), shared by X's length counter and the link checks."""

import random

import pytest

from moderation import links
from moderation.links import x_url_spans


@pytest.mark.parametrize(
    "text, expected",
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
        "a", "b", "x", "-", "_", ".", ":", "/", "?", "#", "=", "&", "(", ")", "@", "$", " ",
        "あ", "漢", "。", "é", "1", "\u202a", "\ufeff", "\U0001f355", "http://", "https://",
        "HTTP://", "com", "co", "jp", "tv", "uk", "xn--", "t.co/", ".com", ".co.jp", "www.",
        "みんな", "भारत", "भारतम्",
    ]
    rng = random.Random(20260401)
    for _ in range(5000):
        text = "".join(rng.choice(tokens) for _ in range(rng.randint(0, 30)))
        fast = [(m.span(), m.groupdict()) for m in links._url_matches(text)]
        plain = [(m.span(), m.groupdict()) for m in links._URL_RE.finditer(text)]
        assert fast == plain, text


