"""Recognisers for the personal data a post must never carry (§5; policy §7.1).

They read text normalised by ``checks.normalisation.for_matching``: ASCII
letters and digits (full-width ones are folded), every dash as "-", every
space as " ". Between the groups of a number people type a space, a hyphen
(with or without spaces around it), a dot, or nothing; numbers stand inside
Japanese text without spaces (「在留カードAB-1234-5678-CDを」).

Residents of many countries write to the accounts (§7): a passport number of
any country is found when the text names a passport just before it (旅券,
パスポート, passport, 护照, hộ chiếu, pasaporte …); an e-mail address is found
also when written as taro[at]example[dot]com or with a full-width ＠; a
12-digit number the text calls a tracking, order or reference number is not
taken for a My Number.

Precision matters as much as recall: the same recognisers sort the public's
replies (§7), and a check that blocks the dates, postal codes and amounts of
every announcement is a check staff learn to work around. So each shape is
exact — fixed digit counts, the My Number check digit — and a number must
stand alone: not glued to letters or digits, and not one group of a longer
hyphenated or dotted number (2026-0401-…, 1.0312…).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

RESIDENCE_CARD = "residence_card"
MY_NUMBER = "my_number"
PASSPORT = "passport"
PHONE = "phone"
EMAIL = "email"


@dataclass(frozen=True)
class Match:
    kind: str
    start: int  # offsets into the normalised text, end exclusive
    end: int
    key: str  # the canonical form: digits for numbers, lowercase for e-mail addresses


# \b treats kana and kanji as word characters, so 「カードAB12345678CDを」 would
# not match with \b. Bound numbers by ASCII letters and digits only.
_NOT_AFTER_ALNUM = r"(?<![A-Za-z0-9])"
_NOT_BEFORE_ALNUM = r"(?![A-Za-z0-9])"
# Not a group of a longer hyphenated or dotted number (2026-0312-…, 1.0312…).
_NOT_AFTER_NUMBER_PART = r"(?<![0-9][-.])"
_NOT_BEFORE_NUMBER_PART = r"(?! ?[-.] ?[0-9])"
# Between groups: a hyphen or dot (optionally spaced), a single space, or nothing.
_SEP = r"(?: ?[-.] ?| )?"
# A phone number may follow its label without a space (TEL03-1234-5678).
_AFTER_PHONE_LABEL = r"(?:(?<![A-Za-z0-9])|(?<=[Tt][Ee][Ll])|(?<=[Ff][Aa][Xx]))"
# Phone groups may also be bracketed: 03(1234)5678, (03)1234-5678.
_PSEP = r"(?: ?[-.()] ?| )?"

# 在留カード: two letters, eight digits (whole or 4-4), two letters.
_RESIDENCE_CARD_RE = re.compile(
    _NOT_AFTER_ALNUM
    + rf"[A-Z]{{2}}{_SEP}(?:[0-9]{{8}}|[0-9]{{4}}{_SEP}[0-9]{{4}}){_SEP}[A-Z]{{2}}"
    + _NOT_BEFORE_ALNUM,
    re.IGNORECASE,
)
# 旅券: two letters and seven digits. "No.1234567" is how offices write a
# reference number, and no passport series is "NO", so that one is left alone.
_PASSPORT_RE = re.compile(
    _NOT_AFTER_ALNUM + rf"(?!no{_SEP}[0-9])[A-Z]{{2}}{_SEP}[0-9]{{7}}" + _NOT_BEFORE_ALNUM + _NOT_BEFORE_NUMBER_PART,
    re.IGNORECASE,
)
# 個人番号: twelve digits, whole or grouped 4-4-4 with one separator
# throughout. Other groupings are the office's own numbers (問合せ番号
# 20260401-0012), and so are groups of a longer number (a 16-digit number
# written 4 4 4 4).
_MY_NUMBER_RE = re.compile(
    _NOT_AFTER_ALNUM
    + r"(?<![0-9][-. ])"
    + r"[0-9]{4}(?:(?P<sep> ?[-.] ?| )[0-9]{4}(?P=sep)|[0-9]{4})[0-9]{4}"
    + _NOT_BEFORE_ALNUM
    + r"(?! ?[-. ] ?[0-9])"
)

# Japanese numbers after the trunk "0". Every shape has a fixed digit count,
# so dates (2026-11-28), times and postal codes (100-0013) never fit.
_NATIONAL = "|".join(
    [
        rf"[5789]0{_PSEP}[0-9]{{4}}{_PSEP}[0-9]{{4}}",  # 050 IP, 070/080/090 mobile: 11 digits
        rf"800{_PSEP}[0-9]{{3}}{_PSEP}[0-9]{{4}}",  # 0800 free dial: 11 digits
        rf"(?:120|570){_PSEP}(?:[0-9]{{3}}{_PSEP}[0-9]{{3}}|[0-9]{{2}}{_PSEP}[0-9]{{4}})",  # 0120 / 0570: 10 digits
        # Fixed lines: 10 digits, area code of 2 to 5 digits including the 0.
        rf"[1-9]{_PSEP}[0-9]{{4}}{_PSEP}[0-9]{{4}}",
        rf"[1-9][0-9]{_PSEP}[0-9]{{3}}{_PSEP}[0-9]{{4}}",
        rf"[1-9][0-9]{{2}}{_PSEP}[0-9]{{2}}{_PSEP}[0-9]{{4}}",
        rf"[1-9][0-9]{{3}}{_PSEP}[0-9]{_PSEP}[0-9]{{4}}",
    ]
)
_PHONE_RE = re.compile(
    r"(?:"
    + _AFTER_PHONE_LABEL
    + r"(?P<international>\+81 ?[-.]? ?(?:\(0\) ?)?)"  # +81-3-…, +81 (0)90-…
    + r"|"
    + _AFTER_PHONE_LABEL
    + r"(?<!\+)"
    + _NOT_AFTER_NUMBER_PART
    + r"(?:\((?=0[0-9]{1,4}\)))?0"
    + r")(?P<national>"
    + _NATIONAL
    + r")"
    + _NOT_BEFORE_ALNUM
    + _NOT_BEFORE_NUMBER_PART
)

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
    r"(?![A-Za-z0-9-])"
)

# An address written to dodge recognisers: taro[at]example[dot]com, taro (at) example.com, taro アットマーク example.com.
_AT = r"(?:\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|【\s*at\s*】|<\s*at\s*>)\s*|\s*(?:アットマーク|あっとまーく|アット)\s*)"
_DOT = r"(?:\.|\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|【\s*dot\s*】)\s*|\s+dot\s+|\s*(?:ドット|どっと)\s*)"
_SPELT_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])(?P<local>[A-Za-z0-9._%+-]+)"
    + _AT
    + rf"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?{_DOT})+[A-Za-z]{{2,}})"
    + r"(?![A-Za-z0-9-])",
    re.IGNORECASE,
)
_SPELT_DOT_RE = re.compile(_DOT, re.IGNORECASE)

# Passports of every country (§7.1, residents of many countries): a number of 6 to 9 digits,
# after up to three letters and before at most one, counts only when the text names a passport
# just before it. Japanese passports (two letters, seven digits) are found without the word.
_PASSPORT_WORDS = (
    "旅券|パスポート|passport|passeport|护照|護照|hộ chiếu|ho chieu|pasaporte|passaporte|pasaport|paspor|"
    "여권|राहदानी|หนังสือเดินทาง|ပတ်စ်ပို့"
)
_FOREIGN_PASSPORT_RE = re.compile(
    rf"(?:{_PASSPORT_WORDS})[^0-9\n]{{0,25}}?"
    + _NOT_AFTER_ALNUM
    + r"(?P<number>[A-Z]{0,3}[0-9]{6,9}[A-Z]?)"
    + _NOT_BEFORE_ALNUM
    + _NOT_BEFORE_NUMBER_PART,
    re.IGNORECASE,
)
# A 12-digit number the text calls a tracking, order or reference number is not a My Number,
# unless the text says it is one.
_NOT_MY_NUMBER_CONTEXT_RE = re.compile(
    r"追跡|伝票|問い?合わ?せ番号|お問合せ番号|注文|受付番号|整理番号|申請番号|予約番号|管理番号|荷物|配達|"
    r"tracking|track|order|reference|ref\b|parcel|package|shipment|invoice|booking|"
    r"快递|单号|订单|運單|mã vận đơn|vận đơn|đơn hàng|mã đơn|número de pedido|pedido|rastreio|rastreamento|"
    r"seguimiento|orden|송장|주문|운송장",
    re.IGNORECASE,
)
_MY_NUMBER_CONTEXT_RE = re.compile(r"マイナンバー|個人番号|my ?number|individual number", re.IGNORECASE)
_DATE_RE = re.compile(r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])")
_CONTEXT = 30  # characters read before a number for what the text calls it

_NOT_DIGIT_RE = re.compile(r"[^0-9]")
_DIGIT_RE = re.compile(r"[0-9]")
_NOT_ALNUM_RE = re.compile(r"[^0-9A-Za-z]")


def my_number_check_digit(first_eleven: str) -> int:
    """The check digit of a My Number (個人番号) from its first 11 digits."""
    # P_n is the n-th digit counted from the right of the 11; Q_n = n+1 (n ≤ 6), n-5 (n ≥ 7).
    total = 0
    for n, digit in enumerate(reversed(first_eleven), start=1):
        total += int(digit) * (n + 1 if n <= 6 else n - 5)
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def _digits(text: str) -> str:
    return _NOT_DIGIT_RE.sub("", text)


def _phone_key(match: re.Match[str]) -> str:
    # +81 3 5796 7112 and 03-5796-7112 are the same number: the key is the national form.
    return "0" + _digits(match.group("national"))


def phone_key(normalised: str) -> str | None:
    """The national digits of a phone number written alone, or None when it is not one."""
    match = _PHONE_RE.fullmatch(normalised.strip())
    return _phone_key(match) if match else None


def email_key(normalised: str) -> str | None:
    """The address in lowercase, when the whole text is one e-mail address."""
    value = normalised.strip()
    return value.lower() if _EMAIL_RE.fullmatch(value) else None


def find(text: str) -> Iterator[Match]:
    """Every piece of personal data in normalised ``text``, kind by kind (overlaps included)."""
    if _DIGIT_RE.search(text):
        for match in _RESIDENCE_CARD_RE.finditer(text):
            yield Match(RESIDENCE_CARD, *match.span(), _NOT_ALNUM_RE.sub("", match.group()).upper())
        for match in _PASSPORT_RE.finditer(text):
            yield Match(PASSPORT, *match.span(), _NOT_ALNUM_RE.sub("", match.group()).upper())
        for match in _FOREIGN_PASSPORT_RE.finditer(text):
            if _DATE_RE.fullmatch(match.group("number")):
                continue  # パスポート期限 20270331: a date, not a number
            yield Match(PASSPORT, *match.span("number"), match.group("number").upper())
        for match in _MY_NUMBER_RE.finditer(text):
            digits = _digits(match.group())
            # Only a valid check digit: most 12-digit numbers (order numbers, ids) are not My Numbers.
            if my_number_check_digit(digits[:11]) != int(digits[11]):
                continue
            before = text[max(0, match.start() - _CONTEXT) : match.start()]
            if _NOT_MY_NUMBER_CONTEXT_RE.search(before) and not _MY_NUMBER_CONTEXT_RE.search(before):
                continue  # the text says what the number is: a parcel, an order, a reference
            yield Match(MY_NUMBER, *match.span(), digits)
        for match in _PHONE_RE.finditer(text):
            yield Match(PHONE, *match.span(), _phone_key(match))
    if "@" in text:
        for match in _EMAIL_RE.finditer(text):
            yield Match(EMAIL, *match.span(), match.group().lower())
    lowered = text.lower()
    if "at" in lowered or "アット" in text or "あっと" in text:
        for match in _SPELT_EMAIL_RE.finditer(text):
            domain = _SPELT_DOT_RE.sub(".", match.group("domain"))
            if "@" not in match.group() and "." in domain:
                yield Match(EMAIL, *match.span(), f"{match.group('local')}@{domain}".lower())
