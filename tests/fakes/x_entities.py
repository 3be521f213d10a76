"""How X gives back the links of a post, for the fake X (tests/fakes/platforms.py) to answer as X does.

Follows the X API v2 data dictionary (docs.x.com/x-api/fundamentals/data-dictionary,
Tweet object): every URL in a post's ``text`` is replaced by a
``https://t.co/…`` address (twitter-text decides what a URL is; we use the
project's port of its rules, ``checks.links.x_url_spans``); with
``tweet.fields=entities`` the post carries ``entities.urls``, one object per
link with ``start`` and ``end`` (code point offsets into the text as
returned, t.co address included), ``url`` (the t.co address),
``expanded_url`` (what the author wrote, with a scheme), ``display_url``
(without scheme, cut at 20 characters with "…"), and — only when X has
fetched the page — ``unwound_url``, ``title`` and ``status``. Long posts
(over 280 weighted characters) return a cut ``text`` and, with
``tweet.fields=note_tweet``, ``note_tweet: {"text", "entities": {"urls"}}``.
Assumed (not verified against a live account): offsets count the text
before HTML-escaping of &, < and >.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from checks.links import x_url_spans


def wrapped(
    text: str, tco_link: Callable[[str], str], unwound: dict[str, str] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """(text with every URL replaced by its t.co address, the URL entities of that text)."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    position = 0
    length = 0
    for start, end in x_url_spans(text):
        written = text[start:end]
        out.append(text[position:start])
        length += start - position
        expanded = written if written.lower().startswith(("http://", "https://")) else "http://" + written
        tco = tco_link(expanded + f"#{start}")
        display = expanded.split("://", 1)[1]
        entity: dict[str, Any] = {
            "start": length,
            "end": length + len(tco),
            "url": tco,
            "expanded_url": expanded,
            "display_url": display if len(display) <= 20 else display[:20] + "…",
        }
        if unwound and expanded in unwound:
            entity.update({"unwound_url": unwound[expanded], "status": 200, "title": "Page"})
        entities.append(entity)
        out.append(tco)
        length += len(tco)
        position = end
    out.append(text[position:])
    return "".join(out), entities
