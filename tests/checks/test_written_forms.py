"""§5: personal data is found however it is written, and what announcements are made of is not.

One parametrised case per written form: every kind of separator (half- and
full-width spaces, every hyphen people type, dots, nothing), ASCII and
full-width characters, inside Japanese text without spaces and in an English
sentence. Each case checks the one finding's kind and that its offsets
point at the characters as typed, which is what the composer highlights.
"""

import pytest

from checks.checks import scan

pytestmark = pytest.mark.django_db


def check_digit(first_eleven: str) -> int:
    """The My Number check digit, written out independently of the checks (see test_checks)."""
    weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    remainder = sum(int(d) * w for d, w in zip(first_eleven, weights, strict=True)) % 11
    return 0 if remainder <= 1 else 11 - remainder


MY_NUMBER = "98765432109" + str(check_digit("98765432109"))
assert MY_NUMBER == "987654321093"  # 228 mod 11 = 8, so 11 - 8 = 3

SEPARATORS = {
    "none": "",
    "space": " ",
    "ideographic space": "\u3000",
    "hyphen-minus": "-",
    "hyphen U+2010": "\u2010",
    "en dash": "\u2013",
    "em dash": "\u2014",
    "horizontal bar": "\u2015",
    "katakana long vowel mark": "\u30fc",
    "full-width hyphen-minus": "\uff0d",
    "dot": ".",
    "spaced hyphen": " - ",
}

# (kind, shape): how the groups are joined by a separator s.
SHAPES = {
    ("residence_card", "2-4-4-2"): lambda s: f"AB{s}1234{s}5678{s}CD",
    ("residence_card", "2-8-2"): lambda s: f"AB{s}12345678{s}CD",
    ("my_number", "4-4-4"): lambda s: s.join([MY_NUMBER[:4], MY_NUMBER[4:8], MY_NUMBER[8:]]),
    ("passport", "2-7"): lambda s: f"TK{s}1234567",
    ("phone", "mobile 3-4-4"): lambda s: f"090{s}1234{s}5678",
    ("phone", "Tokyo 2-4-4"): lambda s: f"03{s}1234{s}5678",
    ("phone", "Yokohama 3-3-4"): lambda s: f"045{s}123{s}4567",
    ("phone", "Fujisawa 4-2-4"): lambda s: f"0466{s}12{s}3456",
    ("phone", "free dial 4-3-3"): lambda s: f"0120{s}123{s}456",
    ("phone", "+81 mobile"): lambda s: f"+81{s}90{s}1234{s}5678",
    ("phone", "+81 fixed"): lambda s: f"+81{s}3{s}1234{s}5678",
}


def to_full_width(text: str) -> str:
    """What a Japanese IME types in full-width mode: letters, digits, signs, and the ideographic space."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


CONTEXTS = {
    "inside Japanese": "在留カード{x}を確認してください。",
    "after a Japanese label": "連絡先：{x}（平日）",
    "in an English sentence": "Please contact {x} today.",
    "at the start of a line": "{x}\n以上",
}


def written(shape, separator: str, width: str) -> str:
    typed = shape(separator)
    return to_full_width(typed) if width == "full-width" else typed


FORM_CASES = [
    pytest.param(
        kind,
        written(shape, separator, width),
        context,
        id=f"{kind}-{shape_name}-{separator_name}-{width}-{context_name}",
    )
    for (kind, shape_name), shape in SHAPES.items()
    for separator_name, separator in SEPARATORS.items()
    for width in ("ascii", "full-width")
    for context_name, context in CONTEXTS.items()
]


@pytest.mark.parametrize(("kind", "typed", "context"), FORM_CASES)
def test_personal_data_is_found_however_it_is_written(kind, typed, context):
    text = context.replace("{x}", typed)
    findings = scan(text)
    # AB.1234.5678.CD is also a host name to X (.cd): the link warning may stand beside the block.
    assert [(f.kind, f.severity) for f in findings if f.kind != "link_domain"] == [(kind, "block")], text
    [finding] = [f for f in findings if f.severity == "block"]
    assert text[finding.start : finding.end] == typed == finding.excerpt


@pytest.mark.parametrize(
    "typed",
    [
        "AB12345678CD",
        "ab12345678cd",
        "ＡＢ　１２３４５６７８　ＣＤ",
        "AB-1234-5678-CD",
        "AB 1234 5678 CD",
        "ＡＢー１２３４ー５６７８ーＣＤ",
        "AB.1234.5678.CD",
    ],
)
def test_the_residence_card_forms_of_the_issue(typed):
    text = f"申請人の在留カード番号は{typed}です"
    assert [(f.kind, f.excerpt) for f in scan(text) if f.severity == "block"] == [("residence_card", typed)]


@pytest.mark.parametrize(
    "typed",
    [
        "(03)1234-5678",
        "03(1234)5678",
        "（０３）１２３４－５６７８",
        "+81 (0)3-1234-5678",
        "+81(0)90-1234-5678",
        "＋８１－９０－１２３４－５６７８",
        "0800-123-4567",
        "050-1234-5678",
        "04996-1-2345",
        "09012345678",
        "TEL090-1234-5678",
    ],
)
def test_more_written_forms_of_phone_numbers(typed):
    text = f"電話{typed}まで"
    [finding] = scan(text)
    assert finding.kind == "phone"
    assert text[finding.start : finding.end] == typed.removeprefix("TEL")


@pytest.mark.parametrize(
    "typed",
    [
        "taro.example@gmail.com",
        "ＴＡＲＯ．ＥＸＡＭＰＬＥ＠ＧＭＡＩＬ．ＣＯＭ",
        "hanako_2026@docomo.ne.jp",
        "kim+visa@outlook.jp",
        "Li.Wei88@Yahoo.co.jp",
        "09012345678@ezweb.ne.jp",
    ],
)
@pytest.mark.parametrize("context", ["メールは{x}です", "Email: {x}.", "（{x}）"])
def test_email_addresses_however_they_are_written(typed, context):
    text = context.replace("{x}", typed)
    [finding] = scan(text)
    assert finding.kind == "email"
    assert text[finding.start : finding.end] == typed


def test_offsets_point_at_the_typed_characters_after_text_that_normalises_longer():
    # ㍻ becomes 平成 and ｶﾞ becomes ガ under NFKC: offsets must still point into the typed text.
    typed = "ＡＢ－１２３４－５６７８－ＣＤ"
    text = f"㍻３１年ｶﾞｲﾄﾞ　在留カード{typed}。㈱ｻﾝﾌﾟﾙ ０９０ー１２３４ー５６７８"
    findings = scan(text)
    assert [(f.kind, text[f.start : f.end]) for f in findings] == [
        ("residence_card", typed),
        ("phone", "０９０ー１２３４ー５６７８"),
    ]


# --- what announcements are made of (§5, point 3) -------------------------------------------------

CLEAN = {
    "dates and times": [
        "2026年4月1日（水）",
        "令和8年4月1日",
        "令和８年４月１日（水）",
        "R8.4.1",
        "2026/04/01",
        "2026/4/1",
        "2026-04-01",
        "２０２６－０４－０１",
        "2026.4.1",
        "20260401",
        "4/1（水）",
        "4月1日(水)9:00～12:00",
        "9:00～12:00、13:00～16:00",
        "09:00-16:00",
        "13:00–16:00",
        "8時30分～17時15分",
        "９：００～１２：００",
        "April 1, 2026",
        "1 April 2026",
        "01/04/2026",
        "ngày 29/12/2026",
        "2026.04.01-2026.04.30",
        "2026/12/29～2027/1/3",
        "12/29–1/3",
        "2026-12-29 09:00",
        "2026年12月29日(火)から2027年1月3日(日)まで",
        "令和8年度（2026年度）",
        "平成31年4月30日",
        "2025-2026年度",
    ],
    "postal codes and addresses": [
        "〒100-8977 東京都千代田区霞が関1-1-1",
        "〒108-8255 東京都港区港南5-5-30",
        "〒060-0042",
        "〒０６０－００４２",
        "〒160-0004 東京都新宿区四谷1-6-1 四谷タワー13階",
        "〒559-0034 大阪市住之江区南港北1-29-53",
    ],
    "corporate numbers": [
        "法人番号 1000012030001",
        "法人番号：4000012040001",
        "（法人番号7000012050002）",
        "登録番号T1000012030001",
    ],
    "statute and notice numbers": [
        "出入国管理及び難民認定法（昭和26年政令第319号）",
        "入管法第19条の16",
        "入管法第22条の4第1項第5号",
        "令和5年法律第56号",
        "平成2年法務省告示第132号",
        "昭和56年法務省令第54号",
        "Act No. 56 of 2023",
        "Article 22-4, paragraph 1, item 5",
    ],
    "counts and amounts": [
        "12,345人",
        "3,956,619人",
        "¥3,000",
        "3,000円",
        "￥１，６００",
        "6,000円分の収入印紙",
        "1万2,345件",
        "前年比12.4%増",
        "US$30",
        "R$ 150",
        "約3.5倍",
        "定員50名",
        "1,234,567,890円",
    ],
    "reference numbers": [
        "受付番号：2026-00123",
        "No.1234567",
        "NO.1234567",
        "№1234567",
        "No 1234567",
        "整理番号 A-0451",
        "公告第2026-15号",
        "案件番号：R8-0123",
        "問合せ番号 20260401-0012",
        "様式第34号",
        "管理番号ISA-2026-0412",
        "ref. 2026/0345",
        "受付番号 1234567890",
        "第2026-087号",
    ],
    "official URLs": [
        "https://www.moj.go.jp/isa/content/930004996.pdf",
        "https://laws.e-gov.go.jp/law/326CO0000000319",
        "https://www.moj.go.jp/isa/applications/procedures/16-1.html",
        "詳しくはwww.moj.go.jp/isa/をご覧ください",
        "https://www.moj.go.jp/isa/publications/press/0312345678.html",
        "https://www.isa.go.jp/en/",
        "ｈｔｔｐｓ：／／ｗｗｗ．ｍｏｊ．ｇｏ．ｊｐ／ｉｓａ／",
        "https://www.moj.go.jp/isa/?q=090-1234-5678",
    ],
    "other numbers": [
        "バージョン2.1.0",
        "写真（縦4cm×横3cm）",
        "台風10号",
        "3.14",
        "1-1-1",
        "No.1",
        "第1回",
        "2026-0401-0013",
    ],
}


@pytest.mark.parametrize(
    "text",
    [pytest.param(text, id=f"{category}: {text}") for category, texts in CLEAN.items() for text in texts],
)
def test_what_announcements_are_made_of_is_not_blocked(text):
    assert scan(text) == []
    assert scan(f"【お知らせ】{text}をご確認ください。") == []


def test_twelve_digits_with_a_valid_check_digit_in_another_grouping_are_not_a_my_number():
    # 8-4 is how an office writes a reference number (問合せ番号 20260401-0012), never a My Number.
    first = "20260401001"
    number = first + str(check_digit(first))
    assert scan(f"問合せ番号 {number[:8]}-{number[8:]}") == []
    assert scan(f"{number[:4]}-{number[4:8]} {number[8:]}") == []  # mixed separators
    assert [f.kind for f in scan(f"{number[:4]}-{number[4:8]}-{number[8:]}")] == ["my_number"]


def test_a_card_number_in_a_whole_announcement_is_found_among_its_dates_and_numbers():
    text = (
        "【お知らせ】令和8年12月29日（火）から令和9年1月3日（日）まで閉庁します。〒108-8255 東京都港区港南5-5-30。"
        "手数料4,000円。申請人 AB-1234-5678-CD。https://www.moj.go.jp/isa/ #在留資格"
    )
    assert [(f.kind, f.excerpt) for f in scan(text)] == [("residence_card", "AB-1234-5678-CD")]
