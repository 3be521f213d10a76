"""Sorting what the public writes against the nine prohibited acts of the policy (§7).

``sort_reply(...)`` reads one reply and says what it looks like: its findings
(each naming the category and the rule that found it), the category and risk
the queue shows first, and whether the system must hide it at once.

- Personal data (residence card, My Number, passport, phone, e-mail), found by
  ``checks.checks.scan`` as in the composer: hidden at once by the system.
- Impersonation: an author whose handle or display name imitates one of the
  official accounts, confusable characters included (IMMI_T0KYO, ІММI_TOKYO,
  東京出入国在留管理局 in a stranger's name): high risk, for a person.
- Advertising and spam: links outside the allow-list, shorteners, and the same
  text from one author on several accounts.
- Administrator word lists (WordList) per category: flag, or hide at once.
- IP infringement, tampering, off-topic and other: left to a person.

All matching runs on the NFKC-normalised text (``checks.normalisation``);
offsets point into the text as written. Code that sorts many replies reads the
administered lists once inside ``SortingRules()`` and ``checks.rules_pinned()``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from accounts.models import SocialAccount
from checks import checks, normalisation
from checks.models import text_digest
from replies.categories import ProhibitedAct
from replies.models import Reply, WordList

Risk = Reply.Risk

PERSONAL_DATA_KINDS = frozenset({"residence_card", "passport", "my_number", "phone", "email"})

# Characters people use to imitate Latin letters in a handle (digits, Cyrillic and Greek look-alikes).
_CONFUSABLE = str.maketrans(
    {
        "0": "o",
        "1": "l",
        "i": "l",
        "|": "l",
        "!": "l",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "9": "g",
        "$": "s",
        "@": "a",
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "х": "x",
        "у": "y",
        "і": "l",
        "ј": "j",
        "к": "k",
        "м": "m",
        "т": "t",
        "в": "b",
        "н": "h",
        "α": "a",
        "ο": "o",
        "ι": "l",
        "κ": "k",
        "μ": "m",
        "ν": "v",
        "τ": "t",
        "ρ": "p",
    }
)
_SEPARATORS_RE = re.compile(r"[\s_\-.・･·]+")
# Kanji people swap in to imitate the official names (入 and 人 look alike at a glance).
_KANJI_CONFUSABLE = str.maketrans({"人": "入", "監": "管", "菅": "管"})
# Any display name carrying the agency's words is an official one or an impostor.
AGENCY_WORDS = ("出入国在留管理", "入国管理局", "入国管理センター")


def handle_skeleton(value: str) -> str:
    """What a handle looks like: NFKC, case folded, confusables mapped, separators gone."""
    text = unicodedata.normalize("NFKC", value).casefold()
    text = text.translate(_CONFUSABLE)
    text = _SEPARATORS_RE.sub("", text)
    return text.replace("rn", "m").replace("vv", "w")


def name_skeleton(value: str) -> str:
    """What a display name looks like: NFKC, no spaces, confusable kanji mapped."""
    text = unicodedata.normalize("NFKC", value)
    return _SEPARATORS_RE.sub("", text).translate(_KANJI_CONFUSABLE)


@dataclass
class SortedReply:
    findings: list[dict] = field(default_factory=list)
    category: str = ""
    risk: int = Risk.NONE
    hide_rule: str = ""  # set when the system hides the reply at once: the rule that did it
    hide_finding: dict | None = None

    @property
    def needs_review(self) -> bool:
        return bool(self.findings)

    def add(self, finding: dict, *, risk: int, hide: bool = False) -> None:
        self.findings.append(finding)
        if hide and not self.hide_rule:
            finding["hides"] = True
            self.hide_rule = finding["rule"]
            self.hide_finding = finding
            self.category = finding["category"]
        if risk > self.risk:
            self.risk = risk
            if not self.hide_rule:
                self.category = finding["category"]
        elif not self.category:
            self.category = finding["category"]


def _finding(
    kind: str, category: str, rule: str, *, start: int = 0, end: int = 0, excerpt: str = "", severity: str = checks.WARN
) -> dict:
    return {
        "kind": kind,
        "category": category,
        "rule": rule,
        "severity": severity,
        "start": start,
        "end": end,
        "excerpt": excerpt,
    }


class SortingRules:
    """The official accounts and the word lists, read once for every reply sorted with this object."""

    @cached_property
    def _official(self) -> list[tuple[str, str, str]]:
        return list(SocialAccount.objects.values_list("handle", "display_name", "platform_id"))

    @cached_property
    def official_handles(self) -> frozenset[str]:
        return frozenset(handle.casefold() for handle, _name, _id in self._official)

    @cached_property
    def official_ids(self) -> frozenset[str]:
        return frozenset(platform_id for _h, _n, platform_id in self._official if platform_id)

    @cached_property
    def handle_skeletons(self) -> dict[str, str]:
        return {handle_skeleton(handle): handle for handle, _name, _id in self._official}

    @cached_property
    def names(self) -> dict[str, str]:
        found = {name_skeleton(name): name for _handle, name, _id in self._official if name}
        found.update({name_skeleton(word): word for word in AGENCY_WORDS})
        return found

    @cached_property
    def word_lists(self) -> list[tuple[int, str, str, list[str]]]:
        return [(wl.pk, wl.category, wl.action, wl.word_set()) for wl in WordList.objects.filter(enabled=True)]

    def is_official(self, *, author_id: str, author_handle: str) -> bool:
        return (bool(author_id) and author_id in self.official_ids) or (
            bool(author_handle) and author_handle.casefold() in self.official_handles
        )


def _impersonation(author_handle: str, author_name: str, rules: SortingRules) -> dict | None:
    if author_handle:
        skeleton = handle_skeleton(author_handle)
        for official_skeleton, official in rules.handle_skeletons.items():
            if official_skeleton and official_skeleton in skeleton:
                return _finding(
                    "impersonation_handle",
                    ProhibitedAct.IMPERSONATION,
                    f"impersonation:{official}",
                    excerpt=author_handle,
                    severity=checks.BLOCK,
                )
    if author_name:
        skeleton = name_skeleton(author_name)
        for official_skeleton, official in rules.names.items():
            if official_skeleton and official_skeleton in skeleton:
                return _finding(
                    "impersonation_name",
                    ProhibitedAct.IMPERSONATION,
                    f"impersonation:{official}",
                    excerpt=author_name,
                    severity=checks.BLOCK,
                )
    return None


def _repeated_elsewhere(*, text: str, author_id: str, account_id: int | None, external_id: str) -> bool:
    """The same text from the same author already arrived on another account."""
    if not author_id:
        return False
    return (
        Reply.objects.filter(author_id=author_id, text_digest=text_digest(text))
        .exclude(account_id=account_id)
        .exclude(external_id=external_id)
        .exists()
    )


def sort_reply(
    *,
    text: str,
    author_id: str = "",
    author_handle: str = "",
    author_name: str = "",
    account_id: int | None = None,
    external_id: str = "",
    rules: SortingRules | None = None,
) -> SortedReply:
    rules = rules or SortingRules()
    result = SortedReply()
    if rules.is_official(author_id=author_id, author_handle=author_handle):
        return result  # one of our own accounts

    for f in checks.scan(text):
        if f.kind in PERSONAL_DATA_KINDS:
            result.add(
                _finding(
                    f.kind,
                    ProhibitedAct.PERSONAL_DATA,
                    f"personal_data:{f.kind}",
                    start=f.start,
                    end=f.end,
                    excerpt=f.excerpt,
                    severity=checks.BLOCK,
                ),
                risk=Risk.HIGH,
                hide=True,
            )
        elif f.kind == "url_shortener":
            result.add(
                _finding(
                    f.kind,
                    ProhibitedAct.ADVERTISING,
                    "advertising:shortener",
                    start=f.start,
                    end=f.end,
                    excerpt=f.excerpt,
                ),
                risk=Risk.MEDIUM,
            )
        elif f.kind == "link_domain":
            result.add(
                _finding(
                    f.kind,
                    ProhibitedAct.ADVERTISING,
                    "advertising:link_domain",
                    start=f.start,
                    end=f.end,
                    excerpt=f.excerpt,
                ),
                risk=Risk.LOW,
            )

    impostor = _impersonation(author_handle, author_name, rules)
    if impostor is not None:
        result.add(impostor, risk=Risk.HIGH)

    if _repeated_elsewhere(text=text, author_id=author_id, account_id=account_id, external_id=external_id):
        result.add(
            _finding(
                "repeated_text",
                ProhibitedAct.ADVERTISING,
                "advertising:same_text_elsewhere",
                end=len(text),
                excerpt=text[:100],
            ),
            risk=Risk.MEDIUM,
        )

    if rules.word_lists:
        norm = normalisation.for_matching(text)
        folded = norm.text.casefold()
        # casefold can change lengths (ß → ss); offsets then fall back to the whole text.
        same_length = len(folded) == len(norm.text)
        for list_id, category, action, words in rules.word_lists:
            for word in words:
                position = folded.find(word) if word else -1
                if position < 0:
                    continue
                start, end = norm.span(position, position + len(word)) if same_length else (0, len(text))
                hide = action == WordList.Action.HIDE
                result.add(
                    _finding(
                        "word_list",
                        category,
                        f"word_list:{list_id}",
                        start=start,
                        end=end,
                        excerpt=text[start:end],
                        severity=checks.BLOCK if hide else checks.WARN,
                    ),
                    risk=Risk.HIGH if hide else Risk.MEDIUM,
                    hide=hide,
                )
                break
    result.findings.sort(key=lambda f: (f["start"], f["end"], f["kind"]))
    return result
