"""The platforms' sign-in, faked as the documentation describes it: X's 3-legged OAuth 1.0a and Facebook Login.

FakeX carries an ``XSignInFake`` as ``x.sign_in`` and FakeGraph a
``FacebookLoginFake`` as ``graph.login``; each answers its endpoints on the
same responses mock (and, served by tests/fakes/loopback.py, over HTTP, the
authorisation pages included, for the demo and the browser tests).

In a test, the administrator's visit to the platform is one call::

    callback = x.sign_in.approve(authorize_url)       # the address X sends the browser back to
    callback = x.sign_in.deny(authorize_url)          # "Cancel" on X
    pin = x.sign_in.pin(authorize_url)                # the PIN X shows for callback "oob"
    x.sign_in.browser_user = x.sign_in.add_user("someone_else")   # signed in on X as another account

    callback = graph.login.approve(dialog_url)        # Facebook sends the browser back with a code
    graph.login.granted = [...]                       # permissions the person grants in the dialog
    graph.login.pages = [...]                         # the Pages the person manages (me/accounts)
"""

from __future__ import annotations

import html
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import requests
from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

if TYPE_CHECKING:
    from tests.fakes.platforms import FakeGraph, FakeX

Answer = tuple[int, dict[str, str], str | bytes]

_ids = itertools.count(1)


def browser_path(url: str) -> str:
    """The loopback server's address for a platform page the browser opens (accounts.platforms.sign_in.browser_url)."""
    return f"/browser?url={quote(url, safe='')}"


def platform_url_of(path: str) -> str:
    """The platform address a header-less browser request to the loopback server stands for, or ""."""
    parts = urlsplit(path)
    if parts.path != "/browser":
        return ""
    return unquote((parse_qs(parts.query).get("url") or [""])[0])


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def _with_query(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def _redirect(location: str) -> Answer:
    return 302, {"Location": location, "Content-Type": "text/html; charset=utf-8"}, ""


def _page(title: str, body: str) -> Answer:
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page


def _decision_links(url: str) -> str:
    allow = html.escape(browser_path(_with_query(url, {"decision": "allow"})))
    deny = html.escape(browser_path(_with_query(url, {"decision": "deny"})))
    return f'<p><a id="authorize" href="{allow}">Authorize app</a> <a id="cancel" href="{deny}">Cancel</a></p>'


# -- X -------------------------------------------------------------------------


@dataclass
class XUser:
    id: str
    username: str
    name: str


@dataclass
class _RequestToken:
    secret: str
    callback: str
    verifier: str = ""
    user: XUser | None = None
    used: bool = False


class XSignInFake:
    """X's OAuth 1.0a three-legged flow and GET /2/users/me, after docs.x.com:

    "POST oauth/request_token": signed with the consumer key only, oauth_callback in
    the Authorization header; answers oauth_token, oauth_token_secret and
    oauth_callback_confirmed=true, form-encoded. "GET oauth/authorize": the user
    authorises; X redirects to the callback (its query string kept) with
    oauth_token and oauth_verifier, or with denied=<request token>; for "oob" X
    shows a 7-digit PIN. "POST oauth/access_token": signed with the request token,
    oauth_verifier in the header; answers oauth_token, oauth_token_secret, user_id
    and screen_name; a wrong or used verifier is a 401. "GET /2/users/me":
    {"data": {"id", "name", "username"}}, with the token's access level in the
    x-access-level header ("App permissions": read, read-write,
    read-write-directmessages).
    """

    endpoints = frozenset({"oauth:request_token", "oauth:authorize", "oauth:access_token", "users_me"})

    def __init__(self, fake: FakeX, *, username: str = "MOJ_IMMI", name: str = "出入国在留管理庁") -> None:
        self.fake = fake
        self.own = XUser(fake.user_id, username, name)
        self.users = {fake.user_id: self.own}
        self.browser_user = self.own  # who is signed in on X in the administrator's browser
        self.access_level = "read-write"  # what the app's permissions give a new token
        self.request_tokens: dict[str, _RequestToken] = {}
        # access token -> (secret, user, access level); the fake's own tokens are the account's.
        self.issued: dict[str, tuple[str, XUser, str]] = {
            fake.access_token: (fake.access_token_secret, self.own, "read-write")
        }

    def add_user(self, username: str, name: str = "Someone Else") -> XUser:
        user = XUser(str(1_600_000_000_000_000_000 + next(_ids)), username, name)
        self.users[user.id] = user
        return user

    # the administrator's visit

    def approve(self, authorize_url: str) -> str:
        """The address X sends the browser back to after "Authorize app" (for "oob": the PIN page's text)."""
        _status, headers, body = self._authorize({**_query(authorize_url), "decision": "allow"})
        return headers.get("Location") or (body.decode() if isinstance(body, bytes) else body)

    def deny(self, authorize_url: str) -> str:
        return self._authorize({**_query(authorize_url), "decision": "deny"})[1]["Location"]

    def pin(self, authorize_url: str) -> str:
        self._authorize({**_query(authorize_url), "decision": "allow"})
        return self.request_tokens[_query(authorize_url)["oauth_token"]].verifier

    # routing (FakeX hooks)

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]]:
        if method == "POST" and path == "/oauth/request_token":
            return "oauth:request_token", {}
        if method == "GET" and path in ("/oauth/authorize", "/oauth/authenticate"):
            return "oauth:authorize", {}
        if method == "POST" and path == "/oauth/access_token":
            return "oauth:access_token", {}
        if method == "GET" and path == "/2/users/me":
            return "users_me", {}
        return "unknown", {}

    def answer(self, endpoint: str, request: requests.PreparedRequest) -> Answer:
        if endpoint == "oauth:authorize":
            return self._authorize(_query(str(request.url)), url=str(request.url))
        oauth = _oauth_header(request)
        if endpoint == "oauth:request_token":
            return self._request_token(request, oauth)
        if endpoint == "oauth:access_token":
            return self._access_token(request, oauth)
        return self._me(request, oauth)

    def _request_token(self, request: requests.PreparedRequest, oauth: dict[str, str]) -> Answer:
        if not _signed(request, oauth, self.fake.api_key, self.fake.api_secret, None):
            return _form(401, {"errors": "Could not authenticate you."}, json_body=True)
        callback = unquote(oauth.get("oauth_callback", ""))
        if not callback:
            return _form(400, {"errors": "oauth_callback is required"}, json_body=True)
        token, secret = "rt-" + secrets.token_hex(8), secrets.token_hex(16)
        self.request_tokens[token] = _RequestToken(secret=secret, callback=callback)
        return _form(200, {"oauth_token": token, "oauth_token_secret": secret, "oauth_callback_confirmed": "true"})

    def _authorize(self, params: dict[str, str], *, url: str = "") -> Answer:
        token = params.get("oauth_token", "")
        pending = self.request_tokens.get(token)
        if pending is None or pending.used:
            return _page("X", "<p>This page is no longer valid. It looks like someone already used the token.</p>")
        decision = params.get("decision")
        if decision is None:
            who = html.escape(self.browser_user.username)
            return _page(
                "Authorize immisns to access your account?", f"<p>Signed in as @{who}.</p>" + _decision_links(url)
            )
        if decision == "deny":
            return _redirect(_with_query(pending.callback, {"denied": token}))
        pending.user = self.browser_user
        pending.verifier = (
            str(1_000_000 + secrets.randbelow(9_000_000)) if pending.callback == "oob" else secrets.token_hex(16)
        )
        if pending.callback == "oob":
            return _page("Authorization PIN", f'<p>Enter this PIN: <code id="pin">{pending.verifier}</code></p>')
        return _redirect(_with_query(pending.callback, {"oauth_token": token, "oauth_verifier": pending.verifier}))

    def _access_token(self, request: requests.PreparedRequest, oauth: dict[str, str]) -> Answer:
        token = unquote(oauth.get("oauth_token", ""))
        pending = self.request_tokens.get(token)
        verifier = unquote(oauth.get("oauth_verifier", ""))
        if (
            pending is None
            or pending.used
            or pending.user is None
            or not verifier
            or verifier != pending.verifier
            or not _signed(request, oauth, self.fake.api_key, self.fake.api_secret, pending.secret)
        ):
            return (
                401,
                {"Content-Type": "text/plain"},
                "Error processing your OAuth request: Invalid oauth_verifier parameter",
            )
        pending.used = True
        user = pending.user
        if user is self.own and self.access_level == "read-write":
            access, secret = self.fake.access_token, self.fake.access_token_secret
        else:
            access, secret = f"{user.id}-" + secrets.token_hex(12), secrets.token_hex(20)
        self.issued[access] = (secret, user, self.access_level)
        return _form(
            200, {"oauth_token": access, "oauth_token_secret": secret, "user_id": user.id, "screen_name": user.username}
        )

    def _me(self, request: requests.PreparedRequest, oauth: dict[str, str]) -> Answer:
        found = self.issued.get(unquote(oauth.get("oauth_token", "")))
        if found is None or not _signed(request, oauth, self.fake.api_key, self.fake.api_secret, found[0]):
            return self.fake._reply(
                401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
            )
        _secret, user, level = found
        return self.fake._reply(
            200, {"data": {"id": user.id, "name": user.name, "username": user.username}}, {"x-access-level": level}
        )

    def revoke(self, access_token: str) -> None:
        """The account removed the app on X: its tokens answer 401 from now on."""
        self.issued.pop(access_token, None)


def _authorization(request: requests.PreparedRequest) -> str:
    header = request.headers.get("Authorization", "")
    return header.decode() if isinstance(header, bytes) else header  # requests-oauthlib's session sends bytes


def _oauth_header(request: requests.PreparedRequest) -> dict[str, str]:
    try:
        return dict(parse_authorization_header(_authorization(request)))
    except ValueError:
        return {}


def _signed(
    request: requests.PreparedRequest, oauth: dict[str, str], key: str, secret: str, token_secret: str | None
) -> bool:
    if unquote(oauth.get("oauth_consumer_key", "")) != key or oauth.get("oauth_signature_method") != "HMAC-SHA1":
        return False
    url = str(request.url)
    header = _authorization(request)
    body = request.body if "application/x-www-form-urlencoded" in request.headers.get("Content-Type", "") else None
    if isinstance(body, bytes):
        body = body.decode()
    signed = SimpleNamespace(
        uri=url,
        http_method=request.method,
        signature=unquote(oauth.get("oauth_signature", "")),
        params=oauth_signature.collect_parameters(
            uri_query=urlsplit(url).query, body=body or [], headers={"Authorization": header}
        ),
    )
    return oauth_signature.verify_hmac_sha1(signed, secret, token_secret)  # type: ignore[arg-type]


def _form(status: int, values: dict[str, str], *, json_body: bool = False) -> Answer:
    if json_body:
        return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(values)
    return status, {"Content-Type": "application/x-www-form-urlencoded"}, urlencode(values)


# -- Facebook -----------------------------------------------------------------

ALL_PERMISSIONS = [
    "pages_show_list",
    "pages_manage_posts",
    "pages_read_engagement",
    "pages_read_user_content",
    "pages_manage_engagement",
    "pages_manage_metadata",
]


@dataclass
class FakePage:
    id: str
    name: str
    username: str
    access_token: str
    tasks: list[str] = field(
        default_factory=lambda: ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"]
    )


class FacebookLoginFake:
    """Facebook Login for a Page, after developers.facebook.com:

    "Manually Build a Login Flow": the dialog at www.facebook.com/{version}/dialog/oauth
    redirects to redirect_uri with code and state, or with error=access_denied,
    error_code=200, error_description=Permissions error, error_reason=user_denied and
    state; GET /oauth/access_token with client_id, redirect_uri (the same), client_secret
    and code answers {"access_token", "token_type": "bearer", "expires_in"}; a code is
    used once (error 100, subcode 36009). "Long-Lived Access Tokens": grant_type=
    fb_exchange_token answers the same shape, about 60 days. "User /accounts": {"data":
    [{"access_token", "category", "name", "id", "tasks"}], "paging": {"cursors":
    {"before", "after"}}}. "Debug Token": {"data": {"app_id", "type": "PAGE",
    "application", "data_access_expires_at", "expires_at": 0, "is_valid", "issued_at",
    "profile_id", "scopes", "user_id"}}; an unknown token: is_valid false with an
    "error". "Page": GET /{page-id}?fields=id,name,username.
    """

    def __init__(
        self,
        fake: FakeGraph,
        *,
        app_id: str = "fake-facebook-app-id",
        app_secret: str = "fake-facebook-app-secret",
        username: str = "ImmigrationServicesAgency.MOJ",
        name: str = "出入国在留管理庁",
    ) -> None:
        self.fake = fake
        self.app_id = app_id
        self.app_secret = app_secret
        self.page = FakePage(fake.page_id, name, username, fake.access_token)
        self.pages: list[FakePage] = [self.page]  # what the person signed in on Facebook manages
        self.granted: list[str] = list(ALL_PERMISSIONS)  # what they grant in the dialog
        self.user_id = "7200000000000001"
        self._codes: dict[str, tuple[str, bool]] = {}  # code -> (redirect_uri, used)
        self._user_tokens: dict[str, str] = {}  # user token -> "short" | "long"
        self._page_tokens: dict[str, tuple[FakePage, list[str]]] = {
            fake.access_token: (self.page, list(ALL_PERMISSIONS))
        }

    def add_page(self, page_id: str, name: str, username: str) -> FakePage:
        """Another Page the person signed in on Facebook manages, with its own Page token."""
        page = FakePage(str(page_id), name, username, f"{self.page.access_token}{page_id}")
        self.pages.append(page)
        return page

    def dialog_pattern(self) -> str:
        return rf"https://www\.facebook\.com/{self.fake.version}/dialog/"

    # the administrator's visit

    def approve(self, dialog_url: str) -> str:
        return self._dialog({**_query(dialog_url), "decision": "allow"})[1]["Location"]

    def deny(self, dialog_url: str) -> str:
        return self._dialog({**_query(dialog_url), "decision": "deny"})[1]["Location"]

    def revoke(self, page_token: str) -> None:
        self._page_tokens.pop(page_token, None)

    # routing (FakeGraph hooks)

    def route(self, request: requests.PreparedRequest) -> tuple[str, dict[str, str]] | None:
        parts = urlsplit(str(request.url))
        path = parts.path.removeprefix(f"/{self.fake.version}/").strip("/")
        if parts.hostname == "www.facebook.com":
            return ("login:dialog", {}) if path == "dialog/oauth" else None
        if request.method != "GET":
            return None
        if path == "oauth/access_token":
            return "login:access_token", {}
        if path == "me/accounts":
            return "login:accounts", {}
        if path == "debug_token":
            return "login:debug_token", {}
        if path == "me" or path in {page.id for page in self.pages} | {self.fake.page_id}:
            return "login:page", {"node": path}
        return None

    def answer(
        self, endpoint: str, args: dict[str, str], params: dict[str, str], request: requests.PreparedRequest
    ) -> Answer:
        if endpoint == "login:dialog":
            return self._dialog(_query(str(request.url)), url=str(request.url))
        if endpoint == "login:access_token":
            return self._access_token(params)
        if endpoint == "login:accounts":
            return self._accounts(params)
        if endpoint == "login:debug_token":
            return self._debug_token(params)
        return self._page(args, params)

    def _dialog(self, params: dict[str, str], *, url: str = "") -> Answer:
        redirect_uri, state = params.get("redirect_uri", ""), params.get("state", "")
        if params.get("client_id") != self.app_id or not redirect_uri:
            return _page("Facebook", "<p>Invalid App ID or redirect_uri.</p>")
        decision = params.get("decision")
        if decision is None:
            return _page(
                "immisns is requesting access",
                f"<p>Pages: {html.escape(', '.join(page.name for page in self.pages))}</p>" + _decision_links(url),
            )
        if decision == "deny":
            return _redirect(
                _with_query(
                    redirect_uri,
                    {
                        "error": "access_denied",
                        "error_code": "200",
                        "error_description": "Permissions error",
                        "error_reason": "user_denied",
                        "state": state,
                    },
                )
            )
        code = "AQ" + secrets.token_urlsafe(24)
        self._codes[code] = (redirect_uri, False)
        return _redirect(_with_query(redirect_uri, {"code": code, "state": state}))

    def _access_token(self, params: dict[str, str]) -> Answer:
        if params.get("client_id") != self.app_id or params.get("client_secret") != self.app_secret:
            return self.fake._error(400, 1, "Error validating client secret.", type_="OAuthException")
        if params.get("grant_type") == "fb_exchange_token":
            if self._user_tokens.get(params.get("fb_exchange_token", "")) is None:
                return self.fake._error(400, 190, "Invalid OAuth access token - Cannot parse access token")
            token = "EAAlong" + secrets.token_hex(12)
            self._user_tokens[token] = "long"
            return self.fake._ok({"access_token": token, "token_type": "bearer", "expires_in": 5183944})
        code = params.get("code", "")
        known = self._codes.get(code)
        if known is None:
            return self.fake._error(400, 100, "Invalid verification code format.", subcode=36008)
        if known[1]:
            return self.fake._error(400, 100, "This authorization code has been used.", subcode=36009)
        if known[0] != params.get("redirect_uri"):
            return self.fake._error(
                400,
                100,
                "Error validating verification code. Please make sure your redirect_uri is identical "
                "to the one you used in the OAuth dialog request",
                subcode=36008,
            )
        self._codes[code] = (known[0], True)
        token = "EAAshort" + secrets.token_hex(12)
        self._user_tokens[token] = "short"
        return self.fake._ok({"access_token": token, "token_type": "bearer", "expires_in": 5183})

    def _accounts(self, params: dict[str, str]) -> Answer:
        if params.get("access_token") not in self._user_tokens:
            return self.fake._error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        data = []
        for page in self.pages:
            self._page_tokens.setdefault(page.access_token, (page, list(self.granted)))
            self._page_tokens[page.access_token] = (page, list(self.granted))
            data.append(
                {
                    "access_token": page.access_token,
                    "category": "Government organization",
                    "name": page.name,
                    "id": page.id,
                    "tasks": page.tasks,
                }
            )
        return self.fake._ok({"data": data, "paging": {"cursors": {"before": "QVFIUmJl", "after": "QVFIUmFm"}}})

    def _debug_token(self, params: dict[str, str]) -> Answer:
        if params.get("access_token") != f"{self.app_id}|{self.app_secret}":
            return self.fake._error(400, 190, "Invalid OAuth access token signature.")
        found = self._page_tokens.get(params.get("input_token", ""))
        if found is None:
            return self.fake._ok(
                {
                    "data": {
                        "error": {"code": 190, "message": "Invalid OAuth access token."},
                        "is_valid": False,
                        "scopes": [],
                    }
                }
            )
        page, scopes = found
        now = int(time.time())
        return self.fake._ok(
            {
                "data": {
                    "app_id": self.app_id,
                    "type": "PAGE",
                    "application": "immisns",
                    "data_access_expires_at": now + 90 * 86400,
                    "expires_at": 0,
                    "is_valid": True,
                    "issued_at": now,
                    "profile_id": page.id,
                    "scopes": scopes,
                    "user_id": self.user_id,
                }
            }
        )

    def _page(self, args: dict[str, str], params: dict[str, str]) -> Answer:
        found = self._page_tokens.get(params.get("access_token", ""))
        if found is None:
            return self.fake._error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        page = found[0]
        if args["node"] not in ("me", page.id):
            return self.fake._missing(args["node"], "get")
        fields = (params.get("fields") or "id,name").split(",")
        values: dict[str, Any] = {"id": page.id, "name": page.name, "username": page.username}
        return self.fake._ok({name: values[name] for name in fields if name in values})
