"""Connecting an X account: OAuth 1.0a three-legged with tweepy's OAuth1UserHandler, then GET /2/users/me.

X's flow (docs.x.com "Obtaining access tokens using 3-legged OAuth flow",
"POST oauth/request_token", "GET oauth/authorize", "POST oauth/access_token",
"Callback URLs", "PIN-based OAuth"):

1. POST https://api.x.com/oauth/request_token, signed with the app's keys and
   carrying oauth_callback (a registered callback URL, to which any query
   string may be added, or "oob" for the PIN flow); X answers
   oauth_token, oauth_token_secret and oauth_callback_confirmed=true.
2. The administrator opens GET https://api.x.com/oauth/authorize?oauth_token=...,
   signs in as the account and authorises the app. X sends the browser to the
   callback with oauth_token and oauth_verifier, or with denied=<token> when
   they cancel; with "oob" X shows a PIN, which is the verifier.
3. POST https://api.x.com/oauth/access_token with the request token and
   oauth_verifier answers the account's access token and secret.
4. GET https://api.x.com/2/users/me with those says whose they are; the
   x-access-level header says what they allow ("read", "read-write",
   "read-write-directmessages": "App permissions").

tweepy 4.17 facts (read from the installed source): OAuth1UserHandler sends
steps 1 and 3 to https://api.twitter.com/oauth/ through a requests_oauthlib
OAuth1Session it builds itself (a new one in get_access_token), without a
timeout, and wraps every failure in TweepyException(original) — the original
is requests_oauthlib's TokenRequestDenied (with the response) or requests'
own exception. The handler below gives each session it builds a timeout and
the fake-platform route. ``Client(return_type=requests.Response)`` returns
the raw response (headers included) and still raises tweepy's HTTP exceptions.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests
import tweepy

from immisns import log_redaction

from .base import AuthRevoked, PlatformError, Rejected, Transient, route_to_fake_platform
from .sign_in import Begun, Connected, Identity, NotConfigured, SignInCancelled, browser_url, required
from .x import _TimeoutSession, map_tweepy_error

T = TypeVar("T")

ACCESS_LEVEL_HEADER = "x-access-level"
# Publishing and hiding replies write: a read-only token cannot do either.
NEEDED_ACCESS = "read-write"
PIN_CALLBACK = "oob"


class _SignInHandler(tweepy.OAuth1UserHandler):
    """tweepy's handler, whose every OAuth1Session gets a timeout and, in the demo, the fake platform."""

    def __init__(self, *args: Any, timeout: float, **kwargs: Any) -> None:
        self._timeout = timeout  # before super(): its __init__ already sets .oauth
        super().__init__(*args, **kwargs)

    @property
    def oauth(self) -> requests.Session:
        return self._oauth

    @oauth.setter
    def oauth(self, session: requests.Session) -> None:
        route_to_fake_platform(session)
        send = session.request
        timeout = self._timeout

        def request(method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
            kwargs["timeout"] = kwargs.get("timeout") or timeout
            return send(method, url, *args, **kwargs)

        session.request = request  # type: ignore[method-assign,assignment]
        self._oauth = session


class XSignIn:
    def __init__(self, *, api_key: str, api_secret: str, timeout: float = 15) -> None:
        self._api_key = api_key
        self._api_secret = api_secret
        self._timeout = timeout

    def __repr__(self) -> str:
        return "<XSignIn>"  # never the keys

    def _handler(self, callback: str) -> _SignInHandler:
        if not (self._api_key and self._api_secret):
            raise NotConfigured("X_API_KEY and X_API_SECRET are not set: the console cannot sign in to X.")
        log_redaction.remember(self._api_key, self._api_secret)
        return _SignInHandler(self._api_key, self._api_secret, callback=callback, timeout=self._timeout)

    def begin(self, *, callback: str, state: str, pin: bool = False) -> Begun:
        # X keeps a query string added to a registered callback URL: the state comes back with the verifier.
        handler = self._handler(PIN_CALLBACK if pin else f"{callback}?{urlencode({'state': state})}")
        url = _call(handler.get_authorization_url)
        token = handler.request_token or {}
        if str(token.get("oauth_callback_confirmed", "")).lower() != "true":
            raise Rejected("X did not confirm the callback address; check the callback URLs registered for the app.")
        request_token = required(token.get("oauth_token"), "request token")
        request_token_secret = required(token.get("oauth_token_secret"), "request token secret")
        log_redaction.remember(request_token, request_token_secret)
        return Begun(
            url=browser_url(url),
            secrets={"request_token": request_token, "request_token_secret": request_token_secret},
        )

    def finish(self, *, answer: Mapping[str, str], secrets: Mapping[str, str], callback: str) -> Connected:
        if answer.get("denied"):
            raise SignInCancelled("The sign-in was cancelled on X.")
        verifier = (answer.get("oauth_verifier") or "").strip()
        if not verifier:
            raise Rejected("X sent no verifier (or no PIN was entered).")
        came_back_with = answer.get("oauth_token")
        if came_back_with is not None and not hmac.compare_digest(came_back_with, secrets["request_token"]):
            raise Rejected("X answered for another sign-in than this one.")
        log_redaction.remember(verifier)
        handler = self._handler(PIN_CALLBACK)
        handler.request_token = {
            "oauth_token": secrets["request_token"],
            "oauth_token_secret": secrets["request_token_secret"],
        }
        access_token, access_token_secret = _call(lambda: handler.get_access_token(verifier))
        credentials = {"access_token": str(access_token), "access_token_secret": str(access_token_secret)}
        log_redaction.remember(*credentials.values())
        return Connected(credentials=credentials, identity=self.identify(credentials=credentials, platform_id=""))

    def identify(self, *, credentials: Mapping[str, str], platform_id: str) -> Identity:
        """GET /2/users/me: whose the tokens are and, from x-access-level, whether they may write."""
        if not (self._api_key and self._api_secret):
            raise NotConfigured("X_API_KEY and X_API_SECRET are not set: the console cannot ask X.")
        log_redaction.remember(self._api_key, self._api_secret, *credentials.values())
        client = tweepy.Client(
            consumer_key=self._api_key,
            consumer_secret=self._api_secret,
            access_token=credentials.get("access_token"),
            access_token_secret=credentials.get("access_token_secret"),
            return_type=requests.Response,
            wait_on_rate_limit=False,
        )
        client.session = _TimeoutSession(self._timeout)
        response: requests.Response = _call(lambda: client.get_me(user_auth=True))
        try:
            data = (response.json() or {}).get("data") or {}
        except ValueError:
            raise Transient("X answered /2/users/me without a readable body.") from None
        level = response.headers.get(ACCESS_LEVEL_HEADER, "")
        # No header: X did not say, and nothing is assumed missing.
        missing = (NEEDED_ACCESS,) if level and "write" not in level.split("-") else ()
        return Identity(
            platform_id=required(str(data.get("id") or ""), "user id"),
            handle=str(data.get("username") or ""),
            name=str(data.get("name") or ""),
            scopes=(level,) if level else (),
            missing=missing,
        )


def _call(fn: Callable[[], T]) -> T:
    """tweepy's and requests' failures as the project's error kinds, without the tokens in them."""
    try:
        return fn()
    except tweepy.HTTPException as exc:
        error: PlatformError = map_tweepy_error(exc)
    except tweepy.TweepyException as exc:
        error = _sign_in_error(exc.args[0] if exc.args else exc)
    except requests.Timeout:
        error = Transient("X did not answer in time.")
    except requests.RequestException as exc:
        error = Transient(f"Could not reach X: {type(exc).__name__}.")
    raise error


def _sign_in_error(cause: object) -> PlatformError:
    if isinstance(cause, requests.Timeout):
        return Transient("X did not answer in time.")
    if isinstance(cause, requests.RequestException):
        return Transient(f"Could not reach X: {type(cause).__name__}.")
    status = getattr(cause, "status_code", None)
    if status == 401:
        return AuthRevoked(
            "X refused the sign-in (HTTP 401): the app's keys, the callback URL or the PIN was not accepted.",
            code=401,
        )
    if status is not None and status >= 500:
        return Transient(f"X answered HTTP {status}; try again in a moment.", code=status)
    if status is not None:
        return Rejected(f"X refused the sign-in (HTTP {status}).", code=status)
    return Rejected(log_redaction.redact(str(cause)))
