"""Platform adapters: the only package that imports tweepy or facebook-sdk.

``adapter_for(account)`` builds the adapter an account is configured to use
(docs/architecture.md, publishing: which one is configuration). The X and Facebook adapters are
imported only when an account needs them, so importing the interface
(``accounts.platforms.base``) loads neither platform library.

``capabilities_for(account)`` says what the account's platform lets the
console do, and its limits, without building a client; every adapter carries
the same answer as ``capabilities``. Ask it rather than test the platform.
"""

from __future__ import annotations

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
