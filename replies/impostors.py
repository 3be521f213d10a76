"""Impersonation by handle and display name (§7; the rule as staff read it is in docs/architecture.md, moderation).

Both the handle and the display name are compared as skeletons
(``checks.confusables.compact``: TR39 confusables, full-width, case, look-alike
digits and separators folded), so ІММI_TOKYO, ΙΜΜΙ_ΤΟΚΥΟ, ＩＭＭＩ_ＴＯＫＹＯ and
IMMI_T0KYO all read as the official IMMI_TOKYO.

A handle imitates an official handle when, read as a skeleton, it is the
same, one edit away (a letter dropped, doubled, swapped or changed), or the
same words in another order or with claim words added (official, jp, info,
support …: immi_official_tokyo, tokyo_immi). A handle that merely contains an
official one inside a longer word (immi_tokyolover, ximmitokyo2) is not.

A display name imitates the agency when, read as a skeleton, it contains the
display name of an official account, an office's name in Japanese or English,
or the agency's full name (出入国在留管理庁, Immigration Services Agency); or
names the agency shortly (入管, ISA, 入国管理局, immigration) together with a
claim word (公式, official, 公式アカウント). A name that says it is not the
agency (非公式, unofficial, fan, ファン, parody) or names a profession
(行政書士, 弁護士, lawyer …) is left alone: residents, fans and the
professionals who help them name the agency without claiming to be it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from checks.confusables import compact, edit_distance, skeleton

# The agency's names that alone make a claim, and those that need a claim word beside them.
AGENCY_FULL_NAMES = (
    "出入国在留管理",
    "Immigration Services Agency",
    "Regional Immigration Services Bureau",
)
AGENCY_SHORT_NAMES = ("入管", "入国管理局", "入国管理", "Immigration", "ISA")
CLAIM_WORDS = ("公式", "official", "officiel", "oficial", "本物", "正式")
# A name that says it is not the agency, or names a profession: not a claim to be it.
NOT_A_CLAIM_WORDS = (
    "非公式",
    "unofficial",
    "notofficial",
    "非官方",
    "fan",
    "ファン",
    "parody",
    "パロディ",
    "bot",
    "行政書士",
    "弁護士",
    "司法書士",
    "社会保険労務士",
    "社労士",
    "事務所",
    "lawyer",
    "attorney",
    "solicitor",
    "consultant",
    "コンサル",
    "法律",
    "law",
    "支援",
    "ボランティア",
    "volunteer",
    "ngo",
    "npo",
    "研究",
    "watch",
    "ウォッチ",
    "まとめ",
)
# Words an impostor adds to an official handle to make it look more official.
HANDLE_CLAIM_WORDS = frozenset(
    compact(word)
    for word in (
        "official",
        "offical",
        "officia",
        "jp",
        "japan",
        "gov",
        "go",
        "info",
        "support",
        "help",
        "desk",
        "staff",
        "admin",
        "team",
        "real",
        "the",
        "koushiki",
        "kousiki",
        "center",
        "centre",
    )
)
# Words: runs of Latin letters and digits, or of kana and kanji ("ISA公式" is two words).
_TOKEN_RE = re.compile(r"[0-9a-z]+|[\u3040-\u30ff\u3400-\u9fff]+")


def _tokens(value: str) -> list[str]:
    """The words of a handle or a name, each as a skeleton ("IMMI_Tokyo" → ["lmml", "tokyo"])."""
    return [compact(token) for token in _TOKEN_RE.findall(skeleton(value))]


def _meaningful(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t not in HANDLE_CLAIM_WORDS and not t.isdigit()]


@dataclass(frozen=True)
class Official:
    handle: str
    names: tuple[str, ...]  # the account's display name, its office's names in Japanese and English


class Impostors:
    """The official handles and names, as skeletons, to hold authors against."""

    def __init__(self, officials: list[Official]) -> None:
        self.officials = officials

    @cached_property
    def _handles(self) -> list[tuple[str, str, list[str]]]:
        """(handle, its skeleton, its words) of each official account."""
        return [(o.handle, compact(o.handle), _tokens(o.handle)) for o in self.officials if o.handle]

    @cached_property
    def _long_names(self) -> dict[str, str]:
        """{skeleton: name} of every name that alone claims to be official."""
        names = {compact(name): name for o in self.officials for name in o.names if name}
        names.update({compact(name): name for name in AGENCY_FULL_NAMES})
        return {key: name for key, name in names.items() if len(key) >= 4}

    def handle_imitated(self, handle: str) -> str | None:
        """The official handle ``handle`` imitates, or None."""
        if not handle:
            return None
        mine = compact(handle)
        words = _tokens(handle)
        kept = _meaningful(words)
        for official, theirs, their_words in self._handles:
            if mine == theirs:
                return official
            if len(theirs) >= 5 and edit_distance(mine, theirs, limit=1) <= 1:
                return official
            if kept and sorted(kept) == sorted(_meaningful(their_words) or their_words):
                return official  # words swapped, or claim words added
            if kept and len(theirs) >= 5 and edit_distance("".join(kept), theirs, limit=1) <= 1:
                return official  # claim words added around a look-alike (immi_t0kyo_official)
        return None

    def name_imitated(self, name: str) -> str | None:
        """The official or agency name ``name`` claims, or None."""
        if not name:
            return None
        mine = compact(name)
        folded = name.casefold().replace(" ", "")
        if any(compact(word) in mine or word.casefold() in folded for word in NOT_A_CLAIM_WORDS):
            return None
        for key, official in self._long_names.items():
            if key in mine:
                return official
        words = _tokens(name)
        claims = any(compact(word) in mine for word in CLAIM_WORDS)
        if claims:
            for short in AGENCY_SHORT_NAMES:
                key = compact(short)
                # Latin short names must stand as a word (ISA, not "Lisa"); kanji ones anywhere.
                if (key in words) if short.isascii() else (key in mine):
                    return short
        return None
