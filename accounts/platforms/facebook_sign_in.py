"""Connecting a Facebook Page: Facebook Login, a long-lived user token, then the Page's own token.

Meta's flow (developers.facebook.com "Manually Build a Login Flow",
"Long-Lived Access Tokens", "Page Access Tokens", "Debug Token", Graph API
reference "User /accounts" and "Page"):

1. The administrator opens https://www.facebook.com/{version}/dialog/oauth with
   client_id, redirect_uri (registered as a Valid OAuth Redirect URI), state,
   response_type=code and the permissions below; Facebook sends the browser
   back with code and state, or with error=access_denied (and
   error_reason=user_denied) when they cancel or refuse.
2. GET /oauth/access_token with client_id, redirect_uri, client_secret and code
   answers a short-lived user token; GET /oauth/access_token with
   grant_type=fb_exchange_token makes it long-lived (about 60 days).
3. GET /me/accounts with the long-lived user token lists the Pages the person
   has a task on, each with its Page token; a Page token obtained from a
   long-lived user token has no expiry.
4. GET /{page-id} with the Page token, and GET /debug_token with the app token
   (app id|app secret), say whose it is: is_valid, profile_id, expires_at (0:
   never), data_access_expires_at and the permissions granted (scopes).

facebook-sdk 3.1.0 (see facebook.py for its other facts): get_auth_url,
get_access_token_from_code, extend_access_token and debug_access_token build
their URLs from ``graph.version``, which the adapter sets after construction;
the requests go through FacebookAdapter's session (timeout, fake platform,
last response) and its error mapping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from immisns import log_redaction

from .base import AuthRevoked, PlatformError, Rejected
from .facebook import FacebookAdapter
from .sign_in import Begun, Connected, Identity, NotConfigured, SignInCancelled, browser_url, required

T = TypeVar("T")

# What publishing and moderation need (Meta's Permissions Reference); every one needs App Review.
PERMISSIONS = (
    "pages_show_list",  # me/accounts lists the Page
    "pages_manage_posts",  # publish and delete posts
    "pages_read_engagement",  # read the Page's posts and their metrics
    "pages_read_user_content",  # read what people write under them
    "pages_manage_engagement",  # hide and delete comments
    "pages_manage_metadata",  # the Page's blocked list
)
# Only where the Page sits in a Business portfolio (FACEBOOK_PAGE_IN_BUSINESS_PORTFOLIO).
BUSINESS_PERMISSION = "business_management"
ACCOUNTS_PAGE_SIZE = 100


class FacebookSignIn:
    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        page_id: str,
        version: str = "v23.0",
        timeout: float = 15,
        business_portfolio: bool = False,
    ) -> None:
        self._app_id = app_id
        self._app_secret = app_secret
        self._page_id = str(page_id or "")
        self._version = version
        self._timeout = timeout
        self.permissions = PERMISSIONS + ((BUSINESS_PERMISSION,) if business_portfolio else ())

    def __repr__(self) -> str:
        return f"<FacebookSignIn page_id={self._page_id}>"  # never the secret

    def _graph(self, token: str) -> FacebookAdapter:
        if not (self._app_id and self._app_secret):
            raise NotConfigured(
                "FACEBOOK_APP_ID and FACEBOOK_APP_SECRET are not set: the console cannot use Facebook Login."
            )
        log_redaction.remember(self._app_secret, token)
        return FacebookAdapter(
            page_id=self._page_id, page_access_token=token, version=self._version, timeout=self._timeout
        )

    def begin(self, *, callback: str, state: str, pin: bool = False) -> Begun:
        if pin:
            raise Rejected("Facebook Login has no PIN: its redirect URI must reach the console.")
        if not self._page_id:
            raise Rejected("Enter the Page id in the admin first: the console must know which Page to take.")
        adapter = self._graph("")
        url = adapter._graph.get_auth_url(
            self._app_id,
            callback,
            list(self.permissions),
            state=state,
            response_type="code",
            auth_type="rerequest",  # ask again for a permission declined before
        )
        return Begun(url=browser_url(url))

    def finish(self, *, answer: Mapping[str, str], secrets: Mapping[str, str], callback: str) -> Connected:
        if answer.get("error"):
            if answer.get("error") == "access_denied":
                raise SignInCancelled("The sign-in was cancelled on Facebook, or its permissions were refused.")
            raise Rejected(f"Facebook Login failed: {answer.get('error_description') or answer.get('error')}.")
        code = required(answer.get("code"), "code")
        log_redaction.remember(code)
        anonymous = self._graph("")
        short = _call(
            anonymous,
            lambda: anonymous._graph.get_access_token_from_code(code, callback, self._app_id, self._app_secret),
        )
        user_token = required(short.get("access_token"), "user token")
        as_user = self._graph(user_token)
        long = _call(as_user, lambda: as_user._graph.extend_access_token(self._app_id, self._app_secret))
        long_token = required(long.get("access_token"), "long-lived user token")
        page_token = self._page_token(self._graph(long_token))
        credentials = {"page_access_token": page_token}
        return Connected(credentials=credentials, identity=self.identify(credentials=credentials, platform_id=""))

    def _page_token(self, as_user: FacebookAdapter) -> str:
        """The Page token of the account's Page from GET /me/accounts, following its pages of results."""
        paging: dict[str, str] = {}
        while True:
            result: dict[str, Any] = _call(
                as_user,
                lambda paging=paging: as_user._graph.get_connections(  # type: ignore[misc]
                    "me", "accounts", fields="id,name,access_token,tasks", limit=ACCOUNTS_PAGE_SIZE, **paging
                ),
            )
            for page in result.get("data") or []:
                if str(page.get("id")) == self._page_id:
                    token = required(page.get("access_token"), "Page token")
                    log_redaction.remember(token)
                    return token
            after = ((result.get("paging") or {}).get("cursors") or {}).get("after")
            if not (result.get("paging") or {}).get("next") or not after:
                raise Rejected(
                    f"The Page {self._page_id} is not among the Pages the person who signed in manages "
                    "(or the Page was not chosen in the dialog). Sign in as someone with the Page's content "
                    "and moderation tasks, and choose this Page."
                )
            paging = {"after": after}

    def identify(self, *, credentials: Mapping[str, str], platform_id: str) -> Identity:
        """GET /{page-id} with the Page token and GET /debug_token: whose it is, what it may do, when it ends."""
        page_token = credentials.get("page_access_token", "")
        as_page = self._graph(page_token)
        page = _call(as_page, lambda: as_page._graph.get_object(self._page_id or "me", fields="id,name,username"))
        debugged = _call(as_page, lambda: as_page._graph.debug_access_token(page_token, self._app_id, self._app_secret))
        data = debugged.get("data") or {}
        if not data.get("is_valid"):
            raise AuthRevoked("Facebook says the Page token is not valid (debug_token is_valid: false).", code=190)
        if str(data.get("app_id") or self._app_id) != str(self._app_id):
            raise Rejected("The Page token was issued to another Facebook app.")
        page_id = required(str(page.get("id") or ""), "Page id")
        if data.get("profile_id") and str(data["profile_id"]) != page_id:
            raise Rejected("The token belongs to another Page than the one it reads.")
        scopes = tuple(str(scope) for scope in data.get("scopes") or ())
        return Identity(
            platform_id=page_id,
            handle=str(page.get("username") or ""),
            name=str(page.get("name") or ""),
            scopes=scopes,
            missing=tuple(permission for permission in self.permissions if permission not in scopes),
            expires_at=_moment(data.get("expires_at")),
            data_access_expires_at=_moment(data.get("data_access_expires_at")),
        )


def _moment(value: Any) -> dt.datetime | None:
    """Graph's epoch seconds; 0 (or nothing) means never."""
    try:
        seconds = int(value or 0)
    except (TypeError, ValueError):
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC) if seconds > 0 else None


def _call(adapter: FacebookAdapter, fn: Callable[[], T]) -> T:
    """The adapter's error mapping, with the code, the app secret and every token out of the message."""
    try:
        return adapter._call(fn)
    except PlatformError as exc:
        exc.message = log_redaction.redact(exc.message)
        exc.args = (exc.message,)
        raise
