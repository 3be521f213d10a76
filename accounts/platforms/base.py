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

Every call takes an optional ``deadline`` (a ``time.monotonic()`` value): each
request it makes gets only the time left before it as its timeout, and no
request starts after it (Transient, nothing sent). ``publish`` also takes
``sending``, called immediately before the request that creates the post (after
any image uploads); if it raises, nothing is created and the error propagates.
A caller can thus tell "the post's request never left" from "it may have".
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


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
    def publish(self, text: str, media: Sequence[MediaItem] = (), *, deadline: float | None = None,
                sending: Callable[[], None] | None = None) -> PublishResult: ...

    def delete(self, external_id: str) -> None: ...

    def find_recent(self, text: str, *, deadline: float | None = None) -> PublishResult | None:
        """The account's recent post whose text is ``text``, or None.

        None does not prove the post does not exist: only a bounded number of
        recent posts is searched, and the platforms' listings lag a little.
        """
        ...


def comparable_text(text: str) -> str:
    """Text as both platforms store it: NFC-normalised, without surrounding whitespace.

    X normalises posts to NFC and both platforms trim leading and trailing
    whitespace, so a post read back differs from what we sent in those ways only.
    """
    return unicodedata.normalize("NFC", text).strip()
