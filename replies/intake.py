"""What the public writes, made safe to store, match and show before anything else reads it (§7).

A reply is written by anyone, attackers included, and one hostile item must
never stop listening:

- ``clean_text``: NUL and the other C0 control characters are removed
  (PostgreSQL refuses NUL in text, and a refused row used to leave the
  cursor where it was, so every poll read and billed the same items again);
  tab and line breaks stay. Bidirectional override and isolate characters
  (U+202A–U+202E, U+2066–U+2069) are replaced by a visible mark such as
  ``[U+202E]``: they can make "exe.jpg" read as "gpj.exe" to staff, and once
  replaced they neither reorder what staff see nor split a word the checks
  look for.
- ``display_text``: a text is stored in full however long, but the queue
  shows at most DISPLAY_LIMIT characters of it.
- ``clean_url``: a reply's own address is kept only when it is ``https:`` on
  the platform's own host; anything else (``javascript:``, another host) is
  dropped, for staff open it from the console.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# C0 controls except tab, line feed and carriage return; DEL too.
_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Explicit embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
_BIDI_CONTROLS_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")

DISPLAY_LIMIT = 2000  # characters of one reply the queue shows; the rest stays stored

# The hosts each platform's replies live on (the adapters build these addresses).
PLATFORM_HOSTS = {
    "x": frozenset({"x.com", "twitter.com", "www.x.com", "www.twitter.com", "mobile.twitter.com"}),
    "facebook": frozenset({"facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com"}),
}


def clean_text(text: str) -> str:
    """``text`` without control characters, its bidi controls made visible."""
    text = _CONTROLS_RE.sub("", text)
    return _BIDI_CONTROLS_RE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def display_text(text: str) -> str:
    """What the queue shows of a stored text: all of it, or its first DISPLAY_LIMIT characters and "…"."""
    return text if len(text) <= DISPLAY_LIMIT else text[:DISPLAY_LIMIT] + "…"


def clean_url(url: str, *, platform: str) -> str:
    """``url`` when it is https on ``platform``'s own host, else ""."""
    url = clean_text(url).strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return ""
    if parts.scheme.lower() != "https" or parts.username or parts.password:
        return ""
    if host not in PLATFORM_HOSTS.get(platform, frozenset()):
        return ""
    return url
