"""Links that imitate an official or allow-listed address: phishing (§5, §7; docs/architecture.md, moderation).

``phishing_reason(link, official=...)`` says why a link is a phishing link,
or None. ``official`` are the allow-listed domains (moj.go.jp, isa.go.jp …);
a host on or under one of them is never phishing. The reasons, each a rule of
its own:

- ``ip_address``: the host is a bare IP address (no agency links to one);
- ``userinfo``: something stands before an "@" in the address
  (https://moj.go.jp@evil.example/ leads to evil.example);
- ``official_in_host``: an official domain's name stands inside another host
  (moj.go.jp.evil.example, moj-go-jp.example, isagojp.example);
- ``lookalike``: the host, or its registrable domain, is one edit from an
  official domain (moj-go.jp, moj.gov.jp, is4.go.jp), or looks the same once
  confusable letters are read alike (rnoj.go.jp, an ``xn--`` IDN homograph
  such as mој.go.jp with Cyrillic о and ј);
- ``download``: the address is an app package or a program to install
  (.apk, .exe …): the agency has no such downloads.

The registrable domain (what one can buy: evil.example in a.b.evil.example,
moj.go.jp under go.jp) comes from the Public Suffix List that ``tldextract``
ships; it is never fetched (no network), see ``_SUFFIXES``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

from checks.confusables import compact, edit_distance

IP_ADDRESS = "ip_address"
USERINFO = "userinfo"
OFFICIAL_IN_HOST = "official_in_host"
LOOKALIKE = "lookalike"
DOWNLOAD = "download"

# The bundled snapshot only: no suffix list URLs to fetch, no cache directory to write.
_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
_DOWNLOAD_RE = re.compile(r"\.(?:apk|xapk|apks|exe|msi|scr|bat|cmd|jar|dmg|pkg|ipa)$", re.IGNORECASE)


def _parts(link: str) -> tuple[str, str, str]:
    """(user info, host, path) of a link written with or without a scheme; empty strings when unreadable."""
    if not re.match(r"(?i)^[a-z][a-z0-9+.-]*://", link):
        link = "http://" + link
    try:
        parts = urlsplit(link)
        host = parts.hostname or ""
    except ValueError:
        return "", "", ""
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    return userinfo, host.lower().rstrip("."), parts.path


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _unicode_host(host: str) -> str:
    """The host with its xn-- labels decoded (as the address bar shows it)."""
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return ".".join(labels)


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """The domain one registers (evil.example for a.b.evil.example; moj.go.jp); "" for a bare suffix or an IP."""
    return _SUFFIXES(host).top_domain_under_public_suffix


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _allowed_distance(text: str) -> int:
    # One edit on short names (moj.go.jp), two on long ones (immigration-services.example).
    return 1 if len(text) <= 12 else 2


def _imitates(host: str, domain: str) -> str | None:
    """Why ``host`` (not on ``domain``) imitates ``domain``, or None."""
    official_registrable = registrable_domain(domain)
    shown = _unicode_host(host)
    labels = shown.split(".")
    domain_labels = domain.split(".")
    # The whole official name as labels inside the host, but not at its end: moj.go.jp.evil.example.
    for i in range(len(labels) - len(domain_labels)):
        if labels[i : i + len(domain_labels)] == domain_labels:
            return OFFICIAL_IN_HOST
    if not official_registrable:
        return None  # go.jp, lg.jp: suffixes, nothing to imitate by name
    host_registrable = registrable_domain(host) or host
    squeezed = compact(domain)
    for candidate in {host, host_registrable, shown, _unicode_host(host_registrable)}:
        if candidate == domain:
            continue
        if edit_distance(candidate, domain, limit=2) <= _allowed_distance(domain):
            return LOOKALIKE
        if compact(candidate) == squeezed:
            return LOOKALIKE  # rnoj.go.jp, m0j.go.jp, moj.gо.jp (Cyrillic о: xn--g-1tb)
    if len(squeezed) >= 6 and squeezed in compact(shown) and host_registrable != official_registrable:
        return OFFICIAL_IN_HOST  # moj-go-jp.example, mojgojp.example
    return None


def phishing_reason(link: str, *, official: Iterable[str]) -> str | None:
    """Why ``link`` is a phishing link (one of the reasons above), or None."""
    userinfo, host, path = _parts(link)
    if not host:
        return None
    official = tuple(official)
    if userinfo:
        return USERINFO
    if _is_ip(host):
        return IP_ADDRESS
    if any(_within(host, domain) for domain in official):
        return None
    if _DOWNLOAD_RE.search(path):
        return DOWNLOAD
    for domain in official:
        reason = _imitates(host, domain)
        if reason:
            return reason
    return None
