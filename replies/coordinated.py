"""Coordinated spam: the same text from several authors, or from one author on several accounts (§7; docs/architecture.md, moderation).

Texts are compared by ``spam_key``: NFKC, case folded, mentions, links,
emoji, punctuation and spaces taken out, and the hosts the links lead to
added back (X gives each copy its own t.co address, but the spam leads to the
same place). Copies count within LISTENING_SPAM_WINDOW_HOURS of each other:
two sources (an author on an account) make spam of a text that links outside
the allow-list, three of any other text, for residents do ask the same
question in the same words. When a copy arrives that makes the text coordinated, every copy is flagged,
the first ones included (listening does that through the replies services).

Short common courtesies never count, for many residents thank several offices
in the same words: a text whose words, courtesies removed, and the hosts of
its links outside the allow-list together come to fewer than
LISTENING_SPAM_MIN_CHARS characters (kana, kanji and hangul count two) has no key at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings

from checks import checks
from replies.models import Reply

_MENTION_RE = re.compile(r"[@＠][A-Za-z0-9_]{1,50}")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NOT_WORD_RE = re.compile(r"[\W_]+")
# Courtesies residents write (ja, en, zh, vi, tl, pt, es, ko), folded as spam_key folds them.
# Longest first, so that "xin cảm ơn" goes whole before "cảm ơn" could leave "xin" behind.
COURTESIES = sorted(
    (
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
            "큰 도움이 되었습니다",
            "도움이 되었습니다",
            "this was very helpful",
            "very helpful",
            "很有帮助",
            "thông tin rất hữu ích",
            "rất hữu ích",
            "丁寧な案内を",
        )
    ),
    key=len,
    reverse=True,
)


def _host(url: str) -> str:
    if not re.match(r"(?i)^[a-z][a-z0-9+.-]*://", url):
        url = "http://" + url
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _weighted(text: str) -> int:
    # Kana, kanji and hangul say about twice what a Latin letter does (X weighs them 2 as well).
    return sum(2 if ord(char) >= 0x1100 else 1 for char in text)


def spam_key(text: str, destinations: Iterable[str] = ()) -> str:
    """The digest two copies of the same spam share; "" when the text is too short to count.

    The digest ends in "+" when the text links outside the allow-list: such a
    text is spam from its second copy, others from their third (residents
    do ask the same question in the same words).
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    hosts = {_host(url) for url in _URL_RE.findall(folded)}
    hosts.update(_host(url) for url in destinations)
    hosts.discard("t.co")  # X's own wrapper: each copy has its own
    hosts.discard("")
    words = _NOT_WORD_RE.sub("", _URL_RE.sub(" ", _MENTION_RE.sub(" ", folded)))
    core = words
    for phrase in COURTESIES:
        core = core.replace(phrase, "")
    # A link to an allow-listed page (moj.go.jp) says nothing about spam; any other destination does.
    elsewhere = [h for h in hosts if checks.link_judgement(f"https://{h}/") is not None]
    if _weighted(core) + sum(map(len, elsewhere)) < settings.LISTENING_SPAM_MIN_CHARS:
        return ""
    digest = hashlib.sha256((words + "|" + " ".join(sorted(hosts))).encode()).hexdigest()
    return digest[:63] + ("+" if elsewhere else "-")


def earlier_copies(*, key: str, author_id: str, account_id: int | None, at: dt.datetime) -> list[int] | None:
    """The ids of the copies that make this text coordinated spam, or None when it is not (yet).

    Coordinated: within the window, the text came from at least two sources
    (an author on an account) counting this one when it links outside the
    allow-list, three otherwise; and not all from one author on one account.
    """
    if not key:
        return None
    window = dt.timedelta(hours=settings.LISTENING_SPAM_WINDOW_HOURS)
    copies = list(
        Reply.objects.filter(text_digest=key, created_at__gte=at - window, created_at__lte=at + window).values_list(
            "pk", "author_id", "account_id"
        )
    )
    sources = {(author, account) for _pk, author, account in copies} | {(author_id, account_id)}
    needed = 2 if key.endswith("+") else 3
    return [pk for pk, _author, _account in copies] if len(sources) >= needed else None
