"""Content checks run on a post's text before it can be submitted and again before it goes out (§5).

``scan(text)`` returns every finding, sorted by position. A finding of
severity "block" stops the post (personal data, shortened links); "warn"
asks a person to look again (links outside the allow-list, duplicates).

``official_contacts(text)`` returns the agency's own phone numbers and e-mail
addresses in the text (administered as OfficialContact): they are shown as
information, never as findings, for nearly every announcement ends with one.

Matching runs on a normalised copy of the text (``checks.normalisation``)
so that full-width input (０９０－１２３４－５６７８, ＡＢ　１２３４５６７８　ＣＤ) and
every dash are caught like ASCII, but every offset reported points into the
text as typed. The recognisers themselves are in ``checks.personal_data``
and ``checks.links``; links are found with the recogniser X's length
counter uses, on the text as X reads it and on the normalised copy, so every
span X counts as a URL is held against the allow-list.

The administered lists (allowed link domains, official contacts) are read
when a text needs them, so most scans need no query and an administrator's
change applies to the next scan. Code that scans many texts in a row (the
benchmark, sorting replies) reads them once with ``with rules_pinned():``.
"""

import contextlib
import contextvars
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from checks import lookalike, normalisation, personal_data
from checks.links import other_url_spans, x_url_spans
from checks.models import AllowedLinkDomain, OfficialContact, PublishedText, text_digest
from checks.personal_data import my_number_check_digit  # noqa: F401 - part of this module's interface

BLOCK = "block"
WARN = "warn"


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str  # BLOCK or WARN
    start: int  # offsets into the text as typed, end exclusive
    end: int
    message: str
    excerpt: str
    detail: str = ""  # for a phishing link: the rule that found it (checks.lookalike)


@dataclass(frozen=True)
class OfficialMatch:
    """One of the agency's own contact details, where it stands in the text as typed."""

    kind: str  # "phone" or "email"
    start: int
    end: int
    excerpt: str
    listed_as: str  # the administered entry it matched, as published (0570-013904, moj.go.jp)
    note: str
    note_en: str = ""

    @property
    def note_shown(self) -> str:
        """The note in the reader's language; the Japanese one when no English was entered."""
        english = (get_language() or "ja").split("-")[0] == "en"
        return self.note_en if english and self.note_en else self.note


def _finding(text: str, kind: str, severity: str, start: int, end: int) -> Finding:
    excerpt = text[start:end]
    return Finding(
        kind=kind, severity=severity, start=start, end=end, excerpt=excerpt, message=finding_message(kind, excerpt)
    )


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.severity == BLOCK for f in findings)


# ---------------------------------------------------------------------------
# The administered lists
# ---------------------------------------------------------------------------


class _Rules:
    """The allow-list and the official contacts, each read from the database on first use."""

    def __init__(self):
        # Inside rules_pinned(), a text is inspected once however many accounts preview it.
        self.inspected: dict[str, _Result] = {}

    @cached_property
    def allowed_domains(self) -> tuple[str, ...]:
        return tuple(AllowedLinkDomain.objects.values_list("domain", flat=True))

    @cached_property
    def _official(self) -> dict[str, dict[str, tuple[str, str, str]]]:
        by_kind: dict[str, dict[str, tuple[str, str, str]]] = {kind: {} for kind in OfficialContact.Kind.values}
        contacts = OfficialContact.objects.values_list("kind", "key", "value", "note", "note_en")
        for kind, key, value, note, note_en in contacts:
            by_kind[kind][key] = (value, note, note_en)
        return by_kind

    @property
    def official_phones(self) -> dict[str, tuple[str, str, str]]:
        return self._official[OfficialContact.Kind.PHONE]

    @property
    def official_emails(self) -> dict[str, tuple[str, str, str]]:
        return self._official[OfficialContact.Kind.EMAIL]

    @property
    def official_email_domains(self) -> dict[str, tuple[str, str, str]]:
        return self._official[OfficialContact.Kind.EMAIL_DOMAIN]


_pinned_rules: contextvars.ContextVar[_Rules | None] = contextvars.ContextVar("pinned_rules", default=None)


@contextlib.contextmanager
def rules_pinned() -> Iterator[None]:
    """Read the allow-list and the official contacts at most once for every scan inside the block.

    Each list is still read only when a text first needs it. Nested blocks share the outer one's.
    """
    if _pinned_rules.get() is not None:
        yield
        return
    token = _pinned_rules.set(_Rules())
    try:
        yield
    finally:
        _pinned_rules.reset(token)


def _rules() -> _Rules:
    return _pinned_rules.get() or _Rules()


# ---------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------

# Link shorteners hide where a link goes; the government's SNS guideline
# forbids them (§5). A subdomain (www.bit.ly) counts as the shortener.
SHORTENER_DOMAINS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "bit.do",
        "t.co",
        "tinyurl.com",
        "ow.ly",
        "is.gd",
        "v.gd",
        "buff.ly",
        "goo.gl",
        "x.gd",
        "t.ly",
        "cutt.ly",
        "rebrand.ly",
        "lnkd.in",
        "amzn.to",
        "amzn.asia",
        "j.mp",
        "tiny.cc",
        "shorturl.at",
        "rb.gy",
        "s.id",
        "bl.ink",
        "tiny.one",
        "dlvr.it",
        "ift.tt",
        "trib.al",
        "t.cn",
        "adf.ly",
        "shorte.st",
        "tr.im",
        "cli.gs",
        "po.st",
        "u.nu",
        "qr.net",
        "soo.gd",
        "clck.ru",
        "fb.me",
    }
)


def _link_host(link: str) -> str:
    # Only a leading http(s):// is a scheme; "://" further on is part of the path (…/?u=http://…).
    if not link[:8].lower().startswith(("http://", "https://")):
        link = "http://" + link
    try:
        host = urlsplit(link).hostname or ""
    except ValueError:  # e.g. a malformed IPv6 literal
        return ""
    return host.lower().rstrip(".")


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


@dataclass(frozen=True)
class _Link:
    start: int  # in the text as typed
    end: int
    host: str
    link: str  # as written, NFKC


def _links(text: str, norm: normalisation.Normalised) -> list[_Link]:
    """Every link in ``text``, offsets into the text as typed.

    Read twice with the one recogniser: on the text as X reads it (NFC), so
    that whatever X counts as a URL is checked, and on the normalised copy,
    so that a link typed in full-width letters (ｂｉｔ．ｌｙ／…) is checked too.
    """
    if "." not in norm.text:  # every host has a dot
        return []
    as_x_reads = normalisation.as_x_reads(text)
    spans: dict[tuple[int, int], None] = {}
    for reading in (as_x_reads, norm):
        for start, end in x_url_spans(reading.text):
            spans.setdefault(reading.span(start, end))
    # Bare IP addresses and addresses with user info: not URLs to X, links to an attacker.
    for start, end in other_url_spans(norm.text):
        spans.setdefault(norm.span(start, end))
    links = []
    for start, end in spans:
        link = unicodedata.normalize("NFKC", text[start:end])
        host = _link_host(link)
        if host:
            links.append(_Link(start, end, host, link))
    return links


def _shortener(host: str) -> str | None:
    """The shortener domain ``host`` is or is under, if any."""
    labels = host.split(".")
    return next((d for d in (".".join(labels[i:]) for i in range(len(labels))) if d in SHORTENER_DOMAINS), None)


PHISHING = "phishing_link"


def link_judgement(link: str, *, rules: _Rules | None = None) -> tuple[str, str] | None:
    """(kind, detail) of what is wrong with a link, or None when it may stand.

    In order: a phishing link (PHISHING, the checks.lookalike rule as detail),
    a shortener ("url_shortener"), a domain outside the allow-list ("link_domain").
    The sorting of replies asks this of the destination X reports for a t.co link.
    """
    rules = rules or _rules()
    link = unicodedata.normalize("NFKC", link)
    reason = lookalike.phishing_reason(link, official=rules.allowed_domains)
    if reason:
        return PHISHING, reason
    host = _link_host(link)
    if not host:
        return None
    if _shortener(host):
        return "url_shortener", ""
    if not _is_allowed(host, rules):
        return "link_domain", ""
    return None


def _link_findings(text: str, links: list[_Link], rules: _Rules) -> Iterator[Finding]:
    for link in links:
        reason = lookalike.phishing_reason(link.link, official=rules.allowed_domains)
        if reason:
            finding = _finding(text, PHISHING, BLOCK, link.start, link.end)
            yield Finding(**{**finding.__dict__, "detail": reason})
            continue
        shortener = _shortener(link.host)
        if shortener:
            yield _finding(text, "url_shortener", BLOCK, link.start, link.end)
        elif not _is_allowed(link.host, rules):
            yield _finding(text, "link_domain", WARN, link.start, link.end)


def _is_allowed(host: str, rules: _Rules) -> bool:
    return any(_within(host, domain) for domain in rules.allowed_domains)


# ---------------------------------------------------------------------------
# Personal data and official contacts
# ---------------------------------------------------------------------------

# Where two recognisers read the same characters, the first kind here is kept:
# digits inside an e-mail address are part of it; a 4-4-4 My Number is not also a phone.
_PRECEDENCE = [
    personal_data.EMAIL,
    personal_data.RESIDENCE_CARD,
    personal_data.MY_NUMBER,
    personal_data.PASSPORT,
    personal_data.PHONE,
]


def _official_entry(match: personal_data.Match, rules: _Rules) -> tuple[str, str, str] | None:
    """(listed as, note, English note) of the official contact ``match`` is, or None."""
    if match.kind == personal_data.PHONE:
        return rules.official_phones.get(match.key)
    if match.kind == personal_data.EMAIL:
        if match.key in rules.official_emails:
            return rules.official_emails[match.key]
        domain = match.key.rpartition("@")[2]
        for listed, entry in rules.official_email_domains.items():
            if _within(domain, listed):
                return entry
    return None


@dataclass
class _Result:
    findings: list[Finding] = field(default_factory=list)
    official: list[OfficialMatch] = field(default_factory=list)


def _personal_data(
    text: str, norm: normalisation.Normalised, links: list[_Link], rules: _Rules, result: _Result
) -> None:
    matches = sorted(personal_data.find(norm.text), key=lambda m: (_PRECEDENCE.index(m.kind), m.start))
    kept: list[tuple[int, int]] = []
    for match in matches:
        if _overlaps(match.start, match.end, kept):
            continue
        kept.append((match.start, match.end))
        start, end = norm.span(match.start, match.end)
        in_links = [link for link in links if link.start < end and start < link.end]
        # 12-digit ids in links (facebook.com/…/posts/123456789012) pass the
        # check digit one time in eleven; a My Number is not put in a link.
        if in_links and match.kind == personal_data.MY_NUMBER:
            continue
        # Numbers in the path of an official page (…/isa/content/0312345678.pdf) are the page's name.
        if in_links and match.kind != personal_data.EMAIL and all(_is_allowed(link.host, rules) for link in in_links):
            continue
        official = _official_entry(match, rules) if match.kind in (personal_data.PHONE, personal_data.EMAIL) else None
        if official is not None:
            result.official.append(
                OfficialMatch(
                    kind=match.kind,
                    start=start,
                    end=end,
                    excerpt=text[start:end],
                    listed_as=official[0],
                    note=official[1],
                    note_en=official[2],
                )
            )
        else:
            result.findings.append(_finding(text, match.kind, BLOCK, start, end))


def _inspect(text: str) -> _Result:
    """Findings and official contacts, except the duplicate check (which needs an account)."""
    result = _Result()
    if not text:
        return result
    rules = _rules()
    if text in rules.inspected:
        return rules.inspected[text]
    norm = normalisation.for_matching(text)
    links = _links(text, norm)
    _personal_data(text, norm, links, rules, result)
    result.findings.extend(_link_findings(text, links, rules))
    rules.inspected[text] = result
    return result


def _duplicate_findings(text: str, account, *, recent: bool | None = None) -> list[Finding]:
    """Warn when the text repeats a post of the same account within 30 days (§5: X refuses duplicates).

    Answered by one indexed look-up of the text's digest (PublishedText), which
    the publishing engine keeps as targets are published and withdrawn;
    `recent` is that answer when the caller looked it up already (scan_many).
    """
    if account is None or not text.strip():
        return []
    if recent is None:
        recent = PublishedText.is_recent(account=account, text=text)
    if not recent:
        return []
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return [
        Finding(
            kind="duplicate",
            severity=WARN,
            start=start,
            end=end,
            excerpt=text[start:end],
            message=finding_message("duplicate", text[start:end]),
        )
    ]


def official_contacts(text: str) -> list[OfficialMatch]:
    """The agency's own phone numbers and e-mail addresses in ``text``, sorted by position."""
    return sorted(_inspect(text).official, key=lambda m: (m.start, m.end))


def finding_message(kind: str, excerpt: str) -> str:
    """A finding's message in the active language, from its kind and the text it points at.

    Findings kept in a post's history are stored as (kind, excerpt), so that
    they read in the language of whoever reads them later.
    """
    if kind == "url_shortener":
        host = _link_host(unicodedata.normalize("NFKC", excerpt))
        domain = _shortener(host) or host
        return _("Shortened links (%(domain)s) are not allowed: link to the full address instead.") % {"domain": domain}
    if kind == PHISHING:
        return _("%(domain)s imitates an official address or hides where it leads: a phishing link.") % {
            "domain": _link_host(unicodedata.normalize("NFKC", excerpt)) or excerpt
        }
    if kind == "link_domain":
        return _("%(domain)s is not on the list of allowed link domains. Check that the link is right.") % {
            "domain": _link_host(unicodedata.normalize("NFKC", excerpt))
        }
    messages = {
        "residence_card": _("This looks like a residence card number. Remove it before posting."),
        "passport": _("This looks like a passport number. Remove it before posting."),
        "my_number": _("This looks like an Individual Number (My Number). Remove it before posting."),
        "phone": _("This looks like a phone number. Remove it before posting."),
        "email": _("This looks like an e-mail address. Remove it before posting."),
        "duplicate": _("The same text was posted on this account within the last 30 days; X refuses duplicates."),
    }
    return messages.get(kind, kind)


def scan(text: str, *, account=None) -> list[Finding]:
    """Every finding in ``text``, sorted by where it starts in the text as typed."""
    findings = list(_inspect(text).findings)
    findings.extend(_duplicate_findings(text, account))
    return sorted(findings, key=lambda f: (f.start, f.end, f.kind))


def scan_many(items) -> list[tuple[list[Finding], list[OfficialMatch]]]:
    """For each (text, account) pair: scan()'s findings and official_contacts(), as a pair.

    For pages that show many texts at once (the composer's preview for 21
    accounts, the approval queue): one look-up of recent duplicates for all
    the pairs, the administered lists read once, and each distinct text
    inspected once however many accounts it goes to.
    """
    items = list(items)
    recent = PublishedText.recent_among(
        [(account.pk, text) for text, account in items if account is not None and text.strip()]
    )
    inspected: dict[str, _Result] = {}
    results = []
    with rules_pinned():
        for text, account in items:
            if text not in inspected:
                inspected[text] = _inspect(text)
            result = inspected[text]
            findings = list(result.findings)
            if account is not None:
                findings.extend(_duplicate_findings(text, account, recent=(account.pk, text_digest(text)) in recent))
            results.append(
                (
                    sorted(findings, key=lambda f: (f.start, f.end, f.kind)),
                    sorted(result.official, key=lambda m: (m.start, m.end)),
                )
            )
    return results
