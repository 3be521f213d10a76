"""X's weighted length (twitter-text v3) and Facebook's length.

The conformance cases are transcribed from twitter-text's
conformance/validate.yml (github.com/twitter/twitter-text, Apache-2.0),
sections ``WeightedTweetsWithDiscountedEmojiCounterTest`` (the v3 config,
all 22 cases) and ``UnicodeDirectionalMarkerCounterTest`` (both cases), as
found in the copies at twitter/twitter-text conformance/tests/validate.yml
(3b8031c) and sayrer/twitter-text conformance/validate.yml (cf71bf2, which
adds the "1⃣" case).
Each keeps the case's ``weightedLength`` and ``displayRangeEnd``: the latter
is the index of the last UTF-16 unit of the original text, so checking it
proves that the transcription kept every invisible character (ZWJ, tag
characters, combining accents). Long repetitive texts are built with ``*``;
the repeat counts are the ones that give the stated ``displayRangeEnd``.
"""

import time

import pytest

from accounts.platforms import capabilities_for
from posts.length import (
    facebook_length,
    weighted_length,
)

ZWJ = "\u200d"
FAMILY = ZWJ.join(["\U0001f468", "\U0001f469", "\U0001f467", "\U0001f466"])  # 👨‍👩‍👧‍👦
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # 🏴󠁧󠁢󠁥󠁮󠁧󠁿
POEM = (
    "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。"
    "朱雀桥边野草花，乌衣巷口夕阳斜。旧时王谢堂前燕，飞入寻常百姓家。"
    "朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
    "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。"
    "独在异乡为异客，每逢佳节倍思亲。遥知兄弟登高处，遍插茱萸少一人。"
)
KANA = "あいうえおかきくけこ"
LONG_INVALID_URL = "https://" + "somesuperlongurl" * 249 + ".com/foo"

# (description, text, weightedLength, displayRangeEnd)
CONFORMANCE = [
    # WeightedTweetsWithDiscountedEmojiCounterTest
    ("Regular Tweet with url", "Hi http://test.co", 26, 16),
    ("Just url", "http://test.co", 23, 13),
    (
        "Long tweet, overflow at char index 280",
        "285 chars-" + "xxxxxxxxxx-" * 25,
        285,
        284,
    ),
    (
        "Long tweet with url in the middle, overflow at char index 284",
        "285 chars- http://www.twitter.com/jack " + "xxxxxxxxxx-" * 24,
        299,
        302,
    ),
    (
        "Long tweet with url at the end, overflow at char index 265",
        "xxxxxxxxxx-" * 24 + " http://www.twitter.com/jack ",
        289,
        292,
    ),
    ("10 url string, no overflow", "https://www.twitter.com/aloha " * 10, 240, 299),
    ("160 CJK char, overflow at char index 140", POEM, 320, 159),
    ("160 emoji char, overflow at char index 140", "\U0001f637" * 160, 320, 319),
    ("3 latin char + 160 CJK char, overflow at char index 141", "the" + POEM, 323, 162),
    (
        "282 chars with a normalized character within valid range but outside 280",
        "282 chars-" + "xxxxxxxxxx-" * 24 + "xxxxxA\u0301x",
        281,
        281,
    ),
    (
        "Count a mix of single byte single word, and double word unicode characters",
        "H\U0001f431\u263a" + FAMILY,
        7,
        14,
    ),
    ("Count unicode emoji chars inside the basic multilingual plane", "😷👾😡🔥💩", 10, 9),
    (
        "Count unicode emoji chars outside the basic multilingual plane with skin tone modifiers",
        "\U0001f64b\U0001f3fd\U0001f468" + ZWJ + "\U0001f3a4",  # 🙋🏽👨‍🎤
        4,
        8,
    ),
    (
        # The two characters between U+2016 and U+2017 are transcribed as spaces;
        # any character of weight 1 gives the same result.
        "Handle General Punctuation Characters with visible spaces(u2000-200A), no ZWJ/ZWNJ",
        "This is a tweet with general punctuation characters: "
        "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b"
        " \u2010 \u2011 \u2012 \u2013 \u2014 \u2015 \u2016  \u2017 \u2018 \u2019 \u201a \u201b"
        " \u201c \u201d \u201e \u201f \u2032 \u2033 \u2034 \u2035 \u2036 \u2037",
        110,
        109,
    ),
    (
        "Handle long url with invalid domain labels and short url",
        "Long url with invalid domain labels and a short url: " + (LONG_INVALID_URL + " ") * 3 + "https://validurl.com",
        12079,
        12075,
    ),
    (
        "Handle a 64 character domain without protocol",
        "randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com",
        68,
        67,
    ),
    (
        "Do not allow > 140 CJK characters by virtue of CJK chars greater than 63 punycode encoded chars in the host",
        KANA * 12 + " http://" + KANA * 5 + "あいう.com",
        358,
        184,
    ),
    (
        "Allow > 140 CJK characters by virtue of CJK chars less than 63 punycode encoded chars in the host",
        KANA * 12 + " http://" + KANA * 5 + "あい.com",
        264,
        183,
    ),
    ("140 family emoji", FAMILY * 140, 280, 1539),
    ("Emoji with a leading character in the latin range is counted as 2", "1\u20e3", 2, 1),
    (
        "Unicode 10.0 emoji",
        "Unicode 10.0 emoji: \U0001f92a; \U0001f9d5; \U0001f9d5\U0001f3fe; " + ENGLAND,
        34,
        47,
    ),
    (
        "Unicode 9.0 emoji",
        "Unicode 9.0 emoji: \U0001f920; \U0001f483; \U0001f483\U0001f3fe",
        29,
        30,
    ),
    # UnicodeDirectionalMarkerCounterTest
    ("Handle invalid characters", "ABC\u202a\uffffABC\ufffe", 12, 8),
    (
        "Tweet text containing directional characters should be considered valid",
        "\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069",
        31,
        25,
    ),
]


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    ("text", "expected", "display_range_end"),
    [case[1:] for case in CONFORMANCE],
    ids=[case[0] for case in CONFORMANCE],
)
def test_conformance(text: str, expected: int, display_range_end: int) -> None:
    assert utf16_units(text) == display_range_end + 1  # the transcription is faithful
    assert weighted_length(text) == expected


# Cases from the v2 section (WeightedTweetsCounterTest) whose result does not
# depend on emoji parsing, kept for NFC normalisation.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("A\u0301B", 2, id="'Á' is normalized into 1 char"),
        pytest.param("A\ufb2c", 4, id="שּׁ is normalized into 3 chars"),
    ],
)
def test_normalization(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


JAPANESE = "出入国在留管理庁からのお知らせ"  # 15 characters
LONG_URL = "https://www.moj.go.jp/isa/applications/procedures/nyuukokukanri07_00201.html?from=x"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(JAPANESE, 30, id="Japanese only: 2 per character"),
        pytest.param("「在留カード」、２０２６年。", 28, id="full-width punctuation and digits: 2 each"),
        pytest.param(LONG_URL, 23, id="a long URL counts 23"),
        pytest.param("www.moj.go.jp/isa/", 23, id="a URL without scheme counts 23"),
        pytest.param(FAMILY, 2, id="ZWJ family sequence counts 2"),
        pytest.param("\U0001f1ef\U0001f1f5", 2, id="flag counts 2"),
        pytest.param("\U0001f44d\U0001f3fb", 2, id="skin tone counts 2"),
        pytest.param("#\ufe0f\u20e3", 2, id="keycap counts 2"),
        pytest.param(
            "\U0001f468" + ZWJ + "\U0001f9b0" + ZWJ + "\U0001f3a4",
            5,
            id="non-RGI ZWJ sequence: RGI part 2 + ZWJ 1 + emoji 2",
        ),
        pytest.param("\u2764\ufe0f" + ZWJ, 3, id="emoji + dangling ZWJ: 2 + 1"),
        pytest.param(
            "\U0001f469\U0001f3fc" + ZWJ + "\U0001f9af" + ZWJ + "\U0001f3a5",
            5,
            id="RGI sequence + dangling ZWJ + emoji: 2 + 1 + 2",
        ),
        pytest.param("\u00a9 2026", 6, id="bare copyright sign is text: 1"),
        pytest.param("\u00a9\ufe0f", 2, id="copyright sign with VS16 is an emoji: 2"),
        pytest.param(
            # 11 kanji/kana (22) + space + URL (23) + space + flag (2) + thumbs up (2)
            "在留手続の案内はこちら " + LONG_URL + " \U0001f1ef\U0001f1f5\U0001f44d",
            51,
            id="mixed Japanese + URL + emoji",
        ),
        pytest.param(
            # 詳しくは (8) + URL (23) + をご覧ください (14): a URL may follow kana directly
            "詳しくはwww.moj.go.jp/isa/をご覧ください",
            45,
            id="scheme-less URL inside Japanese text",
        ),
        pytest.param(
            # JavaScript twitter-text (followed here) reads 入国…くはwww as one DNS
            # label, over 63 characters in punycode, so the host is plain text:
            # 22 characters (44) + 13. Java twitter-text would count the URL.
            "出入国在留管理庁からのお知らせです。詳しくはwww.moj.go.jp",
            57,
            id="scheme-less URL after a long Japanese run is text",
        ),
        pytest.param(
            "出入国在留管理庁からのお知らせです。詳しくは www.moj.go.jp",
            68,
            id="the same after a space is a URL",
        ),
        pytest.param("Visit https://example.com/path.", 30, id="trailing period is not in the URL"),
        pytest.param("(https://example.com)", 25, id="parentheses around a URL"),
        pytest.param("user@example.com", 16, id="e-mail address is not a URL"),
        pytest.param("@example.com", 12, id="no URL right after @"),
        pytest.param("$example.com", 12, id="no URL right after $"),
        pytest.param("ftp://example.com", 17, id="ftp is not a URL scheme"),
        pytest.param("example.invalidtld", 18, id="unknown TLD is not a URL"),
        pytest.param("version 3.5 is out", 18, id="decimal number is not a URL"),
        pytest.param("https://t.co/abc123/extra", 29, id="t.co URL ends after the slug"),
        pytest.param("a\nb", 3, id="newline counts 1"),
        pytest.param("", 0, id="empty"),
        pytest.param("あ" * 140, 280, id="exactly 280"),
        pytest.param("あ" * 140 + "a", 281, id="281"),
        pytest.param("a" * 256 + " " + LONG_URL, 280, id="280 with a URL"),
        pytest.param("a" * 257 + " " + LONG_URL, 281, id="281 with a URL"),
        pytest.param("a" * 257 + LONG_URL, 257 + len(LONG_URL), id="no URL right after a letter"),
    ],
)
def test_our_cases(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


def test_limits() -> None:
    x_limit = capabilities_for("x").text_limit
    assert x_limit == 280
    assert capabilities_for("facebook").text_limit == 63206
    assert weighted_length("あ" * 140) <= x_limit < weighted_length("あ" * 140 + "a")


def test_facebook_length() -> None:
    assert facebook_length("A\u0301B") == 2  # NFC first
    assert facebook_length(FAMILY) == 7  # code points, not emoji sequences
    assert facebook_length(JAPANESE) == 15


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("あ" * 60000 + "3.5%", id="long Japanese run ending in a dot"),
        pytest.param("おしらせです." * 9000, id="Japanese sentences ending in ASCII periods"),
        pytest.param("a." * 30000, id="chain of dotted labels"),
        pytest.param("a_b." * 15000, id="chain of labels with underscores"),
    ],
)
def test_long_texts_stay_fast(text: str) -> None:
    # The plain regex needs minutes for these; the scanner needs well under a second.
    started = time.monotonic()
    weighted_length(text)
    assert time.monotonic() - started < 5
