"""Platform adapters: the only package that imports tweepy or facebook-sdk.

``adapter_for(account)`` builds the adapter an account is configured to use
(docs/architecture.md, publishing: which one is configuration). The X and Facebook adapters are
imported only when an account needs them, so importing the interface
(``accounts.platforms.base``) loads neither platform library.

``capabilities_for(account)`` says what the account's platform lets the
console do, and its limits, without building a client; every adapter carries
the same answer as ``capabilities``. Ask it rather than test the platform.

``lend_adapter(account)`` lends one kept from an earlier call instead (and
``give_back_adapter`` keeps it again), so a worker that publishes all day
reuses its open connections to the platform.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.crypto import CredentialsUnreadable

from .base import (
    Adapter,
    AuthRevoked,
    ListeningAdapter,
    MediaItem,
    OutOfCredits,
    PlatformAdapter,
    PlatformError,
    PublicReply,
    PublishResult,
    RateLimited,
    Rejected,
    ReplyBatch,
    ReplyLink,
    Transient,
)
from .capabilities import Capabilities, ImageLimits, capabilities_for
from .reach import AccountReach, PostReach, ReachAdapter, ReachBatch
from .sign_in import SignIn

__all__ = [
    "AccountReach",
    "Adapter",
    "AuthRevoked",
    "Capabilities",
    "ImageLimits",
    "ListeningAdapter",
    "MediaItem",
    "OutOfCredits",
    "PlatformAdapter",
    "PlatformError",
    "PostReach",
    "PublicReply",
    "PublishResult",
    "RateLimited",
    "ReachAdapter",
    "ReachBatch",
    "Rejected",
    "ReplyBatch",
    "ReplyLink",
    "Transient",
    "adapter_for",
    "capabilities_for",
    "give_back_adapter",
    "lend_adapter",
    "reach_adapter_for",
    "sign_in_for",
]


def adapter_for(account) -> Adapter:
    """The adapter a SocialAccount uses; AuthRevoked when its credentials are missing or unreadable.

    Every adapter is also a ListeningAdapter (reading and moderating replies): an Adapter.

    Takes the account's own choices (account.Publisher, account.Platform) so
    that importing the adapters does not need the models loaded.
    """
    if account.publisher == account.Publisher.SANDBOX:
        from .sandbox import SandboxAdapter

        return SandboxAdapter(account=account)
    try:
        credentials = account.get_credentials()
    except CredentialsUnreadable as exc:
        raise AuthRevoked(str(exc)) from None
    needed = account.CREDENTIAL_FIELDS[account.platform]
    if any(not credentials.get(name) for name in needed) or not account.platform_id:
        raise AuthRevoked(
            _("%(account)s has no credentials or platform id; an administrator must enter them.")
            % {"account": account.display_handle}
        )
    if account.platform == account.Platform.X:
        from .x import XAdapter

        return XAdapter(
            api_key=settings.X_API_KEY,
            api_secret=settings.X_API_SECRET,
            access_token=credentials["access_token"],
            access_token_secret=credentials["access_token_secret"],
            user_id=account.platform_id,
            timeout=settings.PUBLISHING_REQUEST_TIMEOUT,
            rate_limit_floor=settings.PUBLISHING_RATE_LIMIT_FLOOR_SECONDS,
        )
    from .facebook import FacebookAdapter

    return FacebookAdapter(
        page_id=account.platform_id,
        page_access_token=credentials["page_access_token"],
        version=settings.FACEBOOK_GRAPH_API_VERSION,
        timeout=settings.PUBLISHING_REQUEST_TIMEOUT,
        rate_limit_floor=settings.PUBLISHING_RATE_LIMIT_FLOOR_SECONDS,
    )


# An adapter idle longer than this is not lent again: the platform may have closed its connection.
IDLE_ADAPTER_SECONDS = 30.0
_idle: dict[int, tuple[tuple, list[tuple[float, Adapter]]]] = {}
_idle_lock = threading.Lock()


def _built_from(account) -> tuple:
    """Everything adapter_for() builds an adapter from: a change to any of them builds a new one."""
    return (
        account.publisher,
        account.platform,
        account.platform_id,
        account.credentials_encrypted,
        settings.X_API_KEY,
        settings.X_API_SECRET,
        settings.FACEBOOK_GRAPH_API_VERSION,
        settings.PUBLISHING_REQUEST_TIMEOUT,
        settings.PUBLISHING_RATE_LIMIT_FLOOR_SECONDS,
        getattr(settings, "PLATFORM_API_ORIGIN", ""),
    )


def lend_adapter(account) -> Adapter:
    """The account's adapter for one call, kept from an earlier call when there is one; give_back_adapter() after.

    adapter_for() builds a new client and session each time, so every call
    would open (and, dropping it, reset) a new connection to the platform and
    decrypt the credentials again. A lent adapter serves one caller at a time
    (an adapter keeps per-call state such as its deadline), so there are as
    many kept per account as calls ran on it at once. New credentials or
    settings build a new one; the sandbox's adapter is cheap and not kept.
    """
    if account.publisher == account.Publisher.SANDBOX:
        return adapter_for(account)
    key = _built_from(account)
    now = time.monotonic()
    with _idle_lock:
        kept_key, kept = _idle.get(account.pk, ((), []))
        while kept_key == key and kept:
            returned_at, adapter = kept.pop()
            if now - returned_at < IDLE_ADAPTER_SECONDS:
                return adapter
    return adapter_for(account)


def give_back_adapter(account, adapter: Adapter) -> None:
    """After a call that ended normally: the next call on the account may reuse the adapter (lend_adapter())."""
    if account.publisher == account.Publisher.SANDBOX:
        return
    key = _built_from(account)
    with _idle_lock:
        kept_key, kept = _idle.get(account.pk, ((), []))
        if kept_key != key:
            kept = []
            _idle[account.pk] = (key, kept)
        kept.append((time.monotonic(), adapter))


def reach_adapter_for(account) -> ReachAdapter:
    """The account's adapter, for reading its posts' figures and its followers (accounts/platforms/reach.py)."""
    adapter = adapter_for(account)
    if not isinstance(adapter, ReachAdapter):  # every adapter reads reach; a new one must too
        raise TypeError(f"{type(adapter).__name__} does not read reach.")
    return adapter


def sign_in_for(account) -> SignIn:
    """The sign-in of the account's platform, with the app's keys from the settings."""
    timeout = settings.PUBLISHING_REQUEST_TIMEOUT
    if account.platform == account.Platform.X:
        from .x_sign_in import XSignIn

        return XSignIn(api_key=settings.X_API_KEY, api_secret=settings.X_API_SECRET, timeout=timeout)
    from .facebook_sign_in import FacebookSignIn

    return FacebookSignIn(
        app_id=settings.FACEBOOK_APP_ID,
        app_secret=settings.FACEBOOK_APP_SECRET,
        page_id=account.platform_id,
        version=settings.FACEBOOK_GRAPH_API_VERSION,
        timeout=timeout,
        business_portfolio=settings.FACEBOOK_PAGE_IN_BUSINESS_PORTFOLIO,
    )
