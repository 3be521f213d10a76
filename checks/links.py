"""The one URL recogniser: the spans X counts as URLs (§5, docs/architecture.md, moderation).

X's composer counts every URL as 23 characters (``posts.length``), and the
link checks (``checks.checks``) hold every link against the allow-list
and the list of shorteners. Both read URLs here, so a span X counts as a URL
is a span the checks look at: a link cannot be long enough to count as a URL
for X yet slip past the allow-list.

``x_url_spans(text)`` follows twitter-text (js/src/extractUrlsWithIndices.js
with the regular expressions under js/src/regexp/ of github.com/twitter/twitter-text):

* URLs: the extractor rules of twitter-text: http/https or no scheme; a
  known TLD at the end of the host; no URL right after a letter, digit, "@",
  "$" or "#"; trailing punctuation left out of the path; DNS labels of at
  most 63 characters once punycode-encoded; t.co slugs of at most 40
  characters; 4096 characters at most; for URLs without a scheme only the
  ASCII part of the host, and nothing right after "-", "_", "." or "/".
* TLDs: twitter-text ships its own TLD list, which we must not copy. We use
  the ICANN section of the Public Suffix List that the installed ``fido2``
  package (pulled in by ``django-allauth[mfa]``) ships as
  ``fido2/public_suffix_list.dat``, read at import time, together with the
  compact built-in ``_BUILTIN_TLDS``, which is all that is left should that
  file ever go away. (PyPI's ``publicsuffixlist``, ``tld`` and
  ``tldextract`` ship the same list, if a direct dependency is preferred.)

The URL regular expression is twitter-text's, and so is its cost: tried at
every position it is quadratic in the length of a run of letters (CJK
included) and of a chain of dotted labels, which took minutes on a long
Japanese text. ``_url_matches`` yields exactly what ``finditer`` would but
skips the start positions that provably cannot match (see there).

Where twitter-text's own implementations disagree we follow the JavaScript
one, which drives X's web composer. The one difference that matters in
practice: a scheme-less host glued to non-ASCII text ("…詳しくはwww.moj.go.jp").
JavaScript reads the whole run of letters as the first DNS label and drops
the URL when that label exceeds 63 characters in punycode (so a long Japanese
run before the host turns the URL into plain text), while Java
(Regex.java/Extractor.java) only takes ASCII hosts without a scheme and
always finds "www.moj.go.jp". With "https://" both agree, and so do they
when a space or ASCII punctuation comes before the host.
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Iterable, Iterator

_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40
_MAX_DOMAIN_LABEL_LENGTH = 63

# A compact TLD set: the common generic TLDs, every delegated two-letter
# country code, a few IDN country codes and the Japanese-market new gTLDs.
_BUILTIN_TLDS: frozenset[str] = frozenset(
    """
    com net org info biz edu gov mil int name pro aero asia cat coop jobs mobi
    museum post tel travel xxx app dev page blog news online site shop store
    tech xyz top club live link life world today media email cloud digital
    global inc ltd group company network website space fun icu vip wiki
    tokyo osaka nagoya yokohama kyoto okinawa ryukyu
    ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi
    bj bm bn bo br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu
    cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm fo fr ga
    gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id
    ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la
    lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms
    mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph
    pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk
    sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt
    tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
    한국 香港 澳門 新加坡 台灣 台湾 中國 中国 ไทย भारत рф укр срб бел қаз мон
    ею ελ ευ پاکستان ایران امارات السعودية مصر قطر みんな コム 世界
    """.split()
)


def _public_suffix_tlds() -> frozenset[str]:
    """Top-level labels of the ICANN section of fido2's Public Suffix List."""
    try:
        data = importlib.resources.files("fido2").joinpath("public_suffix_list.dat").read_text(encoding="utf-8")
    except (ImportError, OSError):
        return frozenset()
    tlds: set[str] = set()
    for line in data.splitlines():
        line = line.strip()
        if line.startswith("// ===END ICANN DOMAINS==="):
            break  # private suffixes all sit under ICANN TLDs
        if not line or line.startswith("//"):
            continue
        # "*.ck" and "!www.ck" are rules under "ck": the TLD is the last label.
        tlds.add(line.lstrip("!*.").rsplit(".", 1)[-1].lower())
    return frozenset(tlds)


_TLDS: frozenset[str] = _BUILTIN_TLDS | _public_suffix_tlds()

# Character classes of twitter-text's regexp/ folder. Letter classes spell out
# both cases rather than use IGNORECASE, which in Python would also let "ſ"
# match [a-z] where JavaScript does not (TLD names keep IGNORECASE, for
# non-ASCII names such as "рф" are matched case-insensitively in JavaScript too).
_PUNCT = re.escape("!'#%&()*+,\\-./:;<=>?@[]^_{|}~$")
_SPACES = "\\x09-\\x0d\\x20\\x85\\xa0\\u1680\\u180e\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
_INVALID = "\\ufffe\\ufeff\\uffff"
_DIRECTIONAL = "\\u202a-\\u202e\\u061c\\u200e\\u200f\\u2066-\\u2069"
_CYRILLIC = "\\u0400-\\u04ff"
_LATIN_ACCENTS = (
    "\\xc0-\\xd6\\xd8-\\xf6\\xf8-\\xff\\u0100-\\u024f\\u0253\\u0254\\u0256\\u0257"
    "\\u0259\\u025b\\u0263\\u0268\\u026f\\u0272\\u0289\\u028b\\u02bb\\u0300-\\u036f"
    "\\u1e00-\\u1eff"
)
# Anything but ASCII punctuation, spaces, invalid and directional characters:
# CJK and emoji are domain characters too.
_DOMAIN_CHAR = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
_PUNYCODE_TLD = "(?:[xX][nN]--[\\-0-9a-zA-Z]+)"


def _tld_pattern(tlds: Iterable[str]) -> str:
    """Any of ``tlds``, case-insensitively, not followed by an ASCII letter, digit, "@", "+" or "-".

    Written as a trie: a flat alternation of ~1,500 names costs ~10 µs per
    attempt. Deeper branches come before the end of a shorter name, so the
    longest name wins, as in twitter-text's list ("भारतम्" before "भारत").
    """
    trie: dict[str, dict] = {}
    for tld in tlds:
        node = trie
        for char in tld.lower():
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here

    def render(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + render(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        group = "(?:" + "|".join(branches) + ")"
        return group + "?" if "" in node else group

    return f"(?i:{render(trie)})(?=[^0-9a-zA-Z@+-]|$)"


def _build_url_regex(tlds: frozenset[str]) -> re.Pattern[str]:
    """extractUrl of twitter-text (js/src/regexp/extractUrl.js) in Python syntax."""
    # Labels start and end with a domain char; "_" only below the domain name.
    subdomain = f"(?:(?:{_DOMAIN_CHAR}(?:[_-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
    domain_name = f"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
    domain = f"(?:{subdomain}*{domain_name}(?:(?:{_tld_pattern(tlds)})|{_PUNYCODE_TLD}))"

    preceding = f"(?:[^A-Za-z0-9@\\uff20$#\\uff03{_INVALID}]|[{_DIRECTIONAL}]|^)"
    path_char = f"[a-zA-Z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\\u2013_~@|&{_LATIN_ACCENTS}]"
    balanced_parens = f"\\((?:{path_char}+|(?:{path_char}*\\({path_char}+\\){path_char}*))\\)"
    # A path does not end in ".", ",", ":" and the like: "see x.com/a." stops before the dot.
    path_ending = f"(?:[+\\-a-zA-Z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|{balanced_parens})"
    path = f"(?:(?:{path_char}*(?:{balanced_parens}{path_char}*)*{path_ending})|(?:@{path_char}+/))"
    query_char = "[a-zA-Z0-9!?*'@();:&=+$/%#\\[\\]\\-_.,~|]"
    query_ending = "[a-zA-Z0-9\\-_&=#/]"

    return re.compile(
        f"(?P<before>{preceding})"
        "(?P<url>"
        "(?P<protocol>[hH][tT][tT][pP][sS]?://)?"
        f"(?P<domain>{domain})"
        "(?::[0-9]+)?"
        f"(?P<path>/{path}*)?"
        f"(?:\\?{query_char}*{query_ending})?"
        ")"
    )


def _build_ascii_domain_regex(tlds: frozenset[str]) -> re.Pattern[str]:
    """validAsciiDomain: the parts of a scheme-less host that are plain ASCII."""
    return re.compile(f"(?:(?:[\\-a-zA-Z0-9{_LATIN_ACCENTS}]+)\\.)+(?:(?:{_tld_pattern(tlds)})|{_PUNYCODE_TLD})")


_URL_RE = _build_url_regex(_TLDS)
_ASCII_DOMAIN_RE = _build_ascii_domain_regex(_TLDS)
# Maximal runs of the characters a host label is made of.
_LABEL_RUN_RE = re.compile(f"(?:{_DOMAIN_CHAR}|[_-])+")
_TLD_RE = re.compile(f"(?:{_tld_pattern(_TLDS)})|{_PUNYCODE_TLD}")
_PROTOCOL_RE = re.compile("[hH][tT][tT][pP][sS]?://")
_TCO_RE = re.compile("[hH][tT][tT][pP][sS]?://[tT]\\.[cC][oO]/([a-zA-Z0-9]+)")
# What may not come right before a URL (the complement of validUrlPrecedingChars).
_INVALID_BEFORE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@\uff20$#\uff03\ufffe\ufeff\uffff"
)
# A scheme-less URL right after one of these is a fragment of something else.
_INVALID_BEFORE_SCHEMELESS = frozenset("-_./")
# punycode.js also splits a "label" on these full stops before encoding it.
_IDNA_SEPARATORS_RE = re.compile("[.\u3002\uff0e\uff61]")


def _url_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_URL_RE.finditer(text)``, without its quadratic cost.

    Away from position 0 a match is one "before" character and then a URL
    starting at ``url_start``, which is either the "h" of "http(s)://" or a
    character in a run of host-label characters followed by "." (the first
    label). No other position can match, so no other is tried. Three facts
    let us skip most of the rest (tests/checks/test_links.py checks the
    result against ``finditer``):

    * Two starts in the same run, each after a valid "before" character and
      not on "_" or "-", read the same labels after the first one; their first
      labels differ only in where they begin. Unless one contains the run's
      last "_" and the other does not ("_" rules a label out as the domain
      name), they match or fail alike: one failure fails the whole class.
    * If a first label that could be a subdomain fails, a URL starting at the
      next label fails too, since that URL plus this label would have matched.
    * Once the class holding the "_" failed, the other class can only match
      with its label as the domain name, that is with a TLD right after the dot.
    """
    if not text:
        return
    # Position 0 is the only one where "^" can stand in for the "before" character.
    first = _URL_RE.match(text, 0)
    if first:
        yield first
    next_url_start = first.end() + 1 if first else 2

    candidates = [(m.start(), m.start() + 1, False) for m in _PROTOCOL_RE.finditer(text)]
    candidates += [
        (run.start(), run.end(), True) for run in _LABEL_RUN_RE.finditer(text) if text.startswith(".", run.end())
    ]
    candidates.sort()

    dead_label_start = -1  # a label start known not to match
    for start, end, is_label_run in candidates:
        if not is_label_run:
            if start >= next_url_start and text[start - 1] not in _INVALID_BEFORE:
                match = _URL_RE.match(text, start - 1)
                if match:
                    yield match
                    next_url_start = match.end() + 1
            continue
        underscore = text.rfind("_", start, end)
        if underscore >= 0:
            classes = [(start, underscore + 1), (underscore + 1, end)]
        else:
            classes = [(start, end)]
        ends_as_label = text[end - 1] not in "_-"
        class_failed = False
        for class_start, class_end in classes:
            # After the "_" class failed, a start in the other one can only match
            # as the domain name right before the TLD: any reading as a
            # subdomain would have worked from the "_" class as well.
            if class_failed and not _TLD_RE.match(text, end + 1):
                continue
            class_failed = False
            if class_start == dead_label_start and text[class_start] not in "_-":
                class_failed = True
                if ends_as_label:
                    dead_label_start = end + 1
                continue
            for url_start in range(max(class_start, next_url_start), class_end):
                if text[url_start - 1] in _INVALID_BEFORE or text[url_start] in "_-":
                    continue  # fails at once, and says nothing about the class
                match = _URL_RE.match(text, url_start - 1)
                if match:
                    yield match
                    next_url_start = match.end() + 1
                else:
                    class_failed = True
                    if ends_as_label:
                        dead_label_start = end + 1
                break


def _utf16_length(text: str) -> int:
    """Length as JavaScript counts it; twitter-text's URL limit is in these units."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _punycode_length(label: str) -> int:
    """Length of punycode.js's toASCII(label)."""
    encoded = [
        part if part.isascii() else "xn--" + part.encode("punycode").decode("ascii")
        for part in _IDNA_SEPARATORS_RE.split(label)
    ]
    return len(".".join(encoded))


def _is_valid_host(url: str, protocol: str, domain: str) -> bool:
    """isValidUrl and idna.toAscii of twitter-text: DNS label lengths, overall length."""
    if domain[:4] == "xn--" and not _ASCII_DOMAIN_RE.search(domain):
        return False
    if not all(1 <= _punycode_length(label) <= _MAX_DOMAIN_LABEL_LENGTH for label in domain.split(".")):
        return False
    # twitter-text adds a scheme's length even when the URL has one already.
    return len(protocol or "https://") + _utf16_length(url) <= _MAX_URL_LENGTH


def x_url_spans(text: str) -> list[tuple[int, int]]:
    """Spans [start, end) in code points of the URLs X would count as 23.

    Pass NFC-normalised text for the offsets to match what ``weighted_length``
    counts.
    """
    if "." not in text:  # every host has a dot
        return []
    spans: list[tuple[int, int]] = []
    for match in _url_matches(text):
        url = match.group("url")
        protocol = match.group("protocol") or ""
        domain = match.group("domain")
        start, end = match.start("url"), match.end("url")
        if not _is_valid_host(url, protocol, domain):
            continue
        if protocol:
            tco = _TCO_RE.match(url)
            if tco:
                # A t.co link is the slug alone; further path characters are text.
                if len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                    continue
                end = start + len(tco.group(0))
            spans.append((start, end))
            continue
        if match.group("before") in _INVALID_BEFORE_SCHEMELESS:
            continue
        # Without a scheme only ASCII hosts count: "詳しくはexample.com" yields
        # "example.com"; each ASCII host found is a URL of its own.
        domain_start = match.start("domain")
        hosts = [(domain_start + host.start(), domain_start + host.end()) for host in _ASCII_DOMAIN_RE.finditer(domain)]
        if hosts and match.group("path"):
            # Port, path and query belong to the last host, but only when there is a path.
            hosts[-1] = (hosts[-1][0], end)
        spans.extend(hosts)
    return spans


# Links twitter-text does not count but an attacker uses (docs/architecture.md, moderation): a bare IP
# address (with or without scheme, port and path) and an address with user
# info before an "@" (https://moj.go.jp@evil.example/…), which twitter-text
# leaves as text. The checks read these too; X's length counter does not.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_TAIL = r"(?::[0-9]{1,5})?(?:[/?#][^\s<>\"'「」]*)?"
_OTHER_URL_RE = re.compile(
    r"(?<![0-9A-Za-z.@/:-])(?:[Hh][Tt][Tt][Pp][Ss]?://)?"
    + rf"{_OCTET}(?:\.{_OCTET}){{3}}"
    + _TAIL
    + r"(?![0-9A-Za-z.])"
    r"|(?<![0-9A-Za-z])[Hh][Tt][Tt][Pp][Ss]?://\[[0-9A-Fa-f:.]+\]"
    + _TAIL
    + r"|(?<![0-9A-Za-z])[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@<>\"'「」]+@[^\s/?#@<>\"'「」]+"
    + _TAIL
)
_TRAILING_PUNCTUATION = ".,!?)]」。、'\""


def other_url_spans(text: str) -> list[tuple[int, int]]:
    """Spans [start, end) of bare IP addresses and of addresses with user info, trailing punctuation left out."""
    spans = []
    for match in _OTHER_URL_RE.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING_PUNCTUATION:
            end -= 1
        spans.append((start, end))
    return spans
