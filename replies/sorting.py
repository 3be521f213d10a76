"""Sorting what the public writes against the nine prohibited acts of the policy (§7).

``sort_reply(...)`` reads one reply and says what it looks like: its findings
(each naming the category and the rule that found it), the category and risk
the queue shows first, and whether the system must hide it at once.

- Personal data (residence card, My Number, passport, phone, e-mail), found by
  ``checks.checks.scan`` as in the composer: hidden at once by the system.
- Phishing links (``checks.lookalike``: a host imitating an allow-listed one,
  user info before "@", a bare IP address, an app download): hidden at once.
  A link X shows as https://t.co/… is judged by where it leads (the URL
  entities the adapter reads), never fetched.
- Impersonation (``replies.impostors``): an author whose handle or display
  name imitates one of the official accounts or claims to be the agency,
  confusable characters included: high risk, for a person.
- Advertising and spam: links outside the allow-list, shorteners other than
  X's own t.co, and coordinated spam (``replies.coordinated``: the same text
  from several authors, or from one author on several accounts).
- Administrator word lists (WordList) per category: flag, or hide at once.
- IP infringement, tampering, off-topic and other: left to a person.

All matching runs on the NFKC-normalised text (``checks.normalisation``);
offsets point into the text as written. Code that sorts many replies reads the
administered lists once inside ``SortingRules()`` and ``checks.rules_pinned()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from accounts.models import SocialAccount
from accounts.platforms.base import ReplyLink
from checks import checks, normalisation
from replies.categories import ProhibitedAct
from replies.impostors import Impostors, Official
from replies.models import Reply, WordList

Risk = Reply.Risk

PERSONAL_DATA_KINDS = frozenset({"residence_card", "passport", "my_number", "phone", "email"})

PHISHING_KINDS = frozenset({checks.PHISHING})
LINK_KINDS = frozenset({checks.PHISHING, "url_shortener", "link_domain"})


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
    def _official(self) -> list[tuple[str, str, str, str, str]]:
        return list(
            SocialAccount.objects.values_list(
                "handle", "display_name", "platform_id", "office__name_ja", "office__name_en"
            )
        )

    @cached_property
    def official_handles(self) -> frozenset[str]:
        return frozenset(row[0].casefold() for row in self._official)

    @cached_property
    def official_ids(self) -> frozenset[str]:
        return frozenset(row[2] for row in self._official if row[2])

    @cached_property
    def impostors(self) -> Impostors:
        return Impostors(
            [Official(handle=handle, names=(name, ja, en)) for handle, name, _id, ja, en in self._official]
        )

    @cached_property
    def word_lists(self) -> list[tuple[int, str, str, list[str]]]:
        return [(wl.pk, wl.category, wl.action, wl.word_set()) for wl in WordList.objects.filter(enabled=True)]

    def is_official(self, *, author_id: str, author_handle: str) -> bool:
        return (bool(author_id) and author_id in self.official_ids) or (
            bool(author_handle) and author_handle.casefold() in self.official_handles
        )


def _impersonation(author_handle: str, author_name: str, rules: SortingRules) -> dict | None:
    official = rules.impostors.handle_imitated(author_handle)
    if official:
        return _finding(
            "impersonation_handle",
            ProhibitedAct.IMPERSONATION,
            f"impersonation:{official}",
            excerpt=author_handle,
            severity=checks.BLOCK,
        )
    official = rules.impostors.name_imitated(author_name)
    if official:
        return _finding(
            "impersonation_name",
            ProhibitedAct.IMPERSONATION,
            f"impersonation:{official}",
            excerpt=author_name,
            severity=checks.BLOCK,
        )
    return None


def _link_finding(kind: str, detail: str, *, start: int, end: int, excerpt: str, destination: str = "") -> dict:
    if kind == checks.PHISHING:
        finding = _finding(
            kind,
            ProhibitedAct.ILLEGAL,
            f"phishing:{detail}",
            start=start,
            end=end,
            excerpt=excerpt,
            severity=checks.BLOCK,
        )
    elif kind == "url_shortener":
        finding = _finding(
            kind, ProhibitedAct.ADVERTISING, "advertising:shortener", start=start, end=end, excerpt=excerpt
        )
    else:
        finding = _finding(
            kind, ProhibitedAct.ADVERTISING, "advertising:link_domain", start=start, end=end, excerpt=excerpt
        )
    if destination:
        finding["destination"] = destination
    return finding


_LINK_RISK = {checks.PHISHING: Risk.HIGH, "url_shortener": Risk.MEDIUM, "link_domain": Risk.LOW}


def _add_link(result: SortedReply, finding: dict) -> None:
    # §7 and docs/architecture.md, moderation: a phishing link is hidden at once, like personal data.
    result.add(finding, risk=_LINK_RISK[finding["kind"]], hide=finding["kind"] == checks.PHISHING)


def _destination_findings(links: Iterable[ReplyLink]) -> Iterator[dict]:
    """Each link the platform reported, judged by where it leads (expanded_url, and unwound_url when X gave one).

    Where the two disagree the worse judgement stands: a harmless-looking
    address that X found leads to a phishing page is a phishing link.
    """
    for link in links:
        judged = [
            (_LINK_RISK[found[0]], found, destination)
            for destination in dict.fromkeys(u for u in (link.expanded_url, link.unwound_url) if u)
            if (found := checks.link_judgement(destination)) is not None
        ]
        if not judged:
            continue
        _risk, (kind, detail), destination = max(judged, key=lambda j: j[0])
        excerpt = link.url if link.end > link.start else destination
        yield _link_finding(kind, detail, start=link.start, end=link.end, excerpt=excerpt, destination=destination)


def coordinated_finding(text: str) -> dict:
    """The finding every copy of coordinated spam carries (replies.coordinated)."""
    return _finding(
        "repeated_text", ProhibitedAct.ADVERTISING, "advertising:coordinated", end=len(text), excerpt=text[:100]
    )


def sort_reply(
    *,
    text: str,
    author_id: str = "",
    author_handle: str = "",
    author_name: str = "",
    account_id: int | None = None,
    external_id: str = "",
    links: Iterable[ReplyLink] = (),
    coordinated: bool = False,
    rules: SortingRules | None = None,
) -> SortedReply:
    """What ``text`` and its author look like under §7.

    ``links`` are the platform's own account of the links (X's URL entities):
    a link the text shows as https://t.co/… is judged by where it leads, and
    the console never fetches it. ``coordinated`` says that the same text came
    from several authors or accounts (replies.coordinated, asked by listening).
    """
    rules = rules or SortingRules()
    result = SortedReply()
    if rules.is_official(author_id=author_id, author_handle=author_handle):
        return result  # one of our own accounts
    links = tuple(links)
    placed = [(link.start, link.end) for link in links if link.end > link.start]

    for f in checks.scan(text):
        if f.kind in LINK_KINDS:
            if any(f.start < end and start < f.end for start, end in placed):
                continue  # judged by its destination below
            _add_link(result, _link_finding(f.kind, f.detail, start=f.start, end=f.end, excerpt=f.excerpt))
        elif f.kind in PERSONAL_DATA_KINDS:
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

    for finding in _destination_findings(links):
        _add_link(result, finding)

    impostor = _impersonation(author_handle, author_name, rules)
    if impostor is not None:
        result.add(impostor, risk=Risk.HIGH)

    if coordinated:
        result.add(coordinated_finding(text), risk=Risk.MEDIUM)

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
