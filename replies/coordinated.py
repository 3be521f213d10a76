"""Coordinated spam: the same text from several authors, or from one author on several accounts (§7; DESIGN §5).

Texts are compared by ``spam_key``: NFKC, case folded, mentions, links,
emoji, punctuation and spaces taken out, and the hosts the links lead to
added back (X gives each copy its own t.co address, but the spam leads to the
same place). Copies count within LISTENING_SPAM_WINDOW_HOURS of each other.
When a copy arrives that makes the text coordinated, every copy is flagged,
the first ones included (listening does that through the replies services).

Short common courtesies never count, for many residents thank several offices
in the same words: a text whose key, courtesies removed, is shorter than
LISTENING_SPAM_MIN_CHARS characters has no key at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings

from replies.models import Reply

_MENTION_RE = re.compile(r"[@＠][A-Za-z0-9_]{1,50}")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NOT_WORD_RE = re.compile(r"[\W_]+")
# Courtesies residents write (ja, en, zh, vi, tl, pt, es, ko), folded as spam_key folds them.
COURTESIES = tuple(
    _NOT_WORD_RE.sub("", unicodedata.normalize("NFKC", phrase).casefold())
    for phrase in (
        "いつもありがとうございます",
        "ありがとうございました",
        "ありがとうございます",
        "ありがとう",
        "お疲れ様です",
        "お疲れさまです",
        "よろしくお願いします",
        "よろしくお願いいたします",
        "承知しました",
        "助かります",
        "助かりました",
        "おはようございます",
        "こんにちは",
        "thank you so much",
        "thank you very much",
        "thank you",
        "thanks a lot",
        "thanks",
        "much appreciated",
        "good morning",
        "hello",
        "谢谢",
        "谢谢你们",
        "非常感谢",
        "cảm ơn rất nhiều",
        "cảm ơn",
        "xin cảm ơn",
        "salamat po",
        "maraming salamat",
        "salamat",
        "muito obrigado",
        "muito obrigada",
        "obrigado",
        "obrigada",
        "muchas gracias",
        "gracias",
        "감사합니다",
        "고맙습니다",
    )
)


def _host(url: str) -> str:
    if not re.match(r"(?i)^[a-z][a-z0-9+.-]*://", url):
        url = "http://" + url
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def spam_key(text: str, destinations: Iterable[str] = ()) -> str:
    """The digest two copies of the same spam share; "" when the text is too short to count."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    hosts = {_host(url) for url in _URL_RE.findall(folded)}
    hosts.update(_host(url) for url in destinations)
    hosts.discard("t.co")  # X's own wrapper: each copy has its own
    words = _NOT_WORD_RE.sub("", _URL_RE.sub(" ", _MENTION_RE.sub(" ", folded)))
    core = words
    for phrase in COURTESIES:
        core = core.replace(phrase, "")
    if len(core) + sum(len(h) for h in hosts if h) < settings.LISTENING_SPAM_MIN_CHARS:
        return ""
    return hashlib.sha256((words + "|" + " ".join(sorted(h for h in hosts if h))).encode()).hexdigest()


def earlier_copies(*, key: str, author_id: str, account_id: int | None, at: dt.datetime) -> list[int] | None:
    """The ids of the copies that make this text coordinated spam, or None when it is not (yet).

    Coordinated: another author wrote it, or this author wrote it to another account, within the window.
    """
    if not key:
        return None
    window = dt.timedelta(hours=settings.LISTENING_SPAM_WINDOW_HOURS)
    copies = list(
        Reply.objects.filter(text_digest=key, created_at__gte=at - window, created_at__lte=at + window).values_list(
            "pk", "author_id", "account_id"
        )
    )
    coordinated = any(
        (author != author_id or not author_id) or (account != account_id) for _pk, author, account in copies
    )
    return [pk for pk, _author, _account in copies] if coordinated else None
