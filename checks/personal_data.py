"""Recognisers for the personal data a post must never carry (§5; policy §7.1).

They read text normalised by ``checks.normalisation.for_matching``: ASCII
letters and digits (full-width ones are folded), every dash as "-", every
space as " ". Between the groups of a number people type a space, a hyphen
(with or without spaces around it), a dot, or nothing; numbers stand inside
Japanese text without spaces (「在留カードAB-1234-5678-CDを」).

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
        for match in _MY_NUMBER_RE.finditer(text):
            digits = _digits(match.group())
            # Only a valid check digit: most 12-digit numbers (order numbers, ids) are not My Numbers.
            if my_number_check_digit(digits[:11]) == int(digits[11]):
                yield Match(MY_NUMBER, *match.span(), digits)
        for match in _PHONE_RE.finditer(text):
            yield Match(PHONE, *match.span(), _phone_key(match))
    if "@" in text:
        for match in _EMAIL_RE.finditer(text):
            yield Match(EMAIL, *match.span(), match.group().lower())
