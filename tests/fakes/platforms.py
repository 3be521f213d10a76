"""Fake X API v2 and Facebook Graph API, answering at the requests layer.

Built on ``responses``, so tweepy and facebook-sdk really run: they build their
URLs, sign their requests and parse the answers exactly as in production, and
only the socket is replaced. The answers copy the real APIs' shapes (see the
docstrings of FakeX and FakeGraph for what was checked and what is assumed).

In a test::

    with fake_platforms() as (x, graph):
        x.script("rate_limited", reset_in=60)          # next POST /2/tweets answers 429
        x.script("ok", latency=0.5)                    # the one after succeeds, slowly
        publisher = XAdapter(**x.credentials)
        ...
        assert x.calls_to("create")[0].json() == {"text": "..."}

Each fake records every request (method, URL, headers, body, status, outcome,
timing), counts them per endpoint, keeps the posts it created (so duplicates
and reconciliation behave like the real thing), and pops scripted answers per
endpoint; an empty script means success. A step's ``latency`` (seconds) is
slept in the request; if it exceeds the client's read timeout the fake sleeps
for the timeout, commits the request anyway (a real server does not notice the
client leaving) and raises requests' ReadTimeout.

Script kinds, both fakes: ok, timeout (ReadTimeout, nothing committed),
connection_error (nothing committed), commit_then_timeout, commit_then_error
(the post is created but the client sees a timeout / a server error).
FakeX also: duplicate, forbidden, oauth1_permissions, access_level (403 code 453),
unauthorized,
rate_limited (reset_in=seconds, family="x-rate-limit" | "x-user-limit-24hour"),
rate_limited_no_reset, payment_required, bad_request, not_found,
server_error (500), unavailable (503).
FakeGraph also: duplicate (506), invalid_parameter (100), blocked (368),
token_invalid (190), rate_limited (code=32 | 4 | 17 | 613, regain_minutes=N puts
estimated_time_to_regain_access in x-business-use-case-usage), unknown_error
(code 1), service_unavailable (code 2), bad_gateway_html (502 text/html).

In a worker subprocess (a real Celery worker started by a test)::

    IMMISNS_FAKE_PLATFORMS='{"x": {"script": {"create": [{"kind": "server_error"}]}},
                             "facebook": {"latency": 0.2}}'      # JSON, or a path to a JSON file
    IMMISNS_FAKE_PLATFORM_LOG=/tmp/calls.jsonl                    # one JSON line per request
    python -m tests.fakes.platforms celery -A immisns worker -P solo

With "log_received": true in a fake's options, the log also gets a line with
"event": "received" when a request arrives, written before any latency sleep,
so that a test sees that a call began even if the process is killed during it.
Every line carries "event": "received" or "answered" (the full record above,
written when the fake answers).

``install_from_env()`` (also callable from a worker_process_init handler) reads
both variables; each top-level key ("x", "facebook") holds FakeX / FakeGraph
keyword arguments plus "script": {endpoint: [step, ...]} where a step is
{"kind": ..., "latency": ..., "times": ..., other options}. State and scripts
live in each process: run the worker with -P solo (or threads) so that one
fake sees every call.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import itertools
import json
import os
import re
import sys
import threading
import time
import weakref
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, TypedDict, cast
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import requests
import responses
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header
from requests.structures import CaseInsensitiveDict

from tests.fakes import x_entities
from tests.fakes.oauth import FacebookLoginFake, XSignInFake
from tests.fakes.reach import GraphReachFake, XReachFake

ENV_CONFIG = "IMMISNS_FAKE_PLATFORMS"
ENV_LOG = "IMMISNS_FAKE_PLATFORM_LOG"

Answer = tuple[int, dict[str, str], str | bytes]


# -- recording ---------------------------------------------------------------


@dataclass
class MultipartField:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode()


@dataclass
class RecordedCall:
    platform: str
    endpoint: str
    method: str
    url: str
    headers: CaseInsensitiveDict[str]
    body: bytes
    outcome: str = "ok"  # the script kind that answered
    status: int | None = None  # None when the client got an exception instead
    started_at: float = 0.0  # time.time()
    duration: float = 0.0  # seconds spent in the fake, latency included

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.url).query, keep_blank_values=True)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        """An application/x-www-form-urlencoded body, one value per name."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}

    def multipart(self) -> dict[str, MultipartField]:
        return parse_multipart(self.body, self.content_type)

    def params(self) -> dict[str, str]:
        """Query, form or multipart text fields together: where facebook-sdk put the arguments."""
        merged = {k: v[-1] for k, v in self.query.items()}
        if "application/x-www-form-urlencoded" in self.content_type:
            merged.update(self.form())
        elif "multipart/form-data" in self.content_type:
            merged.update({k: f.text for k, f in self.multipart().items() if f.filename is None})
        return merged

    def as_log_entry(self, event: str = "answered") -> dict[str, Any]:
        if "multipart/form-data" in self.content_type:
            body: Any = {
                "multipart": {
                    name: (
                        {"filename": f.filename, "content_type": f.content_type, "size": len(f.data)}
                        if f.filename is not None
                        else f.text
                    )
                    for name, f in self.multipart().items()
                }
            }
        else:
            body = self.body.decode("utf-8", errors="replace")
        return {
            "event": event,
            "platform": self.platform,
            "endpoint": self.endpoint,
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "body": body,
            "status": self.status,
            "outcome": self.outcome,
            "started_at": self.started_at,
            "duration": round(self.duration, 4),
        }


def parse_multipart(body: bytes, content_type: str) -> dict[str, MultipartField]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields: dict[str, MultipartField] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True)  # bytes, or None for a part that is itself multipart
        fields[str(name)] = MultipartField(
            name=str(name),
            filename=filename,
            content_type=part.get_content_type() if filename is not None else None,
            data=payload if isinstance(payload, bytes) else b"",
        )
    return fields


def _body_bytes(request: requests.PreparedRequest) -> bytes:
    # requests leaves a body it encoded from a dict or a str as str; a multipart one is bytes.
    body = request.body or b""
    return body.encode() if isinstance(body, str) else body


# -- scripting -----------------------------------------------------------------


@dataclass
class Step:
    kind: str = "ok"
    latency: float | None = None  # None: the fake's default latency
    options: dict[str, Any] = field(default_factory=dict)


_ALL_FAKES: weakref.WeakSet[_FakePlatform] = weakref.WeakSet()


def _reset_locks_after_fork() -> None:
    for fake in list(_ALL_FAKES):
        fake._after_fork()


os.register_at_fork(after_in_child=_reset_locks_after_fork)

_COMMON_KINDS = {"ok", "timeout", "connection_error", "commit_then_timeout", "commit_then_error"}


# -- the console never answers (policy §5.1, §5.2) ----------------------------

NEVER_ANSWER = "The console never answers the public: this request would reply, comment, like, follow or repost."
_GRAPH_ANSWER_EDGES = ("comments", "likes", "reactions", "private_replies", "sharedposts")


def answering_endpoint(method: str, url: str, body: bytes | str | None = b"") -> str | None:
    """The way of answering the public ``method url body`` is, or None.

    X API v2: POST /2/tweets with a "reply" or "quote_tweet_id", POST
    /2/users/:id/likes, /following, /retweets, /bookmarks; v1.1: statuses/update
    with in_reply_to_status_id, statuses/retweet, favorites/create,
    friendships/create. Graph: POST /{id}/comments, /likes, /reactions,
    /private_replies, /sharedposts, and POST /{comment-id} with a message (an edit).
    """
    method = method.upper()
    if method != "POST":
        return None
    parts = urlsplit(url)
    path = parts.path
    raw = body.encode() if isinstance(body, str) else bytes(body or b"")
    text = raw.decode("utf-8", "replace")
    if re.fullmatch(r"api\.(?:twitter|x)\.com", parts.hostname or ""):
        if path == "/2/tweets":
            try:
                payload = json.loads(text or "{}")
            except ValueError:
                payload = {}
            if isinstance(payload, dict) and ("reply" in payload or "quote_tweet_id" in payload):
                return "x:reply" if "reply" in payload else "x:quote"
            return None
        if m := re.fullmatch(r"/2/users/\d+/(likes|following|retweets|bookmarks)", path):
            return "x:" + m.group(1)
        if path.startswith("/1.1/"):
            if re.search(r"/(?:statuses/retweet|favorites/create|friendships/create)", path):
                return "x:v1.1" + path
            if path.startswith("/1.1/statuses/update") and "in_reply_to_status_id" in (parts.query + text):
                return "x:v1.1 reply"
        return None
    if (parts.hostname or "").endswith("graph.facebook.com"):
        segments = [p for p in path.split("/") if p]
        if segments and re.fullmatch(r"v\d+\.\d+", segments[0]):
            segments = segments[1:]
        if len(segments) == 2 and segments[1] in _GRAPH_ANSWER_EDGES:
            return "facebook:" + segments[1]
        if len(segments) == 1 and "_" in segments[0]:
            fields = parse_qs(parts.query) | parse_qs(text)
            if "message" in fields:
                return "facebook:edit"
    return None


class _FakePlatform:
    platform = ""
    default_endpoint = ""
    kinds: frozenset[str] = frozenset()

    def __init__(
        self,
        *,
        latency: float = 0.0,
        log_path: str | os.PathLike[str] | None = None,
        log_received: bool = False,
        shared_posts: bool = False,
    ) -> None:
        self.latency = latency
        self.log_path = os.fspath(log_path) if log_path else None
        self.log_received = log_received  # also log each request when it arrives (see the module docstring)
        # One platform for every process sharing the log: posts created (or deleted) by any of them
        # are written to the log as "committed" ("deleted") lines and read back before each answer.
        self.shared_posts = shared_posts and self.log_path is not None
        self.calls: list[RecordedCall] = []
        self.posts: dict[str, Any] = {}
        self._scripts: dict[str, deque[Step]] = defaultdict(deque)
        self._lock = threading.RLock()
        # Ids unique across processes when they share posts, as the platform's would be.
        self._ids = itertools.count(os.getpid() * 1_000_000 + 1 if self.shared_posts else 1)
        self._shared_ids: set[str] = set()  # in the log as committed
        self._deleted_ids: set[str] = set()  # in the log as deleted
        self._log_offset = 0  # how far this process has read the shared log
        _ALL_FAKES.add(self)

    def _after_fork(self) -> None:
        # A lock held by another thread at fork time would never be released in the child.
        self._lock = threading.RLock()

    # public API

    def script(
        self, kind: str, *, endpoint: str | None = None, times: int = 1, latency: float | None = None, **options: Any
    ) -> _FakePlatform:
        """Queue ``times`` answers of ``kind`` for ``endpoint`` (default: the post-creating one)."""
        if kind not in self.kinds:
            raise ValueError(f"{type(self).__name__} has no script kind {kind!r}; known: {sorted(self.kinds)}")
        with self._lock:
            for _ in range(times):
                self._scripts[endpoint or self.default_endpoint].append(Step(kind, latency, options))
        return self

    def load_script(self, script: dict[str, list[dict[str, Any]]] | list[dict[str, Any]]) -> None:
        """Queue steps from JSON-shaped data: {endpoint: [{"kind": ..., "latency": ..., "times": ...}]}."""
        by_endpoint = {self.default_endpoint: script} if isinstance(script, list) else script
        for endpoint, steps in by_endpoint.items():
            for step in steps:
                options = dict(step)
                self.script(options.pop("kind", "ok"), endpoint=endpoint, **options)

    def pending(self, endpoint: str | None = None) -> int:
        with self._lock:
            if endpoint is None:
                return sum(len(q) for q in self._scripts.values())
            return len(self._scripts[endpoint])

    def calls_to(self, endpoint: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.endpoint == endpoint]

    def call_count(self, endpoint: str | None = None) -> int:
        return len(self.calls) if endpoint is None else len(self.calls_to(endpoint))

    def register(self, mock: responses.RequestsMock) -> None:
        for method in ("GET", "POST", "PUT", "DELETE"):
            for pattern in self._url_patterns():
                mock.add_callback(method, pattern, callback=self._handle, content_type=None)

    # subclass hooks

    def _url_patterns(self) -> list[re.Pattern[str]]:
        raise NotImplementedError

    def _route(self, request: requests.PreparedRequest) -> tuple[str, dict[str, str]]:
        raise NotImplementedError

    def _answer(self, endpoint: str, args: dict[str, str], request: requests.PreparedRequest, step: Step) -> Answer:
        raise NotImplementedError

    def _server_error(self) -> Answer:
        raise NotImplementedError

    # machinery

    def _next_id(self) -> int:
        return next(self._ids)

    def _handle(self, request: requests.PreparedRequest) -> Answer:
        started = time.time()
        body = request.body or b""
        call = RecordedCall(
            platform=self.platform,
            endpoint="unknown",
            method=str(request.method),
            url=str(request.url),
            headers=CaseInsensitiveDict(request.headers),
            body=body.encode() if isinstance(body, str) else bytes(body),
            started_at=started,
        )
        try:
            if (answering := answering_endpoint(call.method, call.url, call.body)) is not None:
                call.endpoint = "answering:" + answering
                call.status = 403
                return _json(
                    403, {"error": {"message": NEVER_ANSWER, "code": 403}}, {}, content_type="application/json"
                )
            with self._lock:
                endpoint, args = self._route(request)
                call.endpoint = endpoint
                queue = self._scripts[endpoint]
                step = queue.popleft() if queue else Step()
                call.outcome = step.kind
            if self.log_received:
                self._write_log(call, event="received")
            latency = self.latency if step.latency is None else step.latency
            timed_out = _wait(request, latency)

            if step.kind == "connection_error":
                raise requests.exceptions.ConnectionError(
                    "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))"
                )
            if step.kind == "timeout":
                raise _read_timeout(request)
            with self._lock:
                self._read_shared_posts()
                answer = self._answer(endpoint, args, request, step)
                self._write_shared_posts()
            if step.kind == "commit_then_timeout" or timed_out:
                raise _read_timeout(request)
            if step.kind == "commit_then_error":
                answer = self._server_error()
            call.status = answer[0]
            return answer
        finally:
            call.duration = time.time() - started
            with self._lock:
                self.calls.append(call)
                self._write_log(call)

    def _post_from_log(self, entry: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _read_shared_posts(self) -> None:
        if not self.shared_posts:
            return
        assert self.log_path is not None  # shared_posts is only on with a log
        try:
            with open(self.log_path, "rb") as log:
                log.seek(self._log_offset)
                chunk = log.read()
        except FileNotFoundError:
            return
        # Only whole lines; a line still being written is read next time.
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._log_offset += len(complete)
        for line in complete.decode("utf-8", errors="replace").splitlines():
            if '"committed"' not in line and '"deleted"' not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut short by a killed process
            if entry.get("platform") != self.platform or entry.get("id") is None:
                continue
            post_id = entry["id"]
            if entry.get("event") == "committed" and post_id not in self._shared_ids | self._deleted_ids:
                self._shared_ids.add(post_id)
                self.posts[post_id] = self._post_from_log(entry)
            elif entry.get("event") == "deleted":
                self._deleted_ids.add(post_id)
                self._shared_ids.discard(post_id)
                self.posts.pop(post_id, None)
        ordered = sorted(self.posts.values(), key=_created)
        self.posts.clear()
        self.posts.update((p.id, p) for p in ordered)

    def _write_shared_posts(self) -> None:
        if not self.shared_posts:
            return
        for post_id, post in self.posts.items():
            if post_id not in self._shared_ids:
                self._shared_ids.add(post_id)
                self._write_line(
                    {
                        "event": "committed",
                        "platform": self.platform,
                        "endpoint": "committed",
                        "id": post_id,
                        "text": getattr(post, "text", getattr(post, "message", "")),
                        "created_at": _created(post).isoformat(),
                    }
                )
        for post_id in list(self._shared_ids):
            if post_id not in self.posts:
                self._shared_ids.discard(post_id)
                self._deleted_ids.add(post_id)
                self._write_line({"event": "deleted", "platform": self.platform, "endpoint": "deleted", "id": post_id})

    def _write_line(self, entry: dict[str, Any]) -> None:
        assert self.log_path is not None  # only the shared posts write here, and they are only on with a log
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode())
        finally:
            os.close(fd)

    def _write_log(self, call: RecordedCall, event: str = "answered") -> None:
        if not self.log_path:
            return
        line = json.dumps(call.as_log_entry(event), ensure_ascii=False) + "\n"
        # One write on an O_APPEND descriptor, so lines from several processes do not interleave.
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)


def _created(post: Any) -> datetime:
    return getattr(post, "created_at", None) or post.created_time


def _read_timeout_seconds(request: requests.PreparedRequest) -> float | None:
    timeout = getattr(request, "req_kwargs", {}).get("timeout")
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    return float(timeout) if timeout is not None else None


def _wait(request: requests.PreparedRequest, latency: float) -> bool:
    """Sleep like a slow server; True when the client's read timeout ran out first."""
    if latency <= 0:
        return False
    limit = _read_timeout_seconds(request)
    if limit is not None and latency > limit:
        time.sleep(limit)
        return True
    time.sleep(latency)
    return False


def _read_timeout(request: requests.PreparedRequest) -> requests.exceptions.ReadTimeout:
    host = urlsplit(str(request.url)).hostname
    return requests.exceptions.ReadTimeout(
        f"HTTPSConnectionPool(host='{host}', port=443): Read timed out. (read timeout={_read_timeout_seconds(request)})"
    )


def _json(status: int, payload: Any, headers: dict[str, str] | None = None, *, content_type: str) -> Answer:
    return status, {"Content-Type": content_type, **(headers or {})}, json.dumps(payload)


# -- X -------------------------------------------------------------------------

_X_HOSTS = r"https://api\.(?:twitter|x)\.com"
_X_URL = re.compile(r"(?:https?://[^\s<>]*[^\s<>.,!?)\]」。、]|\bwww\.[^\s<>]*[^\s<>.,!?)\]」。、])")

X_DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
X_ACCESS_LEVEL = (
    "You currently have access to a subset of X API V2 endpoints and limited v1.1 endpoints (e.g. media post, "
    "oauth) only. If you need access to this endpoint, you may need a different access level. You can learn more "
    "here: https://developer.x.com/en/portal/product"
)


def _problem(status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any) -> dict[str, Any]:
    return {"title": title, "detail": detail, "type": type_, "status": status, **extra}


class XCredentials(TypedDict):
    api_key: str
    api_secret: str
    access_token: str
    access_token_secret: str
    user_id: str


@dataclass
class XPost:
    id: str
    text: str
    media_ids: list[str]
    created_at: datetime


@dataclass
class XPublicPost:
    """A post somebody else wrote: a reply to the account or a mention of it."""

    id: str
    text: str
    author_id: str
    username: str
    name: str
    created_at: datetime
    conversation_id: str
    in_reply_to: str | None
    in_reply_to_user_id: str | None
    mentions_us: bool
    hidden: bool = False
    unwound: dict[str, str] = field(default_factory=dict)  # expanded URL -> where X found it finally leads


X_HIDE_FORBIDDEN = "You attempted to hide a Tweet that is not a reply to a conversation you started."
# PUT /2/tweets/:id/hidden, after docs.x.com "Hide replies" (introduction, API reference, migration guide):
# only replies in conversations the account started; 50 requests per 15 minutes per authenticated user;
# up to 725 hidden per conversation. Assumed: the 403 detail once a conversation holds 725 hidden replies.
X_HIDE_WINDOW = 15 * 60
X_HIDE_PER_WINDOW = 50
X_HIDDEN_PER_CONVERSATION = 725
X_HIDE_LIMIT = "You have reached the maximum number of hidden replies for this conversation."


class FakeX(_FakePlatform):
    """X API v2 as tweepy 4.17 calls it, plus the v2 media endpoints.

    Checked: tweepy posts to https://api.twitter.com/2/tweets (api.x.com is
    accepted too, the media endpoints are called there); create answers 201
    {"data": {"id", "text", "edit_history_tweet_ids"}}; errors are RFC 7807
    problem documents ({"title", "detail", "type", "status"}), the duplicate 403
    carries detail "You are not allowed to create a Tweet with duplicate content.";
    429s carry x-rate-limit-limit/-remaining/-reset (epoch seconds) and posting
    also x-user-limit-24hour-*; read-back text has &, <, > HTML-escaped, URLs
    replaced by t.co links and one more t.co link appended when images are
    attached; /2/media/upload answers {"data": {"id", "media_key", ...}}.
    Listening: GET /2/users/:id/mentions and GET /2/tweets/search/recent
    (query "conversation_id:<id>", the last 7 days only) answer {"data": [...],
    "includes": {"users": [{"id", "name", "username"}]}, "meta": {"result_count",
    "newest_id", "oldest_id", "next_token"}} with since_id, max_results and
    pagination_token/next_token honoured; every link in a post's text comes back
    as a t.co address, its destination in ``entities.urls`` when asked for
    (tweet.fields=entities; tests/fakes/x_entities.py, after the data dictionary
    at docs.x.com/x-api/fundamentals/data-dictionary); PUT /2/tweets/:id/hidden with
    {"hidden": bool} answers {"data": {"hidden": bool}}, 403 outside the
    account's conversations, 429 with x-rate-limit-reset after 50 calls in 15
    minutes (see X_HIDE_WINDOW).
    Assumed (not verified against a live account): the 402 body, the answer
    to deleting an unknown id ({"data": {"deleted": false}}), the 403 detail
    for hiding a reply in a conversation the account did not start.

    Requests must carry a valid OAuth 1.0a HMAC-SHA1 signature made with
    ``credentials``; otherwise the answer is the real 401.
    """

    platform = "x"
    default_endpoint = "create"
    kinds = frozenset(
        _COMMON_KINDS
        | {
            "duplicate",
            "forbidden",
            "oauth1_permissions",
            "access_level",
            "unauthorized",
            "rate_limited",
            "rate_limited_no_reset",
            "payment_required",
            "bad_request",
            "not_found",
            "server_error",
            "unavailable",
        }
    )

    def __init__(
        self,
        *,
        user_id: str = "1500000000000000001",
        api_key: str = "fake-x-api-key",
        api_secret: str = "fake-x-api-secret",
        access_token: str = "1500000000000000001-fake-x-access-token",
        access_token_secret: str = "fake-x-access-token-secret",
        verify_signatures: bool = True,
        latency: float = 0.0,
        log_path: str | os.PathLike[str] | None = None,
        log_received: bool = False,
        shared_posts: bool = False,
    ) -> None:
        super().__init__(latency=latency, log_path=log_path, log_received=log_received, shared_posts=shared_posts)
        self.user_id = str(user_id)
        self.api_key = api_key
        self.api_secret = api_secret
        self.access_token = access_token
        self.access_token_secret = access_token_secret
        self.verify_signatures = verify_signatures
        self.posts: dict[str, XPost] = {}  # live posts, oldest first
        self.public: dict[str, XPublicPost] = {}  # what others wrote, oldest first
        self.media: dict[str, dict[str, Any]] = {}  # media id -> {"data", "mime_type", "alt_text"}
        self._tco: dict[str, str] = {}
        self.sign_in = XSignInFake(self)  # the 3-legged OAuth flow and /2/users/me (tests/fakes/oauth.py)
        self._hide_calls: list[float] = []  # when each PUT /2/tweets/:id/hidden was answered, for its rate limit
        self.reach = XReachFake(self)  # post and user lookups with public_metrics (tests/fakes/reach.py)

    @property
    def credentials(self) -> XCredentials:
        """Keyword arguments for XAdapter."""
        return {
            "api_key": self.api_key,
            "api_secret": self.api_secret,
            "access_token": self.access_token,
            "access_token_secret": self.access_token_secret,
            "user_id": self.user_id,
        }

    def add_post(self, text: str, *, media_ids: list[str] | None = None) -> XPost:
        """Seed a post that already exists on the account."""
        with self._lock:
            post = XPost(self._new_id(), text, list(media_ids or []), datetime.now(UTC))
            self.posts[post.id] = post
            return post

    def add_public(
        self,
        text: str,
        *,
        username: str = "resident_a",
        name: str = "A. Resident",
        author_id: str | None = None,
        reply_to: str | None = None,
        mentions_us: bool = True,
        age: timedelta = timedelta(0),
        unwound: dict[str, str] | None = None,
    ) -> XPublicPost:
        """Seed what a member of the public wrote: a reply to ``reply_to`` (ours or theirs) or a mention."""
        with self._lock:
            post_id = self._new_id()
            parent = self.public.get(reply_to) if reply_to else None
            if reply_to and parent is None and reply_to not in self.posts:
                raise ValueError(f"no post {reply_to} to reply to")
            conversation = parent.conversation_id if parent else (reply_to or post_id)
            reply_user = (parent.author_id if parent else self.user_id) if reply_to else None
            post = XPublicPost(
                post_id,
                text,
                author_id or str(2_000_000 + sum(map(ord, username))),
                username,
                name,
                datetime.now(UTC) - age,
                conversation,
                reply_to,
                reply_user,
                mentions_us,
                unwound=dict(unwound or {}),
            )
            self.public[post.id] = post
            return post

    def _post_from_log(self, entry: dict[str, Any]) -> XPost:
        return XPost(entry["id"], entry["text"], [], datetime.fromisoformat(entry["created_at"]))

    def rendered_text(self, post: XPost) -> str:
        """The text as X gives it back."""
        text = _X_URL.sub(lambda m: self._tco_link(m.group()), post.text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if post.media_ids:
            text += " " + self._tco_link("media:" + post.id)
        return text

    # routing

    def _url_patterns(self) -> list[re.Pattern[str]]:
        # v1.1 only so that an attempt to answer through it is seen (answering_endpoint) instead of refused unseen.
        return [re.compile(_X_HOSTS + r"/2/"), re.compile(_X_HOSTS + r"/1\.1/"), re.compile(_X_HOSTS + r"/oauth/")]

    def _route(self, request: requests.PreparedRequest) -> tuple[str, dict[str, str]]:
        path = urlsplit(str(request.url)).path
        method = request.method
        if method == "POST" and path == "/2/tweets":
            return "create", {}
        if method == "DELETE" and (m := re.fullmatch(r"/2/tweets/(\d+)", path)):
            return "delete", {"id": m.group(1)}
        if method == "GET" and (m := re.fullmatch(r"/2/users/(\d+)/tweets", path)):
            return "timeline", {"user_id": m.group(1)}
        if method == "GET" and (m := re.fullmatch(r"/2/users/(\d+)/mentions", path)):
            return "mentions", {"user_id": m.group(1)}
        if method == "GET" and path == "/2/tweets/search/recent":
            return "search", {}
        if method == "PUT" and (m := re.fullmatch(r"/2/tweets/(\d+)/hidden", path)):
            return "hide", {"id": m.group(1)}
        if method == "POST" and path == "/2/media/upload":
            return "media_upload", {}
        if method == "POST" and path == "/2/media/metadata":
            return "media_metadata", {}
        return self.reach.route(str(method), path) or self.sign_in.route(str(method), path)

    def _headers(self, *, remaining: int = 99, reset_in: int = 900) -> dict[str, str]:
        return {
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(int(time.time()) + reset_in),
            "api-version": "2.140",
        }

    def _reply(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> Answer:
        content_type = "application/problem+json" if status >= 400 else "application/json; charset=utf-8"
        return _json(status, payload, {**self._headers(), **(headers or {})}, content_type=content_type)

    def _server_error(self) -> Answer:
        return self._reply(503, _problem(503, "Service Unavailable", "Service Unavailable"))

    def _answer(self, endpoint: str, args: dict[str, str], request: requests.PreparedRequest, step: Step) -> Answer:
        scripted = self._scripted_error(step)
        if scripted is not None:
            return scripted
        if endpoint in self.sign_in.endpoints:
            return self.sign_in.answer(endpoint, request)
        if self.verify_signatures and (problem := self._oauth_problem(request)):
            return self._reply(401, _problem(401, "Unauthorized", "Unauthorized"), {"x-fake-reason": problem})
        if endpoint in self.reach.endpoints:
            return self.reach.answer(endpoint, args, request)
        handler = {
            "create": self._create,
            "delete": self._delete,
            "timeline": self._timeline,
            "mentions": self._mentions,
            "search": self._search,
            "hide": self._hide,
            "media_upload": self._media_upload,
            "media_metadata": self._media_metadata,
        }.get(endpoint)
        if handler is None:
            return self._reply(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})
        return handler(args, request)

    def _scripted_error(self, step: Step) -> Answer | None:
        o = step.options
        kind = step.kind
        if kind == "duplicate":
            return self._reply(403, _problem(403, "Forbidden", X_DUPLICATE))
        if kind == "forbidden":
            detail = o.get("detail", "You are not permitted to perform this action.")
            return self._reply(403, _problem(403, "Forbidden", detail))
        if kind == "oauth1_permissions":
            return self._reply(
                403,
                _problem(
                    403,
                    "Forbidden",
                    "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.",
                    "https://api.twitter.com/2/problems/oauth1-permissions",
                ),
            )
        if kind == "access_level":
            # What X answers (HTTP 403, v1.1-style errors array, code 453) when the app's access
            # level does not include the endpoint, e.g. reading a user's posts on the Free tier.
            return self._reply(403, {"errors": [{"code": 453, "message": X_ACCESS_LEVEL}]})
        if kind == "unauthorized":
            return self._reply(401, _problem(401, "Unauthorized", "Unauthorized"))
        if kind in ("rate_limited", "rate_limited_no_reset"):
            body = _problem(429, "Too Many Requests", "Too Many Requests")
            if kind == "rate_limited_no_reset":
                return _json(429, body, content_type="application/problem+json")
            reset_at = str(int(time.time()) + int(o.get("reset_in", 900)))
            family = o.get("family", "x-rate-limit")
            headers = self._headers(remaining=0 if family == "x-rate-limit" else 42)
            headers.update({f"{family}-limit": "100", f"{family}-remaining": "0", f"{family}-reset": reset_at})
            return _json(429, body, headers, content_type="application/problem+json")
        if kind == "payment_required":
            return self._reply(
                402,
                {
                    "account_id": 1234567890,
                    "title": "CreditsDepleted",
                    "detail": "Your enrolled account [1234567890] does not have any credits to fulfill this request.",
                    "type": "https://api.twitter.com/2/problems/credits",
                },
            )
        if kind == "bad_request":
            return self._reply(
                400,
                {
                    "errors": [{"parameters": {}, "message": o.get("message", "The request is invalid.")}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
            )
        if kind == "not_found":
            return self._reply(
                404,
                _problem(
                    404,
                    "Not Found Error",
                    "Could not find the resource.",
                    "https://api.twitter.com/2/problems/resource-not-found",
                ),
            )
        if kind == "server_error":
            return self._reply(500, _problem(500, "Internal Server Error", "Internal Server Error"))
        if kind == "unavailable":
            return self._reply(503, _problem(503, "Service Unavailable", "Service Unavailable"))
        return None

    def _oauth_problem(self, request: requests.PreparedRequest) -> str | None:
        header = request.headers.get("Authorization", "")
        try:
            oauth = dict(parse_authorization_header(header))
        except ValueError:
            return "no OAuth 1.0a Authorization header"
        if oauth.get("oauth_signature_method") != "HMAC-SHA1":
            return "not HMAC-SHA1"
        if unquote(oauth.get("oauth_consumer_key", "")) != self.api_key:
            return "unknown consumer key"
        if unquote(oauth.get("oauth_token", "")) != self.access_token:
            return "unknown access token"
        url = str(request.url)
        content_type = request.headers.get("Content-Type", "")
        body = request.body if "application/x-www-form-urlencoded" in content_type else None
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
        # verify_hmac_sha1 reads only these four attributes; the stubs type its argument as oauthlib's
        # Request, which declares neither signature nor params.
        if not oauth_signature.verify_hmac_sha1(cast(OAuthRequest, signed), self.api_secret, self.access_token_secret):
            return "bad signature"
        return None

    def _new_id(self) -> str:
        return str(1_900_000_000_000_000_000 + self._next_id())

    def _tco_link(self, key: str) -> str:
        if key not in self._tco:
            self._tco[key] = "https://t.co/" + hashlib.sha1(key.encode()).hexdigest()[:10]
        return self._tco[key]

    def _create(self, args: dict[str, str], request: requests.PreparedRequest) -> Answer:
        body = json.loads(request.body or b"{}")
        text = body.get("text")
        media_ids = [str(i) for i in (body.get("media") or {}).get("media_ids", [])]
        if not text and not media_ids:
            return self._invalid(
                "Requires one of the following properties text, media.media_ids, poll.options, quote_tweet_id, card_uri"
            )
        if any(i not in self.media for i in media_ids):
            return self._invalid("Your media IDs are invalid.")
        if text and any(p.text == text for p in self.posts.values()):
            return self._reply(403, _problem(403, "Forbidden", X_DUPLICATE))
        post = XPost(self._new_id(), text or "", media_ids, datetime.now(UTC))
        self.posts[post.id] = post
        return self._reply(
            201,
            {"data": {"id": post.id, "text": self.rendered_text(post), "edit_history_tweet_ids": [post.id]}},
            {
                "x-user-limit-24hour-limit": "100",
                "x-user-limit-24hour-remaining": "99",
                "x-user-limit-24hour-reset": str(int(time.time()) + 86400),
            },
        )

    def _invalid(self, message: str) -> Answer:
        return self._reply(
            400,
            {
                "errors": [{"parameters": {}, "message": message}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        )

    def _delete(self, args: dict[str, str], request: requests.PreparedRequest) -> Answer:
        deleted = self.posts.pop(args["id"], None) is not None
        return self._reply(200, {"data": {"deleted": deleted}})

    def _timeline(self, args: dict[str, str], request: requests.PreparedRequest) -> Answer:
        if args["user_id"] != self.user_id:
            return self._reply(200, {"meta": {"result_count": 0}})
        query = parse_qs(urlsplit(str(request.url)).query)
        limit = int(query.get("max_results", ["10"])[0])
        fields = set(",".join(query.get("tweet.fields", [""])).split(","))
        newest_first = list(reversed(self.posts.values()))[:limit]
        data = []
        for post in newest_first:
            item: dict[str, Any] = {
                "id": post.id,
                "text": self.rendered_text(post),
                "edit_history_tweet_ids": [post.id],
            }
            if _weighted_length(post.text) > 280:
                # Long posts: "text" is cut, the whole text is in note_tweet (when asked for).
                item["text"] = item["text"][:140] + "…"
                if "note_tweet" in fields:
                    item["note_tweet"] = {"text": self.rendered_text(post)}
            if "created_at" in fields:
                item["created_at"] = post.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            data.append(item)
        if not data:
            return self._reply(200, {"meta": {"result_count": 0}})
        return self._reply(
            200,
            {
                "data": data,
                "meta": {"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]},
            },
        )

    def _mentions(self, args: dict[str, str], request: requests.PreparedRequest) -> Answer:
        if args["user_id"] != self.user_id:
            return self._reply(200, {"meta": {"result_count": 0}})
        found = [p for p in self.public.values() if p.mentions_us]
        return self._listing(found, request, token_param="pagination_token", smallest_page=5)

    def _search(self, args: dict[str, str], request: requests.PreparedRequest) -> Answer:
        query = parse_qs(urlsplit(str(request.url)).query).get("query", [""])[0]
        match = re.fullmatch(r"conversation_id:(\d+)", query.strip())
        if match is None:
            return self._invalid(f"query: this fake understands only conversation_id:<id>, not {query!r}")
        week_ago = datetime.now(UTC) - timedelta(days=7)  # recent search covers the last 7 days
        found = [p for p in self.public.values() if p.conversation_id == match.group(1) and p.created_at >= week_ago]
        return self._listing(found, request, token_param="next_token", smallest_page=10)

    def _listing(
        self, found: list[XPublicPost], request: requests.PreparedRequest, *, token_param: str, smallest_page: int
    ) -> Answer:
        query = parse_qs(urlsplit(str(request.url)).query)
        limit = int(query.get("max_results", ["10"])[0])
        if not smallest_page <= limit <= 100:
            return self._invalid(
                f"The `max_results` query parameter value [{limit}] is not between {smallest_page} and 100"
            )
        since = int(query.get("since_id", ["0"])[0])
        offset = int(query.get(token_param, ["0"])[0] or 0)
        fields = set(",".join(query.get("tweet.fields", [""])).split(","))
        newest_first = [p for p in sorted(found, key=lambda p: int(p.id), reverse=True) if int(p.id) > since]
        page = newest_first[offset : offset + limit]
        if not page:
            return self._reply(200, {"meta": {"result_count": 0}})
        data = []
        for post in page:
            # Links as X gives them back: t.co in the text, the destination in entities (x_entities).
            def shorten(url: str, post: XPublicPost = post) -> str:
                return self._tco_link(f"{post.id}:{url}")

            text, urls = x_entities.wrapped(post.text, shorten, post.unwound)
            item: dict[str, Any] = {
                "id": post.id,
                "text": text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
                "edit_history_tweet_ids": [post.id],
            }
            if "entities" in fields and urls:
                item["entities"] = {"urls": urls}
            if _weighted_length(text) > 280:
                item["text"] = item["text"][:140] + "…"  # cut; the whole post is in note_tweet
                item.pop("entities", None)
                if "note_tweet" in fields:
                    item["note_tweet"] = {
                        "text": text,
                        **({"entities": {"urls": urls}} if "entities" in fields else {}),
                    }
            if "author_id" in fields:
                item["author_id"] = post.author_id
            if "conversation_id" in fields:
                item["conversation_id"] = post.conversation_id
            if "created_at" in fields:
                item["created_at"] = post.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            if "in_reply_to_user_id" in fields and post.in_reply_to_user_id:
                item["in_reply_to_user_id"] = post.in_reply_to_user_id
            if "referenced_tweets" in fields and post.in_reply_to:
                item["referenced_tweets"] = [{"type": "replied_to", "id": post.in_reply_to}]
            data.append(item)
        meta: dict[str, Any] = {"result_count": len(data), "newest_id": page[0].id, "oldest_id": page[-1].id}
        if offset + limit < len(newest_first):
            meta["next_token"] = str(offset + limit)
        payload: dict[str, Any] = {"data": data, "meta": meta}
        if "author_id" in ",".join(query.get("expansions", [""])):
            users = {p.author_id: {"id": p.author_id, "name": p.name, "username": p.username} for p in page}
            payload["includes"] = {"users": list(users.values())}
        return self._reply(200, payload)

    def _hide(self, args: dict[str, str], request: requests.PreparedRequest) -> Answer:
        body = json.loads(request.body or b"{}")
        if not isinstance(body.get("hidden"), bool):
            return self._invalid("hidden: must be a boolean")
        post = self.public.get(args["id"])
        if post is None:
            return self._reply(
                404,
                _problem(
                    404,
                    "Not Found Error",
                    f"Could not find tweet with id: [{args['id']}].",
                    "https://api.twitter.com/2/problems/resource-not-found",
                ),
            )
        if post.in_reply_to is None or post.conversation_id not in self.posts:
            return self._reply(403, _problem(403, "Forbidden", X_HIDE_FORBIDDEN))
        # docs.x.com "Hide replies" migration guide: 50 requests per 15 minutes for each authenticated user.
        now = time.time()
        self._hide_calls = [at for at in self._hide_calls if at > now - X_HIDE_WINDOW]
        if len(self._hide_calls) >= X_HIDE_PER_WINDOW:
            reset_in = int(self._hide_calls[0] + X_HIDE_WINDOW - now) + 1
            headers = {**self._headers(remaining=0, reset_in=reset_in), "x-rate-limit-limit": str(X_HIDE_PER_WINDOW)}
            body = _problem(429, "Too Many Requests", "Too Many Requests")
            return _json(429, body, headers, content_type="application/problem+json")
        self._hide_calls.append(now)
        # docs.x.com "Hide replies" introduction: "Each conversation supports hiding up to 725 Posts."
        hidden = sum(1 for p in self.public.values() if p.hidden and p.conversation_id == post.conversation_id)
        if body["hidden"] and not post.hidden and hidden >= X_HIDDEN_PER_CONVERSATION:
            return self._reply(403, _problem(403, "Forbidden", X_HIDE_LIMIT))
        post.hidden = body["hidden"]
        return self._reply(200, {"data": {"hidden": post.hidden}})

    def _media_upload(self, args: dict[str, str], request: requests.PreparedRequest) -> Answer:
        fields = parse_multipart(_body_bytes(request), request.headers.get("Content-Type", ""))
        upload = fields.get("media")
        category = fields.get("media_category")
        if upload is None or not upload.data:
            return self._invalid("media: The media field is required.")
        if category is None or category.text not in ("tweet_image", "dm_image", "subtitles"):
            return self._invalid("media_category: must be one of [tweet_image, dm_image, subtitles]")
        media_id = self._new_id()
        mime_type = fields["media_type"].text if "media_type" in fields else upload.content_type
        self.media[media_id] = {"data": upload.data, "mime_type": mime_type, "alt_text": None}
        return self._reply(
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(upload.data),
                    "expires_after_secs": 86400,
                    "image": {"image_type": mime_type, "w": 1, "h": 1},
                }
            },
        )

    def _media_metadata(self, args: dict[str, str], request: requests.PreparedRequest) -> Answer:
        body = json.loads(request.body or b"{}")
        media_id = str(body.get("id", ""))
        if media_id not in self.media:
            return self._invalid("id: media not found")
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        self.media[media_id]["alt_text"] = alt
        return self._reply(200, {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}})


def _weighted_length(text: str) -> int:
    # X counts most CJK characters as two; close enough to decide "long post" here.
    return sum(1 if ord(ch) < 0x1100 else 2 for ch in text)


# -- Facebook Graph ------------------------------------------------------------


class GraphCredentials(TypedDict):
    page_id: str
    page_access_token: str


@dataclass
class GraphPost:
    id: str
    message: str
    photo_ids: list[str]
    created_time: datetime


@dataclass
class GraphComment:
    id: str
    post_id: str
    message: str
    from_id: str | None  # None: Graph did not say who wrote it
    from_name: str
    created_time: datetime
    parent_id: str | None
    is_hidden: bool = False
    link: str = ""  # a link the person shared besides the message (the "attachment" field)


class FakeGraph(_FakePlatform):
    """The Graph API as facebook-sdk calls it for one Page, at one version only.

    Checked: POST /{page}/feed (form fields message, attached_media[n],
    access_token) answers {"id": "PAGEID_POSTID"}; POST /{page}/photos with a
    multipart "source" and published=false answers {"id": PHOTO_ID}; GET
    /{page}/posts answers {"data": [{"id", "message", "created_time"}], "paging"};
    DELETE answers {"success": true}. GET /{post}/comments (filter=stream,
    order=reverse_chronological, fields, limit, after) answers {"data": [{"id",
    "message", "from": {"id", "name"}, "created_time", "parent": {"id"},
    "is_hidden", "can_hide", "permalink_url", "attachment": {"type": "share",
    "title", "url", "target": {"url"}}}], "paging": {"cursors", "next"}}, only
    the fields asked for (Comment node reference,
    developers.facebook.com/docs/graph-api/reference/comment; a shared link's
    address goes through Facebook's l.facebook.com redirector);
    POST /{comment} is_hidden=true|false and DELETE /{comment} answer
    {"success": true}; POST /{page}/blocked user=<id> answers {"<id>": true}.
    Errors are {"error": {"message", "type",
    "code", "error_subcode", "fbtrace_id"}} with Content-Type application/json:
    HTTP 400 for 100, 190, 368 and 506, 403 for the throttling codes, 500 for
    codes 1 and 2. Requests to any other version are not matched at all, so
    responses refuses the connection.
    """

    platform = "facebook"
    default_endpoint = "feed"
    kinds = frozenset(
        _COMMON_KINDS
        | {
            "duplicate",
            "invalid_parameter",
            "blocked",
            "token_invalid",
            "rate_limited",
            "unknown_error",
            "service_unavailable",
            "bad_gateway_html",
        }
    )

    def __init__(
        self,
        *,
        page_id: str = "104000000000001",
        access_token: str = "EAAfakePageAccessToken",
        version: str = "v23.0",
        latency: float = 0.0,
        log_path: str | os.PathLike[str] | None = None,
        log_received: bool = False,
        shared_posts: bool = False,
    ) -> None:
        super().__init__(latency=latency, log_path=log_path, log_received=log_received, shared_posts=shared_posts)
        self.page_id = str(page_id)
        self.access_token = access_token
        self.version = version
        self.posts: dict[str, GraphPost] = {}  # live posts, oldest first
        self.photos: dict[
            str, dict[str, Any]
        ] = {}  # photo id -> {"data", "filename", "content_type", "published", "alt_text_custom"}
        self.comments: dict[str, GraphComment] = {}  # oldest first
        self.blocked: set[str] = set()  # people blocked from the Page
        self.login = FacebookLoginFake(self)  # Facebook Login and the Page token's checks (tests/fakes/oauth.py)
        self.reach = GraphReachFake(self)  # post fields, insights and followers (tests/fakes/reach.py)

    @property
    def credentials(self) -> GraphCredentials:
        """Keyword arguments for FacebookAdapter."""
        return {"page_id": self.page_id, "page_access_token": self.access_token}

    @property
    def base_url(self) -> str:
        return f"https://graph.facebook.com/{self.version}"

    def _post_from_log(self, entry: dict[str, Any]) -> GraphPost:
        return GraphPost(entry["id"], entry["text"], [], datetime.fromisoformat(entry["created_at"]))

    def add_post(self, message: str) -> GraphPost:
        """Seed a post that already exists on the Page."""
        with self._lock:
            post = GraphPost(f"{self.page_id}_{self._new_id()}", message, [], datetime.now(UTC))
            self.posts[post.id] = post
            return post

    def add_comment(
        self,
        post_id: str,
        message: str,
        *,
        from_id: str | None = "7100000000000001",
        from_name: str = "A. Resident",
        parent: str | None = None,
        age: timedelta = timedelta(0),
        link: str = "",
    ) -> GraphComment:
        """Seed a comment someone wrote on one of the Page's posts (or under another comment)."""
        with self._lock:
            if post_id not in self.posts:
                raise ValueError(f"no post {post_id} on the Page")
            comment = GraphComment(
                f"{post_id.split('_')[-1]}_{self._new_id()}",
                post_id,
                message,
                from_id,
                from_name,
                datetime.now(UTC) - age,
                parent,
                link=link,
            )
            self.comments[comment.id] = comment
            return comment

    # routing

    def _url_patterns(self) -> list[re.Pattern[str]]:
        return [re.compile(re.escape(self.base_url) + "/"), re.compile(self.login.dialog_pattern())]

    def _route(self, request: requests.PreparedRequest) -> tuple[str, dict[str, str]]:
        if (reading := self.reach.route(request)) is not None:
            return reading
        if (signing_in := self.login.route(request)) is not None:
            return signing_in
        path = urlsplit(str(request.url)).path.removeprefix(f"/{self.version}/")
        method = request.method
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 2 and parts[1] == "feed":
            return "feed", {"node": parts[0]}
        if method == "POST" and len(parts) == 2 and parts[1] == "photos":
            return "photos", {"node": parts[0]}
        if method == "GET" and len(parts) == 2 and parts[1] == "posts":
            return "posts", {"node": parts[0]}
        if method == "GET" and len(parts) == 2 and parts[1] == "comments":
            return "comments", {"node": parts[0]}
        if method == "POST" and len(parts) == 2 and parts[1] == "blocked":
            return "block", {"node": parts[0]}
        if method == "POST" and len(parts) == 1:
            return "update", {"node": parts[0]}
        if method == "DELETE" and len(parts) == 1:
            return "delete", {"node": parts[0]}
        return "unknown", {"path": path}

    def _error(
        self,
        status: int,
        code: int,
        message: str,
        *,
        type_: str = "OAuthException",
        subcode: int | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> Answer:
        error: dict[str, Any] = {"message": message, "type": type_, "code": code}
        if subcode is not None:
            error["error_subcode"] = subcode
        error.update(extra)
        error["fbtrace_id"] = "AFakeTrace" + hashlib.sha1(message.encode()).hexdigest()[:12]
        return _json(
            status,
            {"error": error},
            {"facebook-api-version": self.version, **(headers or {})},
            content_type="application/json; charset=UTF-8",
        )

    def _ok(self, payload: Any) -> Answer:
        return _json(
            200, payload, {"facebook-api-version": self.version}, content_type="application/json; charset=UTF-8"
        )

    def _server_error(self) -> Answer:
        return self._error(
            500, 2, "An unexpected error has occurred. Please retry your request later.", is_transient=True
        )

    def _answer(self, endpoint: str, args: dict[str, str], request: requests.PreparedRequest, step: Step) -> Answer:
        scripted = self._scripted_error(step)
        if scripted is not None:
            return scripted
        params = _request_params(request)
        if endpoint.startswith("login:"):
            return self.login.answer(endpoint, args, params, request)
        if params.get("access_token") != self.access_token:
            return self._error(
                400,
                190,
                "Invalid OAuth access token - Cannot parse access token",
                headers={
                    "WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"'
                },
            )
        if endpoint.startswith("reach:"):
            return self.reach.answer(endpoint, args, params)
        if endpoint == "unknown":
            return self._error(400, 2500, f"Unknown path components: /{args.get('path', '')}")
        if endpoint in ("feed", "photos", "posts", "block") and args["node"] != self.page_id:
            return self._error(
                400,
                100,
                f"Unsupported post request. Object with ID '{args['node']}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this operation.",
                type_="GraphMethodException",
                subcode=33,
            )
        return getattr(self, "_" + endpoint)(args, params, request)

    def _scripted_error(self, step: Step) -> Answer | None:
        o = step.options
        kind = step.kind
        if kind == "duplicate":
            return self._error(400, 506, "(#506) Duplicate status message")
        if kind == "invalid_parameter":
            return self._error(400, 100, o.get("message", "(#100) Invalid parameter"))
        if kind == "blocked":
            return self._error(
                400,
                368,
                o.get("message", "The action attempted has been deemed abusive or is otherwise disallowed"),
                subcode=1390008,
            )
        if kind == "token_invalid":
            message = "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."
            return self._error(
                400,
                190,
                message,
                subcode=460,
                headers={"WWW-Authenticate": f'OAuth "Facebook Platform" "invalid_token" "{message}"'},
            )
        if kind == "rate_limited":
            code = int(o.get("code", 32))
            messages = {
                4: "(#4) Application request limit reached",
                17: "(#17) User request limit reached",
                32: "(#32) Page request limit reached",
                613: "(#613) Calls to this api have exceeded the rate limit.",
            }
            headers: dict[str, str] = {}
            if "regain_minutes" in o:
                headers["x-business-use-case-usage"] = json.dumps(
                    {
                        self.page_id: [
                            {
                                "type": "pages",
                                "call_count": 100,
                                "total_cputime": 12,
                                "total_time": 15,
                                "estimated_time_to_regain_access": o["regain_minutes"],
                            }
                        ]
                    }
                )
            return self._error(
                403, code, messages.get(code, f"(#{code}) Rate limit reached"), is_transient=True, headers=headers
            )
        if kind == "unknown_error":
            return self._error(500, 1, "An unknown error occurred", is_transient=True)
        if kind == "service_unavailable":
            return self._error(
                500, 2, "An unexpected error has occurred. Please retry your request later.", is_transient=True
            )
        if kind == "bad_gateway_html":
            return (
                502,
                {"Content-Type": "text/html; charset=utf-8"},
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            )
        return None

    def _new_id(self) -> str:
        return str(122_000_000_000_000_000 + self._next_id())

    def _feed(self, args: dict[str, str], params: dict[str, str], request: requests.PreparedRequest) -> Answer:
        message = params.get("message", "")
        photo_ids: list[str] = []
        for key in sorted(k for k in params if k.startswith("attached_media[")):
            try:
                photo_id = str(json.loads(params[key])["media_fbid"])
            except (ValueError, KeyError, TypeError):
                return self._error(400, 100, f"(#100) param {key} must be a JSON object with media_fbid")
            if photo_id not in self.photos:
                return self._error(400, 100, f"(#100) Invalid media_fbid: {photo_id}")
            photo_ids.append(photo_id)
        if not message and not photo_ids:
            return self._error(400, 100, "(#100) Missing message or attachment")
        if message and any(p.message == message for p in self.posts.values()):
            return self._error(400, 506, "(#506) Duplicate status message")
        post = GraphPost(f"{self.page_id}_{self._new_id()}", message, photo_ids, datetime.now(UTC))
        self.posts[post.id] = post
        return self._ok({"id": post.id})

    def _photos(self, args: dict[str, str], params: dict[str, str], request: requests.PreparedRequest) -> Answer:
        content_type = request.headers.get("Content-Type", "")
        source = (
            parse_multipart(_body_bytes(request), content_type).get("source") if "multipart" in content_type else None
        )
        if source is None or not source.data:
            return self._error(400, 324, "(#324) Requires upload file")
        photo_id = self._new_id()
        published = params.get("published", "true").lower() != "false"
        self.photos[photo_id] = {
            "data": source.data,
            "filename": source.filename,
            "content_type": source.content_type,
            "published": published,
            "alt_text_custom": params.get("alt_text_custom"),
        }
        if not published:
            return self._ok({"id": photo_id})
        post = GraphPost(
            f"{self.page_id}_{self._new_id()}",
            params.get("caption", params.get("message", "")),
            [photo_id],
            datetime.now(UTC),
        )
        self.posts[post.id] = post
        return self._ok({"id": photo_id, "post_id": post.id})

    def _posts(self, args: dict[str, str], params: dict[str, str], request: requests.PreparedRequest) -> Answer:
        limit = int(params.get("limit", "25"))
        fields = set((params.get("fields") or "id,message,created_time").split(","))
        data = []
        for post in list(reversed(self.posts.values()))[:limit]:
            item: dict[str, Any] = {"id": post.id}
            if "message" in fields and post.message:  # Graph omits absent fields
                item["message"] = post.message
            if "created_time" in fields:
                item["created_time"] = post.created_time.strftime("%Y-%m-%dT%H:%M:%S+0000")
            data.append(item)
        payload: dict[str, Any] = {"data": data}
        if data:
            payload["paging"] = {"cursors": {"before": "QVFIUmFrZAWJlZAm9yZA", "after": "QVFIUmFrZAWFmdGVy"}}
        return self._ok(payload)

    def _comments(self, args: dict[str, str], params: dict[str, str], request: requests.PreparedRequest) -> Answer:
        if args["node"] not in self.posts:
            return self._missing(args["node"], "get")
        limit = int(params.get("limit", "25"))
        offset = int(params.get("after") or 0)
        fields = set((params.get("fields") or "id,message,created_time").split(","))
        found = [
            c
            for c in self.comments.values()
            if c.post_id == args["node"] and (params.get("filter") == "stream" or c.parent_id is None)
        ]
        found.sort(key=lambda c: c.created_time, reverse=params.get("order") == "reverse_chronological")
        data = []
        for comment in found[offset : offset + limit]:
            item: dict[str, Any] = {"id": comment.id}
            values = {
                "message": comment.message,
                "from": {"id": comment.from_id, "name": comment.from_name} if comment.from_id else None,
                "created_time": comment.created_time.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                "parent": {"id": comment.parent_id} if comment.parent_id else None,
                "is_hidden": comment.is_hidden,
                "can_hide": True,
                "permalink_url": f"https://www.facebook.com/{comment.post_id}?comment_id={comment.id.split('_')[-1]}",
                # A shared link, as the StoryAttachment node describes it: through Facebook's redirector.
                "attachment": (
                    {
                        "type": "share",
                        "title": comment.link,
                        "url": "https://l.facebook.com/l.php?" + urlencode({"u": comment.link, "h": "AT0fake"}),
                        "target": {"url": "https://l.facebook.com/l.php?" + urlencode({"u": comment.link})},
                    }
                    if comment.link
                    else None
                ),
            }
            item.update({k: v for k, v in values.items() if k in fields and v is not None})
            data.append(item)
        payload: dict[str, Any] = {"data": data}
        if data:
            payload["paging"] = {"cursors": {"before": str(offset), "after": str(offset + len(data))}}
            if offset + limit < len(found):
                payload["paging"]["next"] = f"{self.base_url}/{args['node']}/comments?after={offset + len(data)}"
        return self._ok(payload)

    def _update(self, args: dict[str, str], params: dict[str, str], request: requests.PreparedRequest) -> Answer:
        comment = self.comments.get(args["node"])
        if comment is None:
            return self._missing(args["node"], "post")
        if "is_hidden" not in params:
            return self._error(400, 100, "(#100) This fake updates comments only with is_hidden")
        comment.is_hidden = params["is_hidden"].lower() == "true"
        return self._ok({"success": True})

    def _block(self, args: dict[str, str], params: dict[str, str], request: requests.PreparedRequest) -> Answer:
        user = params.get("user", "")
        if not user:
            return self._error(400, 100, "(#100) The parameter user is required")
        self.blocked.add(user)
        return self._ok({user: True})

    def _missing(self, node: str, verb: str) -> Answer:
        return self._error(
            400,
            100,
            f"Unsupported {verb} request. Object with ID '{node}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation. "
            "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
            type_="GraphMethodException",
            subcode=33,
        )

    def _delete(self, args: dict[str, str], params: dict[str, str], request: requests.PreparedRequest) -> Answer:
        if self.comments.pop(args["node"], None) is not None:
            return self._ok({"success": True})
        if self.posts.pop(args["node"], None) is None and self.photos.pop(args["node"], None) is None:
            return self._missing(args["node"], "delete")
        return self._ok({"success": True})


def _request_params(request: requests.PreparedRequest) -> dict[str, str]:
    body = request.body or b""
    call = RecordedCall(
        "",
        "",
        str(request.method),
        str(request.url),
        CaseInsensitiveDict(request.headers),
        body.encode() if isinstance(body, str) else bytes(body),
    )
    return call.params()


# -- wiring --------------------------------------------------------------------


def recorded_counts() -> dict[int, int]:
    """How many requests each live fake has recorded so far (for answers_since)."""
    return {id(fake): len(fake.calls) for fake in list(_ALL_FAKES)}


def answers_since(seen: dict[int, int]) -> list[str]:
    """Every request recorded since ``seen`` that would have answered the public (answering_endpoint)."""
    found = []
    for fake in list(_ALL_FAKES):
        for call in fake.calls[seen.get(id(fake), 0) :]:
            kind = answering_endpoint(call.method, call.url, call.body)
            if kind:
                found.append(f"{call.method} {call.url} ({kind})")
    return found


@contextmanager
def fake_platforms(*, x: FakeX | None = None, graph: FakeGraph | None = None) -> Iterator[tuple[FakeX, FakeGraph]]:
    """Both fakes installed on one responses mock; any other HTTP request is refused."""
    x = x or FakeX()
    graph = graph or FakeGraph()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        x.register(mock)
        graph.register(mock)
        yield x, graph


_installed: tuple[FakeX, FakeGraph, responses.RequestsMock] | None = None


def install_from_env(environ: dict[str, str] | None = None) -> tuple[FakeX, FakeGraph] | None:
    """Install both fakes for the rest of this process when IMMISNS_FAKE_PLATFORMS is set.

    Idempotent; returns the fakes, or None when the variable is unset. The
    value is JSON or the path of a JSON file: {"x": {...FakeX kwargs, "script":
    ...}, "facebook": {...FakeGraph kwargs, "script": ...}}. Every request is
    appended as a JSON line to IMMISNS_FAKE_PLATFORM_LOG when that is set.
    """
    global _installed
    environ = dict(os.environ if environ is None else environ)
    if _installed is not None:
        return _installed[0], _installed[1]
    raw = environ.get(ENV_CONFIG)
    if not raw:
        return None
    text = raw if raw.lstrip().startswith("{") else open(raw, encoding="utf-8").read()
    config = json.loads(text)
    log_path = environ.get(ENV_LOG) or None

    fakes: list[_FakePlatform] = []
    for key, cls in (("x", FakeX), ("facebook", FakeGraph)):
        options = dict(config.get(key) or {})
        script = options.pop("script", None)
        public = options.pop("public", None)  # FakeX only: [{"text", "username", "name", ...}] (add_public)
        fake = cls(log_path=log_path, **options)
        if script:
            fake.load_script(script)
        for item in public or []:
            assert isinstance(fake, FakeX), "only the X fake takes seeded public posts"
            fake.add_public(**item)
        fakes.append(fake)
    x, graph = fakes
    assert isinstance(x, FakeX) and isinstance(graph, FakeGraph)

    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    x.register(mock)
    graph.register(mock)
    mock.start()  # never stopped: lives as long as the process
    _installed = (x, graph, mock)
    return x, graph


def main(argv: list[str]) -> None:
    """``python -m tests.fakes.platforms celery -A immisns worker -P solo``: fakes first, then Celery."""
    # Install through the importable module, not this __main__ copy, so that a later
    # install_from_env() (e.g. in a worker_process_init handler) finds the same fakes.
    from tests.fakes import platforms

    if platforms.install_from_env() is None:
        raise SystemExit(f"{ENV_CONFIG} is not set; refusing to run against the real platforms")
    if not argv or argv[0] != "celery":
        raise SystemExit("usage: python -m tests.fakes.platforms celery ARGS...")
    from celery.__main__ import main as celery_main

    sys.argv = argv
    celery_main()


if __name__ == "__main__":
    main(sys.argv[1:])
