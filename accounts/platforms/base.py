"""What every platform adapter offers, and the errors it may raise.

The publishing engine (and, for reading and moderating replies, the
moderation app) only ever sees these types: the adapters translate each
platform library's exceptions into exactly one of the PlatformError
subclasses below, so the retry policy lives in one place and knows nothing of
tweepy or facebook-sdk.

How a caller is expected to react:

    RateLimited   wait until ``until`` (aware UTC), then try again; spend no attempt
    Transient     retry with backoff; the post MAY have been created (a timeout or a
                  5xx after the platform committed it), so reconcile with
                  find_recent() before publishing again
    AuthRevoked   stop; the account must be re-authorised
    Rejected      stop at once and show ``message``, the platform's own words;
                  ``duplicate`` is true when the platform says the same text was
                  already posted (after a Transient that usually means the earlier
                  attempt did succeed: reconcile)
    OutOfCredits  stop; the X developer account has run out of paid credits
    PlatformError (the base class itself) never raised by the adapters

Reading what the public writes (mentions, replies, comments) and moderating it
(hide, unhide, delete, ban) raise the same kinds. Nothing here creates a
reply, a comment, a like, a follow or a repost: the console never answers
(policy §5.1, §5.2).

Every publishing call (publish, delete, find_recent) takes an optional ``deadline`` (a ``time.monotonic()`` value): each
request it makes gets only the time left before it as its timeout, and no
request starts after it (Transient, nothing sent). ``publish`` also takes
``sending``, called immediately before the request that creates the post (after
any image uploads); if it raises, nothing is created and the error propagates.
A caller can thus tell "the post's request never left" from "it may have".
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from .capabilities import Capabilities


@dataclass(frozen=True)
class PublishResult:
    external_id: str
    url: str


@dataclass(frozen=True)
class MediaItem:
    # Images can be megabytes; keep them out of reprs, logs and tracebacks.
    data: bytes = field(repr=False)
    mime_type: str
    alt_text: str


@dataclass(frozen=True)
class ReplyLink:
    """A link in a reply as the platform reports it: where it stands in the text and where it leads.

    X writes every link in a post's text as https://t.co/…; the address the
    author gave is ``expanded_url`` (X's URL entity), ``unwound_url`` is where
    it finally led when X adds it (only sometimes). ``start`` and ``end`` are
    code point offsets into the reply's text; both are 0 for a link outside
    the text (a Facebook comment's shared link). The console never fetches a
    link to find where it goes.
    """

    url: str  # as it stands in the text (https://t.co/…)
    expanded_url: str
    start: int = 0
    end: int = 0
    unwound_url: str = ""


@dataclass(frozen=True)
class PublicReply:
    """Something a member of the public wrote at or under one of the account's posts."""

    external_id: str
    text: str
    author_id: str
    author_handle: str  # X username without "@"; "" on Facebook, whose people have no handle
    author_name: str
    created_at: datetime
    url: str
    answers: str | None = None  # the post or comment it replies to, if any
    conversation: str | None = None  # the post that started the thread, if known
    hidden: bool = False
    links: tuple[ReplyLink, ...] = ()  # the platform's own account of the links, when it gives one


@dataclass(frozen=True)
class ReplyBatch:
    """One read of a listening call.

    ``cursor`` is opaque: pass it back as ``after`` to get only what is newer.
    ``complete`` is false when the read stopped at ``limit`` with more left;
    the caller then keeps its old cursor so that nothing in between is skipped
    (what was already read comes again and is recognised by its id).
    ``items_read`` counts what the platform returned (X bills each one).
    """

    replies: tuple[PublicReply, ...]
    cursor: str | None
    items_read: int
    complete: bool = True


class PlatformError(Exception):
    """A publishing call failed; ``message`` is the platform's own message when it gave one."""

    def __init__(self, message: str, *, code: int | str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Platform error code (Graph "code"), else the HTTP status; None for network failures.
        self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class RateLimited(PlatformError):
    def __init__(self, message: str, *, until: datetime, code: int | str | None = None) -> None:
        if until.tzinfo is None:
            raise ValueError("RateLimited.until must be timezone-aware")
        super().__init__(message, code=code)
        self.until = until


class Transient(PlatformError):
    pass


class AuthRevoked(PlatformError):
    pass


class Rejected(PlatformError):
    def __init__(self, message: str, *, code: int | str | None = None, duplicate: bool = False) -> None:
        super().__init__(message, code=code)
        self.duplicate = duplicate


class OutOfCredits(PlatformError):
    pass


def request_timeout(timeout: float, deadline: float | None, *, platform: str) -> float:
    """The timeout one request may have: its own, cut to what is left before the deadline.

    Raises Transient (nothing is sent) when the deadline has already passed.
    """
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise Transient(f"The send's deadline passed before the next request to {platform}; nothing more was sent.")
    return min(timeout, left)


@runtime_checkable
class PlatformAdapter(Protocol):
    def publish(
        self,
        text: str,
        media: Sequence[MediaItem] = (),
        *,
        deadline: float | None = None,
        sending: Callable[[], None] | None = None,
    ) -> PublishResult: ...

    def delete(self, external_id: str) -> None: ...

    def find_recent(self, text: str, *, deadline: float | None = None) -> PublishResult | None:
        """The account's recent post whose text is ``text``, or None.

        None does not prove the post does not exist: only a bounded number of
        recent posts is searched, and the platforms' listings lag a little.
        """
        ...


@runtime_checkable
class ListeningAdapter(Protocol):
    """Reading and moderating what the public writes to an account."""

    @property
    def capabilities(self) -> Capabilities:
        """What the platform lets the console do, and its limits (capabilities.py); read, never set."""
        ...

    def mentions(self, *, after: str | None = None, limit: int = 500) -> ReplyBatch:
        """What mentions the account (on X, replies to its posts included), newest first."""
        ...

    def replies_to(self, post_id: str, *, after: str | None = None, limit: int = 500) -> ReplyBatch:
        """The replies or comments under one of the account's published posts, newest first."""
        ...

    def set_hidden(self, reply_id: str, hidden: bool) -> None: ...

    def delete_reply(self, reply_id: str) -> None:
        """Rejected where the platform does not allow it (see ``capabilities.delete_reply``)."""
        ...

    def ban(self, author_id: str) -> None:
        """Rejected where the platform does not allow it (see ``capabilities.block_author``)."""
        ...


@runtime_checkable
class Adapter(PlatformAdapter, ListeningAdapter, Protocol):
    """What adapter_for() builds: every adapter publishes and listens."""


def comparable_text(text: str) -> str:
    """Text as both platforms store it: NFC-normalised, without surrounding whitespace.

    X normalises posts to NFC and both platforms trim leading and trailing
    whitespace, so a post read back differs from what we sent in those ways only.
    """
    return unicodedata.normalize("NFC", text).strip()


# --- Benchmarks: a fake platform on this machine -----------------------------------------------------

FAKE_PLATFORM_URL_HEADER = "X-Immisns-Platform-Url"


class _ToFakePlatform(HTTPAdapter):
    """Sends every request, signed for the platform's own address, to a fake platform at `origin`.

    The platform's address travels in a header, so the fake (tests/fakes/loopback.py)
    answers exactly as that platform would.
    """

    def __init__(self, origin: str) -> None:
        super().__init__()
        self.origin = origin.rstrip("/")

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        parts = urlsplit(str(request.url))
        request.headers[FAKE_PLATFORM_URL_HEADER] = str(request.url)
        request.url = self.origin + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)


def route_to_fake_platform(session: requests.Session) -> None:
    """With PLATFORM_API_ORIGIN set (benchmarks, never production), the session talks to that fake platform."""
    from django.conf import settings

    origin = getattr(settings, "PLATFORM_API_ORIGIN", "")
    if origin:
        session.mount("https://", _ToFakePlatform(origin))
