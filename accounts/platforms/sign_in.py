"""Connecting an account with the platform's own sign-in: one small interface, one implementation per platform.

A connection is made in two steps around the administrator's visit to the
platform: ``begin`` asks the platform for an authorisation address (and, on
X, a request token kept until the callback); ``finish`` turns what the
platform sent back (the callback's query, or the PIN X showed) into the
account's credentials and asks the platform who they belong to. ``identify``
asks again later, with the stored credentials: the daily check's one cheap
read.

``accounts.platforms.sign_in_for(account)`` builds the one an account needs.
Nothing here decides whether the identity is the right one or stores
anything: accounts.connections does, above the adapters. The platform
libraries stay in this package (x_sign_in, facebook_sign_in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote

from django.conf import settings

from .base import PlatformError, Rejected

__all__ = [
    "Begun",
    "Connected",
    "Identity",
    "NotConfigured",
    "SignIn",
    "SignInCancelled",
    "browser_origins",
    "browser_url",
    "offers_pin",
]


@dataclass(frozen=True)
class Identity:
    """Who the platform says a token belongs to, and what it may do."""

    platform_id: str  # the X user id, the Page id
    handle: str  # the X username, the Page's username ("" when the Page has none)
    name: str
    scopes: tuple[str, ...] = ()  # X: the token's access level; Facebook: the permissions granted
    missing: tuple[str, ...] = ()  # what publishing or moderation needs and the token lacks
    expires_at: dt.datetime | None = None  # None: never
    data_access_expires_at: dt.datetime | None = None  # Facebook only


@dataclass(frozen=True)
class Begun:
    """Where to send the administrator, and what must be kept (encrypted) until they come back."""

    url: str
    secrets: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Connected:
    credentials: dict[str, str] = field(repr=False)
    identity: Identity


class SignInCancelled(PlatformError):
    """The administrator cancelled on the platform, or refused the permissions."""


class NotConfigured(PlatformError):
    """The app's keys are not in the environment: nothing can be signed in."""


class SignIn(Protocol):
    def begin(self, *, callback: str, state: str, pin: bool = False) -> Begun: ...

    def finish(self, *, answer: Mapping[str, str], secrets: Mapping[str, str], callback: str) -> Connected:
        """``answer``: the callback's query, or {"oauth_verifier": PIN}. Raises SignInCancelled or a PlatformError."""
        ...

    def identify(self, *, credentials: Mapping[str, str], platform_id: str) -> Identity: ...


# Where the authorisation page (and the redirects on the way to it) may take the browser after the
# connect form is sent: tweepy's api.twitter.com, which X redirects to its x.com addresses; Facebook's dialog.
_AUTHORIZE_ORIGINS = {
    "x": ("https://api.twitter.com", "https://api.x.com", "https://twitter.com", "https://x.com"),
    "facebook": ("https://www.facebook.com", "https://m.facebook.com", "https://facebook.com"),
}


def browser_origins(account) -> tuple[str, ...]:
    """The origins the connect page's forms may lead to (its Content-Security-Policy form-action)."""
    origin = getattr(settings, "PLATFORM_API_ORIGIN", "")
    if origin:
        return (origin.rstrip("/"),)
    return _AUTHORIZE_ORIGINS[account.platform]


def offers_pin(account) -> bool:
    """Whether the platform can show a PIN to type in (X) where its callback cannot reach the console."""
    return account.platform == account.Platform.X


def browser_url(url: str) -> str:
    """The address the administrator's browser opens: the platform's, or with PLATFORM_API_ORIGIN
    (the demo and the tests, never production) the fake platform's page for it (tests/fakes/loopback.py)."""
    origin = getattr(settings, "PLATFORM_API_ORIGIN", "")
    if not origin:
        return url
    return f"{origin.rstrip('/')}/browser?url={quote(url, safe='')}"


def required(value: str | None, what: str) -> str:
    if not value:
        raise Rejected(f"The platform's answer has no {what}.")
    return value
