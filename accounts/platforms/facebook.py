"""The adapter for Facebook Pages through facebook-sdk's GraphAPI.

facebook-sdk 3.1.0 facts this module relies on (read from the installed source):

* ``GraphAPI.__init__`` accepts only versions 2.8-3.1 (all retired) and raises
  GraphAPIError for anything else; without a version it uses 2.8. Every URL is
  built as ``FACEBOOK_GRAPH_URL + self.version + "/" + path``, so we construct
  it without a version and then set ``graph.version = "v23.0"``.
* It never looks at the HTTP status: a JSON body with an "error" key becomes
  GraphAPIError(result) with ``.code`` = error.code and ``.result`` = the whole
  body; a body that is not JSON (an HTML 502 from a proxy) becomes
  GraphAPIError("Maintype was not text, image, or querystring"); a response
  with no Content-Type header at all makes it raise KeyError.
* It exposes neither the status nor the headers (x-business-use-case-usage
  carries estimated_time_to_regain_access), so we give it a session that
  remembers the last response.
* requests' exceptions are not wrapped. GET and DELETE put access_token in the
  query string, so their messages contain the token: we never pass them on.
"""

from __future__ import annotations

import functools
import json
import logging
import mimetypes
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import facebook
import requests

from immisns import log_redaction

from .base import (
    AuthRevoked,
    MediaItem,
    PlatformError,
    PublicReply,
    PublishResult,
    RateLimited,
    Rejected,
    ReplyBatch,
    ReplyLink,
    Transient,
    comparable_text,
    request_timeout,
    route_to_fake_platform,
)
from .capabilities import FACEBOOK as FACEBOOK_CAPABILITIES
from .reach import (
    FACEBOOK_PAGE_FIELDS,
    FACEBOOK_POST_FIELDS,
    FACEBOOK_POST_INSIGHTS,
    AccountReach,
    PostReach,
    ReachBatch,
    facebook_post_figures,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

POST_URL = "https://www.facebook.com/{id}"
RECENT_LIMIT = 25
# GET /{post-id}/comments: every comment, replies to comments included, newest first.
# The Comment node's documented fields (developers.facebook.com/docs/graph-api/reference/comment):
# "attachment" carries a link or photo the person added besides the message.
COMMENT_FIELDS = "id,message,from,created_time,parent,is_hidden,can_hide,permalink_url,attachment"
# Facebook sends a shared link through its own redirector, the destination in "u".
LINK_SHIM_HOSTS = frozenset({"l.facebook.com", "lm.facebook.com"})
COMMENT_PAGE_SIZE = 100

# Graph error codes (https://developers.facebook.com/docs/graph-api/guides/error-handling,
# .../overview/rate-limiting): 4 app, 17 user, 32 page, 341 app, 613 call-rate and
# 80001 Pages business-use-case throttling.
RATE_LIMIT_CODES = frozenset({4, 17, 32, 341, 613, 80001})
TRANSIENT_CODES = frozenset({1, 2})  # "unknown error" / "service temporarily unavailable"
# 190 invalid or expired token, 102 session expired, 10 and 200-299 permission
# missing or withdrawn: all need the Page to be connected again.
AUTH_CODES = frozenset({10, 102, 190, *range(200, 300)})
DUPLICATE_CODE = 506
# The usage headers only ever carry a wait in minutes; without one, wait this long.
RATE_LIMIT_FALLBACK = timedelta(minutes=10)
# Never wait less than this (the adapter is given settings.PUBLISHING_RATE_LIMIT_FLOOR_SECONDS).
RATE_LIMIT_FLOOR = timedelta(seconds=2)
_USAGE_HEADERS = ("x-business-use-case-usage", "x-page-usage", "x-app-usage")


class _RecordingSession(requests.Session):
    """Keeps the last response, whose status and usage headers facebook-sdk discards;
    no request outlives the send's deadline.

    One publisher serves one task at a time, so one slot is enough.
    """

    def __init__(self, timeout: float) -> None:
        super().__init__()
        route_to_fake_platform(self)
        self.default_timeout = timeout
        self.last_response: requests.Response | None = None
        self.deadline: float | None = None  # time.monotonic() value, set for one call

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        self.last_response = None
        timeout = kwargs.get("timeout") or self.default_timeout
        kwargs["timeout"] = request_timeout(timeout, self.deadline, platform="Facebook")
        response = super().request(method, url, *args, **kwargs)
        self.last_response = response
        return response


class FacebookAdapter:
    def __init__(
        self,
        *,
        page_id: str,
        page_access_token: str,
        version: str = "v23.0",
        timeout: float = 15,
        rate_limit_floor: float = RATE_LIMIT_FLOOR.total_seconds(),
    ) -> None:
        # urllib3 logs every URL at DEBUG, and facebook-sdk puts the token in GET and DELETE URLs.
        log_redaction.remember(page_access_token)
        self._page_id = str(page_id)
        self._token = page_access_token
        self._timeout = timeout
        self._rate_limit_floor = timedelta(seconds=rate_limit_floor)
        self._session = _RecordingSession(timeout)
        self._graph = facebook.GraphAPI(access_token=page_access_token, timeout=timeout, session=self._session)
        # After construction, because the constructor rejects any version above 3.1.
        self._graph.version = version if version.startswith("v") else f"v{version}"

    def __repr__(self) -> str:
        return f"<FacebookAdapter page_id={self._page_id} version={self._graph.version}>"  # never the token

    # -- PlatformAdapter --------------------------------------------------------

    def publish(
        self,
        text: str,
        media: Sequence[MediaItem] = (),
        *,
        deadline: float | None = None,
        sending: Callable[[], None] | None = None,
    ) -> PublishResult:
        self._session.deadline = deadline
        try:
            return self._publish(text, media, sending)
        finally:
            self._session.deadline = None

    def _publish(self, text: str, media: Sequence[MediaItem], sending: Callable[[], None] | None) -> PublishResult:
        # With images: upload each unpublished, then create one feed post that
        # attaches them. One path for one or many images, and the result is
        # always a feed post id (PAGEID_POSTID) that /posts lists and delete removes,
        # where a single /photos post would give a photo id plus a post_id.
        for item in media:
            if not item.mime_type.startswith("image/"):
                raise Rejected(f"Facebook posts accept images only here, not {item.mime_type}.")
        fields: dict[str, str] = {}
        if text:
            fields["message"] = text
        for index, item in enumerate(media):
            fields[f"attached_media[{index}]"] = json.dumps({"media_fbid": self._upload_photo(item)})
        if sending is not None:
            sending()  # the next request may create the post
        result = self._call(lambda: self._graph.put_object(self._page_id, "feed", **fields))
        post_id = str(_new_id(result, "post"))
        return PublishResult(external_id=post_id, url=POST_URL.format(id=post_id))

    def delete(self, external_id: str) -> None:
        result = self._call(lambda: self._graph.delete_object(external_id))
        if not (isinstance(result, dict) and result.get("success")):
            raise Rejected("Facebook did not delete the post.")

    def find_recent(self, text: str, *, deadline: float | None = None) -> PublishResult | None:
        # Facebook returns the message exactly as sent (links are not rewritten).
        wanted = comparable_text(text)
        self._session.deadline = deadline
        try:
            result = self._call(
                lambda: self._graph.get_connections(
                    self._page_id, "posts", fields="id,message,created_time", limit=RECENT_LIMIT
                )
            )
        finally:
            self._session.deadline = None
        for post in result.get("data", []):
            if comparable_text(post.get("message", "")) == wanted:
                post_id = str(post["id"])
                return PublishResult(external_id=post_id, url=POST_URL.format(id=post_id))
        return None

    # -- ListeningAdapter -------------------------------------------------------

    capabilities = FACEBOOK_CAPABILITIES  # deletes comments; blocks through the Page's blocked list

    def mentions(self, *, after: str | None = None, limit: int = 500) -> ReplyBatch:
        # What the public writes to a Page arrives as comments on its posts (replies_to).
        return ReplyBatch((), after, 0)

    def replies_to(self, post_id: str, *, after: str | None = None, limit: int = 500) -> ReplyBatch:
        """Comments on a Page post newer than ``after`` (the newest created_time read before).

        Graph comment ids carry no order, so the cursor is a time: comments
        created in the same second as the cursor are read again and recognised
        by their ids.
        """
        since = _graph_time(after) if after else None
        replies: list[PublicReply] = []
        newest: str | None = None  # created_time of the first (newest) comment read
        paging: dict[str, str] = {}
        while True:
            page = self._call(
                functools.partial(
                    self._graph.get_connections,
                    post_id,
                    "comments",
                    filter="stream",
                    order="reverse_chronological",
                    fields=COMMENT_FIELDS,
                    limit=COMMENT_PAGE_SIZE,
                    **paging,
                )
            )
            for item in page.get("data", []):
                reply = _public_comment(item, post_id)
                if since is not None and reply.created_at < since:
                    return ReplyBatch(tuple(replies), newest or after, len(replies))
                newest = newest or item.get("created_time")
                replies.append(reply)
            after_cursor = ((page.get("paging") or {}).get("cursors") or {}).get("after")
            if not (page.get("paging") or {}).get("next") or not after_cursor:
                return ReplyBatch(tuple(replies), newest or after, len(replies))
            if len(replies) >= limit:
                return ReplyBatch(tuple(replies), after, len(replies), complete=False)
            paging = {"after": after_cursor}

    def set_hidden(self, reply_id: str, hidden: bool) -> None:
        """POST /{comment-id} is_hidden=true|false."""
        result = self._call(
            lambda: self._graph.request(
                f"{self._graph.version}/{reply_id}", post_args={"is_hidden": "true" if hidden else "false"}
            )
        )
        if not (isinstance(result, dict) and result.get("success")):
            raise Rejected("Facebook did not confirm that the comment is " + ("hidden." if hidden else "shown again."))

    def delete_reply(self, reply_id: str) -> None:
        result = self._call(lambda: self._graph.delete_object(reply_id))
        if not (isinstance(result, dict) and result.get("success")):
            raise Rejected("Facebook did not delete the comment.")

    def ban(self, author_id: str) -> None:
        """POST /{page-id}/blocked user=<id>: the person can no longer comment on the Page."""
        if not author_id:
            raise Rejected("Facebook did not say who wrote this comment, so it cannot be blocked here.")
        result = self._call(
            lambda: self._graph.request(f"{self._graph.version}/{self._page_id}/blocked", post_args={"user": author_id})
        )
        if not (isinstance(result, dict) and result.get(str(author_id)) is True):
            raise Rejected("Facebook did not confirm that the person is blocked from the Page.")

    # -- ReachAdapter (accounts/platforms/reach.py) ------------------------------

    def post_reach(self, external_ids: Sequence[str], *, skip_metrics: Sequence[str] = ()) -> ReachBatch:
        """Each post's reactions, comments and shares, then its insights; metrics refused with #100 are gone."""
        posts: list[PostReach] = []
        gone_metrics: list[str] = [m for m in skip_metrics if m in FACEBOOK_POST_INSIGHTS]
        for post_id in external_ids:
            try:
                item = self._call(functools.partial(self._graph.get_object, post_id, fields=FACEBOOK_POST_FIELDS))
            except Rejected as exc:
                if exc.code == 100:  # "Object with ID … does not exist": deleted on the Page
                    posts.append(PostReach(external_id=str(post_id), gone=True))
                    continue
                raise
            figures, read = facebook_post_figures(item)
            values = self._insights(
                str(post_id), [m for m in FACEBOOK_POST_INSIGHTS if m not in gone_metrics], gone_metrics
            )
            for metric, value in values.items():
                figures[FACEBOOK_POST_INSIGHTS[metric]] = value
                read.append(metric)
            posts.append(PostReach(external_id=str(post_id), figures=figures, metrics=tuple(read)))
        return ReachBatch(tuple(posts), len(posts), tuple(gone_metrics))

    def _insights(self, post_id: str, metrics: list[str], gone: list[str]) -> dict[str, int]:
        """GET /{post-id}/insights?metric=…; one unknown metric fails the request (#100): each is then tried alone."""
        if not metrics:
            return {}
        try:
            result = self._call(lambda: self._graph.get_connections(post_id, "insights", metric=",".join(metrics)))
        except Rejected as exc:
            if exc.code != 100:
                raise
            if len(metrics) == 1:
                gone.append(metrics[0])
                return {}
            values: dict[str, int] = {}
            for metric in metrics:
                values.update(self._insights(post_id, [metric], gone))
            return values
        values = {}
        for entry in result.get("data", []):
            value = ((entry.get("values") or [{}])[-1] or {}).get("value")
            if entry.get("name") in metrics and isinstance(value, int):
                values[entry["name"]] = value
        return values

    def account_reach(self) -> AccountReach:
        """GET /{page-id}?fields=followers_count."""
        result = self._call(lambda: self._graph.get_object(self._page_id, fields=FACEBOOK_PAGE_FIELDS))
        followers = result.get(FACEBOOK_PAGE_FIELDS) if isinstance(result, dict) else None
        return AccountReach(followers if isinstance(followers, int) else None, 1)

    # -- internals -----------------------------------------------------------

    def _upload_photo(self, item: MediaItem) -> str:
        extension = mimetypes.guess_extension(item.mime_type) or ""
        fields = {"published": "false"}
        if item.alt_text.strip():
            fields["alt_text_custom"] = item.alt_text  # the Photo node's user-provided alt text
        result = self._call(
            lambda: self._graph.put_photo(
                (f"image{extension}", item.data, item.mime_type), album_path=f"{self._page_id}/photos", **fields
            )
        )
        return str(_new_id(result, "photo"))

    def _call(self, fn: Callable[[], T]) -> T:
        # The error is raised after the except block on purpose: no __context__
        # chain, because requests' messages carry URLs with the access token.
        try:
            return fn()
        except facebook.GraphAPIError as exc:
            error = self._map_graph_error(exc)
        except requests.Timeout as exc:
            error = Transient(f"Facebook did not answer within {self._timeout} seconds ({type(exc).__name__}).")
        except requests.ConnectionError as exc:
            error = Transient(f"Could not connect to Facebook: {self._redact(str(exc))}")
        except (requests.RequestException, KeyError, ValueError):
            # facebook-sdk choking on an answer without a (valid) JSON body.
            error = self._map_unreadable_answer()
        raise error

    def _map_graph_error(self, exc: facebook.GraphAPIError) -> PlatformError:
        body = _object(exc.result)
        details = _object(body.get("error"))
        if not details and not isinstance(exc.result, dict):
            return self._map_unreadable_answer()  # facebook-sdk's own "Maintype was not ..." complaint

        code = exc.code if exc.code is not None else details.get("code")
        message = self._redact(str(details.get("message") or exc.message))
        response = self._session.last_response
        status = response.status_code if response is not None else None
        log.info(
            "Graph error code=%s subcode=%s status=%s fbtrace_id=%s",
            code,
            details.get("error_subcode"),
            status,
            details.get("fbtrace_id"),
        )

        if code in RATE_LIMIT_CODES:
            return RateLimited(message, until=graph_rate_limit_until(response, floor=self._rate_limit_floor), code=code)
        if code in TRANSIENT_CODES:
            return Transient(message, code=code)
        if code in AUTH_CODES:
            return AuthRevoked(message, code=code)
        if code == DUPLICATE_CODE:
            return Rejected(message, code=code, duplicate=True)
        if code in (100, 368):  # invalid parameter; blocked as abusive or repeated content
            return Rejected(message, code=code)
        if (status is not None and status >= 500) or details.get("is_transient"):
            return Transient(message, code=code if code is not None else status)
        return Rejected(message, code=code if code is not None else status)

    def _map_unreadable_answer(self) -> PlatformError:
        response = self._session.last_response
        if response is None or response.status_code >= 500:
            status = response.status_code if response is not None else "no"
            return Transient(
                f"Facebook answered HTTP {status} without a readable body.", code=getattr(response, "status_code", None)
            )
        if response.status_code == 429:
            return RateLimited(
                "Facebook answered HTTP 429.",
                until=graph_rate_limit_until(response, floor=self._rate_limit_floor),
                code=429,
            )
        return Rejected(
            f"Facebook answered HTTP {response.status_code} {response.reason} without a readable body.",
            code=response.status_code,
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "[access token]") if self._token else text


def _object(value: object) -> dict[str, Any]:
    """A JSON object of an answer, or {} where the answer has something else (or nothing) there."""
    return value if isinstance(value, dict) else {}


def _graph_time(text: str) -> datetime:
    """A Graph API time, as 2024-05-01T09:30:00+0000 (aware)."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")


def _public_comment(item: dict[str, Any], post_id: str) -> PublicReply:
    author = _object(item.get("from"))
    parent = _object(item.get("parent"))
    created = item.get("created_time")
    comment_id = str(item["id"])
    return PublicReply(
        external_id=comment_id,
        text=str(item.get("message", "")),
        author_id=str(author.get("id", "")),
        author_handle="",
        author_name=str(author.get("name", "")),
        created_at=_graph_time(created) if created else datetime.now(UTC),
        url=str(item.get("permalink_url") or POST_URL.format(id=comment_id)),
        answers=str(parent["id"]) if parent.get("id") else post_id,
        conversation=post_id,
        hidden=bool(item.get("is_hidden")),
        links=_attachment_links(item.get("attachment")),
    )


def _attachment_links(attachment: Any) -> tuple[ReplyLink, ...]:
    """The link a comment's attachment shares (outside the text), its destination read from the redirector."""
    # Photos, stickers and videos are Facebook's own pages; only a shared link leads elsewhere.
    if not isinstance(attachment, dict) or attachment.get("type", "share") != "share":
        return ()
    target = attachment.get("target")
    if not isinstance(target, dict):
        target = {}
    url = str(target.get("url") or attachment.get("url") or "")
    if not url:
        return ()
    expanded = url
    parts = urlsplit(url)
    if (parts.hostname or "").lower() in LINK_SHIM_HOSTS:
        expanded = (parse_qs(parts.query).get("u") or [url])[0]
    return (ReplyLink(url=url, expanded_url=expanded),)


def _new_id(result: Any, what: str) -> str:
    if isinstance(result, dict) and result.get("id"):
        return str(result["id"])
    raise Rejected(f"Facebook did not return the new {what}'s id.")


def graph_rate_limit_until(
    response: requests.Response | None, *, now: datetime | None = None, floor: timedelta = RATE_LIMIT_FLOOR
) -> datetime:
    """When Graph throttling lifts: the longest estimated_time_to_regain_access (minutes)
    in the usage headers, else now + RATE_LIMIT_FALLBACK.

    x-business-use-case-usage looks like {"<id>": [{"type": "pages", "call_count": 100,
    ..., "estimated_time_to_regain_access": 5}]}; x-app-usage and x-page-usage are
    flat objects and normally carry no wait, but are read the same way in case they do.
    """
    now = now or datetime.now(UTC)
    minutes = 0.0
    if response is not None:
        for header in _USAGE_HEADERS:
            raw = response.headers.get(header)
            if not raw:
                continue
            try:
                usage = json.loads(raw)
            except ValueError:
                continue
            for entry in _usage_entries(usage):
                value = entry.get("estimated_time_to_regain_access")
                if isinstance(value, (int, float)) and value > minutes:
                    minutes = float(value)
    if minutes > 0:
        return now + max(timedelta(minutes=minutes), floor)
    return now + RATE_LIMIT_FALLBACK


def _usage_entries(usage: Any) -> list[dict[str, Any]]:
    if not isinstance(usage, dict):
        return []
    if "call_count" in usage or "estimated_time_to_regain_access" in usage:
        return [usage]
    entries: list[dict[str, Any]] = []
    for value in usage.values():
        if isinstance(value, list):
            entries.extend(v for v in value if isinstance(v, dict))
        elif isinstance(value, dict):
            entries.append(value)
    return entries
