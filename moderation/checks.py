"""Content checks run on a post's text before it can be submitted (§5).

``scan(text)`` returns every finding, sorted by position. A finding of
severity "block" stops the post (personal data, shortened links); "warn"
asks a person to look again (links outside the allow-list, duplicates).

Matching runs on an NFKC-normalised copy of the text so that full-width
input (０９０－１２３４－５６７８, ＡＢ１２３４５６７８ＣＤ) is caught like ASCII,
but every offset reported points into the text as typed.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from moderation.models import AllowedLinkDomain, PublishedText

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


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.severity == BLOCK for f in findings)


# ---------------------------------------------------------------------------
# Normalisation with an offset map back to the typed text
# ---------------------------------------------------------------------------

# Dashes people type between digits. NFKC turns the full-width hyphen-minus
# (U+FF0D) and small hyphen-minus into "-", but leaves these alone.
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2500\u2501\u02d7\u2796\ufe58")
# The katakana long vowel mark is a letter inside words (メール), so it only
# counts as a hyphen next to a digit (０９０ー１２３４ー５６７８).
_LONG_VOWEL = "\u30fc"


@dataclass(frozen=True)
class _Normalised:
    text: str
    starts: list[int]  # starts[i]: where normalised char i's source begins in the typed text
    ends: list[int]  # ends[i]: where it ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def _normalise(text: str) -> _Normalised:
    """NFKC-normalise ``text`` piece by piece, remembering where each output char came from.

    NFKC can change length (㍻ → 平成) and can merge characters (か + ゛ → が,
    ｶ + ﾞ → ガ), so the text is cut into the smallest pieces that normalise
    independently and each piece's output is mapped to the whole piece.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def flush(piece_start: int, piece_end: int, normalised: str) -> None:
        out.append(normalised)
        starts.extend([piece_start] * len(normalised))
        ends.extend([piece_end] * len(normalised))

    piece_start = 0
    piece_norm = ""
    for i, char in enumerate(text):
        if i == piece_start:
            piece_norm = unicodedata.normalize("NFKC", char)
            continue
        char_norm = unicodedata.normalize("NFKC", char)
        # No ASCII char combines with what precedes it; otherwise ask NFKC.
        if char.isascii() or unicodedata.normalize("NFKC", text[piece_start:i + 1]) == piece_norm + char_norm:
            flush(piece_start, i, piece_norm)
            piece_start, piece_norm = i, char_norm
        else:
            piece_norm = unicodedata.normalize("NFKC", text[piece_start:i + 1])
    if text:
        flush(piece_start, len(text), piece_norm)

    chars = list("".join(out))
    for i, char in enumerate(chars):
        if char in _DASHES:
            chars[i] = "-"
        elif char == _LONG_VOWEL:
            before = chars[i - 1] if i > 0 else ""
            after = chars[i + 1] if i + 1 < len(chars) else ""
            if (before.isascii() and before.isdigit()) or (after.isascii() and after.isdigit()):
                chars[i] = "-"
    return _Normalised("".join(chars), starts, ends)


# ---------------------------------------------------------------------------
# Patterns (run on the normalised text)
# ---------------------------------------------------------------------------

# \b treats kana and kanji as word characters, so 「カードAB12345678CDを」 would
# not match with \b. Bound numbers by ASCII letters and digits only.
_NOT_AFTER_ALNUM = r"(?<![A-Za-z0-9])"
_NOT_BEFORE_ALNUM = r"(?![A-Za-z0-9])"
# Not a continuation of a longer hyphenated or decimal number (2026-0312-…, 1.0312…).
_NOT_AFTER_NUMBER_PART = r"(?<![0-9][-.])"
_NOT_BEFORE_NUMBER_PART = r"(?! ?[-.] ?[0-9])"
# Between digit groups: a hyphen (optionally spaced), a single space, or nothing.
_SEP = r"(?: ?- ?| )?"
# Phone groups may also be bracketed: 03(1234)5678, (03)1234-5678.
_PSEP = r"(?: ?[-()] ?| )?"

_RESIDENCE_CARD_RE = re.compile(_NOT_AFTER_ALNUM + r"[A-Z]{2}[0-9]{8}[A-Z]{2}" + _NOT_BEFORE_ALNUM, re.IGNORECASE)
_PASSPORT_RE = re.compile(_NOT_AFTER_ALNUM + r"[A-Z]{2}[0-9]{7}" + _NOT_BEFORE_ALNUM, re.IGNORECASE)
_MY_NUMBER_RE = re.compile(
    _NOT_AFTER_ALNUM + _NOT_AFTER_NUMBER_PART
    + rf"[0-9]{{4}}{_SEP}[0-9]{{4}}{_SEP}[0-9]{{4}}"
    + _NOT_BEFORE_ALNUM + _NOT_BEFORE_NUMBER_PART
)

# Japanese numbers after the trunk "0" (§5). Every shape has a fixed digit
# count, so dates (2026-11-28), times and postal codes (100-0013) never fit.
_NATIONAL = "|".join([
    rf"[5789]0{_PSEP}[0-9]{{4}}{_PSEP}[0-9]{{4}}",  # 050 IP, 070/080/090 mobile: 11 digits
    rf"800{_PSEP}[0-9]{{3}}{_PSEP}[0-9]{{4}}",  # 0800 free dial: 11 digits
    rf"(?:120|570){_PSEP}(?:[0-9]{{3}}{_PSEP}[0-9]{{3}}|[0-9]{{2}}{_PSEP}[0-9]{{4}})",  # 0120 / 0570: 10 digits
    # Fixed lines: 10 digits, area code of 2 to 5 digits including the 0.
    rf"[1-9]{_PSEP}[0-9]{{4}}{_PSEP}[0-9]{{4}}",
    rf"[1-9][0-9]{_PSEP}[0-9]{{3}}{_PSEP}[0-9]{{4}}",
    rf"[1-9][0-9]{{2}}{_PSEP}[0-9]{{2}}{_PSEP}[0-9]{{4}}",
    rf"[1-9][0-9]{{3}}{_PSEP}[0-9]{_PSEP}[0-9]{{4}}",
])
_PHONE_RE = re.compile(
    r"(?:"
    + _NOT_AFTER_ALNUM + r"\+81 ?-? ?(?:\(0\) ?)?"  # +81-3-…, +81 (0)90-…
    + r"|" + _NOT_AFTER_ALNUM + r"(?<!\+)" + _NOT_AFTER_NUMBER_PART + r"(?:\((?=0[0-9]{1,4}\)))?0"
    + r")(?:" + _NATIONAL + r")"
    + _NOT_BEFORE_ALNUM + r"(?! ?- ?[0-9])"
)

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
    r"(?![A-Za-z0-9-])"
)

_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_SCHEME_URL_RE = re.compile(rf"https?://{_URL_CHARS}+", re.IGNORECASE)

# A bare domain (bit.ly/abc, www.example.com) is only recognised with a known
# top-level domain, so that "e.g.", "No.1" or "ver.2" are not taken for links.
_TLDS = sorted(
    {
        "com", "net", "org", "info", "biz", "gov", "edu", "int", "app", "dev", "io", "ai", "me", "tv", "fm",
        "xyz", "site", "online", "link", "page", "news", "blog", "shop", "asia", "tokyo", "osaka", "nagoya",
        "jp", "us", "uk", "eu", "de", "fr", "it", "es", "nl", "ru", "ca", "au", "nz", "br", "in", "cn",
        "kr", "tw", "hk", "sg", "ph", "vn", "th", "id", "my", "np", "lk", "bd", "pk", "mm", "kh", "la", "mn",
        # used by shorteners
        "ly", "co", "gd", "gl", "to", "cc", "at", "mp", "gy", "be", "st", "ink", "im",
    },
    key=len, reverse=True,
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_BARE_DOMAIN_RE = re.compile(
    r"(?<![A-Za-z0-9@._%+\-])"
    rf"(?:{_LABEL}\.)+(?:{'|'.join(_TLDS)})(?![A-Za-z0-9-])(?!\.[A-Za-z0-9])"
    rf"(?::[0-9]{{1,5}})?(?:[/?#]{_URL_CHARS}*)?",
    re.IGNORECASE,
)

# Link shorteners hide where a link goes; the government's SNS guideline
# forbids them (§5). A subdomain (www.bit.ly) counts as the shortener.
SHORTENER_DOMAINS = frozenset({
    "bit.ly", "bitly.com", "bit.do", "t.co", "tinyurl.com", "ow.ly", "is.gd", "v.gd", "buff.ly", "goo.gl",
    "x.gd", "t.ly", "cutt.ly", "rebrand.ly", "lnkd.in", "amzn.to", "amzn.asia", "j.mp", "tiny.cc",
    "shorturl.at", "rb.gy", "s.id", "bl.ink", "tiny.one", "dlvr.it", "ift.tt", "trib.al", "t.cn", "adf.ly",
    "shorte.st", "tr.im", "cli.gs", "po.st", "u.nu", "qr.net", "soo.gd", "clck.ru", "fb.me",
})


# ---------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------

def _finding(text: str, norm: _Normalised, match_start: int, match_end: int, kind: str, severity: str, message: str) -> Finding:
    start, end = norm.span(match_start, match_end)
    return Finding(kind=kind, severity=severity, start=start, end=end, message=message, excerpt=text[start:end])


def my_number_check_digit(first_eleven: str) -> int:
    """The check digit of a My Number (個人番号) from its first 11 digits."""
    # P_n is the n-th digit counted from the right of the 11; Q_n = n+1 (n ≤ 6), n-5 (n ≥ 7).
    total = 0
    for n, digit in enumerate(reversed(first_eleven), start=1):
        total += int(digit) * (n + 1 if n <= 6 else n - 5)
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _personal_data_findings(text: str, norm: _Normalised, links: list[tuple[int, int]]) -> Iterator[Finding]:
    for match in _RESIDENCE_CARD_RE.finditer(norm.text):
        yield _finding(text, norm, *match.span(), "residence_card", BLOCK,
                       _("This looks like a residence card number. Remove it before posting."))
    for match in _PASSPORT_RE.finditer(norm.text):
        yield _finding(text, norm, *match.span(), "passport", BLOCK,
                       _("This looks like a passport number. Remove it before posting."))
    for match in _MY_NUMBER_RE.finditer(norm.text):
        # 12-digit ids in links (facebook.com/…/posts/123456789012) pass the
        # check digit one time in eleven; a My Number is not put in a link.
        if _overlaps(*match.span(), links):
            continue
        digits = re.sub(r"[^0-9]", "", match.group())
        # Only a valid check digit: most 12-digit numbers (order numbers, ids) are not My Numbers.
        if my_number_check_digit(digits[:11]) == int(digits[11]):
            yield _finding(text, norm, *match.span(), "my_number", BLOCK,
                           _("This looks like an Individual Number (My Number). Remove it before posting."))
    for match in _PHONE_RE.finditer(norm.text):
        yield _finding(text, norm, *match.span(), "phone", BLOCK,
                       _("This looks like a phone number. Remove it before posting."))


def _link_host(link: str) -> str:
    if "://" not in link:
        link = "http://" + link
    try:
        host = urlsplit(link).hostname or ""
    except ValueError:  # e.g. a malformed IPv6 literal
        return ""
    return host.lower().rstrip(".")


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _trim_link_end(link: str) -> str:
    """Drop sentence punctuation the link pattern swallowed (…/page). or (see bit.ly/x)."""
    while link:
        last = link[-1]
        if last in ".,;:!?'\"*":
            link = link[:-1]
        elif last == ")" and link.count(")") > link.count("("):
            link = link[:-1]
        elif last == "]" and link.count("]") > link.count("["):
            link = link[:-1]
        else:
            break
    return link


def _link_spans(norm_text: str, emails: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) in the normalised text of every link, with or without a scheme."""
    spans: list[tuple[int, int]] = []
    for pattern in (_SCHEME_URL_RE, _BARE_DOMAIN_RE):
        for match in pattern.finditer(norm_text):
            start = match.start()
            end = start + len(_trim_link_end(match.group()))
            # A bare domain inside a scheme URL or an e-mail address is not a link of its own.
            if end > start and not _overlaps(start, end, spans + emails):
                spans.append((start, end))
    return spans


def _allowed_domains() -> list[str]:
    return list(AllowedLinkDomain.objects.values_list("domain", flat=True))


def _link_findings(text: str, norm: _Normalised, links: list[tuple[int, int]]) -> Iterator[Finding]:
    allowed: list[str] | None = None  # read only when a post has a link, so most scans need no query
    for start, end in links:
        host = _link_host(norm.text[start:end])
        if not host:
            continue
        shortener = next((d for d in SHORTENER_DOMAINS if _within(host, d)), None)
        if shortener:
            yield _finding(text, norm, start, end, "url_shortener", BLOCK,
                           _("Shortened links (%(domain)s) are not allowed: link to the full address instead.")
                           % {"domain": shortener})
            continue
        if allowed is None:
            allowed = _allowed_domains()
        if not any(_within(host, domain) for domain in allowed):
            yield _finding(text, norm, start, end, "link_domain", WARN,
                           _("%(domain)s is not on the list of allowed link domains. Check that the link is right.")
                           % {"domain": host})


def _duplicate_findings(text: str, account) -> list[Finding]:
    """Warn when the text repeats a post of the same account within 30 days (§5: X refuses duplicates).

    Answered by one indexed look-up of the text's digest (PublishedText), which
    the publishing engine keeps as targets are published and withdrawn.
    """
    if account is None or not text.strip():
        return []
    if not PublishedText.is_recent(account=account, text=text):
        return []
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return [Finding(
        kind="duplicate", severity=WARN, start=start, end=end, excerpt=text[start:end],
        message=finding_message("duplicate", text[start:end]),
    )]


def finding_message(kind: str, excerpt: str) -> str:
    """A finding's message in the active language, from its kind and the text it points at.

    Findings kept in a post's history are stored as (kind, excerpt), so that
    they read in the language of whoever reads them later.
    """
    if kind == "url_shortener":
        host = _link_host(unicodedata.normalize("NFKC", excerpt))
        domain = next((d for d in SHORTENER_DOMAINS if _within(host, d)), host)
        return _("Shortened links (%(domain)s) are not allowed: link to the full address instead.") % {"domain": domain}
    if kind == "link_domain":
        return _("%(domain)s is not on the list of allowed link domains. Check that the link is right.") % {
            "domain": _link_host(unicodedata.normalize("NFKC", excerpt))}
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
    norm = _normalise(text)
    emails = [match.span() for match in _EMAIL_RE.finditer(norm.text)]
    links = _link_spans(norm.text, emails)
    findings = list(_personal_data_findings(text, norm, links))
    for start, end in emails:
        findings.append(_finding(text, norm, start, end, "email", BLOCK,
                                 _("This looks like an e-mail address. Remove it before posting.")))
    findings.extend(_link_findings(text, norm, links))
    findings.extend(_duplicate_findings(text, account))
    return sorted(findings, key=lambda f: (f.start, f.end, f.kind))
