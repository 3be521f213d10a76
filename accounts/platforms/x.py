"""The adapter for X: posts through tweepy's API v2 client, images through X's v2 media endpoints.

tweepy 4.17 facts this module relies on (read from the installed source):

* ``tweepy.Client`` sends every call to https://api.twitter.com (hard-coded host in
  ``BaseClient.request``), signed with OAuth 1.0a when ``user_auth=True``.
* It calls ``self.session.request(...)`` without a timeout, so we replace
  ``client.session`` with a session that supplies one.
* Status mapping: 400 BadRequest, 401 Unauthorized, 403 Forbidden, 404 NotFound,
  429 TooManyRequests, >=500 TwitterServerError, anything else non-2xx (402!)
  the base ``HTTPException``. requests' own exceptions (timeouts, connection
  errors) are not wrapped and reach us unchanged.
* ``HTTPException.api_messages`` holds ``errors[].message`` and, only when there
  are no errors, the problem document's ``detail``; that is the platform's message.
* With ``wait_on_rate_limit=True`` a 429 makes tweepy sleep until the reset and
  then call itself again, with no limit and with no sleep at all when the
  x-rate-limit-reset header is missing. A worker must never do that: we keep it off.
* tweepy's only media upload is the retired v1.1 ``API.media_upload``; we post to
  the v2 endpoints ourselves (see ``_upload``).
"""

from __future__ import annotations

import functools
import html
import logging
import mimetypes
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import requests
import tweepy

from immisns import log_redaction

from .base import (
    AuthRevoked,
    MediaItem,
    OutOfCredits,
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
from .capabilities import X as X_CAPABILITIES
from .reach import X_FOLLOWERS, AccountReach, PostReach, ReachBatch, x_post_reach

log = logging.getLogger(__name__)

T = TypeVar("T")

# X API v2 media, checked against docs.x.com (2025):
#   "Upload media" https://docs.x.com/x-api/media/upload-media - POST https://api.x.com/2/media/upload,
#     body fields media (raw bytes in a multipart body), media_category (tweet_image, ...)
#     and optional media_type (image/jpeg, image/png, image/webp, ...); answers
#     {"data": {"id": "1146654567674912769", "media_key": "...", "size": ..., "expires_after_secs": ...}}.
#   "Create Media metadata" https://docs.x.com/x-api/media/create-media-metadata - POST
#     https://api.x.com/2/media/metadata with JSON {"id": media_id, "metadata": {"alt_text": {"text": ...}}}.
MEDIA_UPLOAD_URL = "https://api.x.com/2/media/upload"
MEDIA_METADATA_URL = "https://api.x.com/2/media/metadata"
POST_URL = "https://x.com/i/web/status/{id}"
REPLY_URL = "https://x.com/{username}/status/{id}"
# What a listening read asks for: enough to show the reply, its author and what it answers, and
# where its links lead. X writes every link in the text as https://t.co/…; the address the author
# gave is only in the URL entities ("entities", and "note_tweet.entities" for long posts):
# https://docs.x.com/x-api/fundamentals/data-dictionary (Tweet: entities.urls[] start, end, url,
# expanded_url, display_url, and unwound_url, title, status when X has fetched the page).
READ_TWEET_FIELDS = [
    "author_id",
    "conversation_id",
    "created_at",
    "entities",
    "in_reply_to_user_id",
    "referenced_tweets",
    "note_tweet",
]
READ_EXPANSIONS = ["author_id"]
READ_USER_FIELDS = ["username", "name"]
READ_PAGE_SIZE = 100  # the most X returns per page for mentions and recent search

# The 403 X answers for a repeated text (problem document "detail").
DUPLICATE_MESSAGE = "You are not allowed to create a Tweet with duplicate content."
# When a 429 carries no usable reset header: X's rate-limit windows are 15 minutes.
RATE_LIMIT_FALLBACK = timedelta(minutes=15)
# A reset time already in the past means the clocks disagree; wait a little anyway
# (the adapter is given settings.PUBLISHING_RATE_LIMIT_FLOOR_SECONDS).
RATE_LIMIT_MINIMUM = timedelta(seconds=2)
# Rate-limit header families X sends: per-endpoint window, the user's 24-hour post
# cap and the app's 24-hour cap. A 429 can come from any of them.
_RATE_LIMIT_FAMILIES = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")

_TCO_LINK = re.compile(r"https://t\.co/[A-Za-z0-9]+")
_TRAILING_TCO_LINK = re.compile(r"\s*https://t\.co/[A-Za-z0-9]+$")


class _TimeoutSession(requests.Session):
    """A session whose requests time out unless told otherwise, and never outlive the send's deadline.

    tweepy never passes a timeout; without one a half-open connection would
    hold a worker for ever.
    """

    def __init__(self, timeout: float) -> None:
        super().__init__()
        route_to_fake_platform(self)
        self.default_timeout = timeout
        self.deadline: float | None = None  # time.monotonic() value, set for one call

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        timeout = kwargs.get("timeout") or self.default_timeout
        kwargs["timeout"] = request_timeout(timeout, self.deadline, platform="X")
        return super().request(method, url, *args, **kwargs)


class XAdapter:
    def __init__(
        self,
        *,
        api_key: str,
        api_secret: str,
        access_token: str,
        access_token_secret: str,
        user_id: str,
        timeout: float = 15,
        rate_limit_floor: float = RATE_LIMIT_MINIMUM.total_seconds(),
    ) -> None:
        # oauthlib and requests-oauthlib log these at DEBUG: the log filter hides them.
        log_redaction.remember(api_key, api_secret, access_token, access_token_secret)
        self._api_key = api_key
        self._api_secret = api_secret
        self._access_token = access_token
        self._access_token_secret = access_token_secret
        self._user_id = str(user_id)
        self._timeout = timeout
        self._rate_limit_floor = timedelta(seconds=rate_limit_floor)
        self._client = tweepy.Client(
            consumer_key=api_key,
            consumer_secret=api_secret,
            access_token=access_token,
            access_token_secret=access_token_secret,
            wait_on_rate_limit=False,  # never: it sleeps in the worker and can recurse without end
        )
        self._session = _TimeoutSession(timeout)
        self._client.session = self._session

    def __repr__(self) -> str:
        return f"<XAdapter user_id={self._user_id}>"  # never the credentials

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
        most = self.capabilities.images.max_count
        if len(media) > most:
            raise Rejected(f"X accepts at most {most} images in one post, not {len(media)}.")
        for item in media:
            if not item.mime_type.startswith("image/"):
                raise Rejected(f"X posts accept images only, not {item.mime_type}.")
        media_ids = [self._upload(item) for item in media]
        if sending is not None:
            sending()  # the next request may create the post
        response = self._call(
            lambda: self._client.create_tweet(
                text=text or None,  # X takes a post with images and no text, but not text=""
                media_ids=media_ids or None,
                user_auth=True,
            )
        )
        tweet_id = (response.data or {}).get("id")
        if not tweet_id:
            # A 2xx without a post: X explains itself in "errors", if anywhere.
            raise Rejected(_problem_messages({"errors": response.errors}) or "X did not return the new post's id.")
        tweet_id = str(tweet_id)
        return PublishResult(external_id=tweet_id, url=POST_URL.format(id=tweet_id))

    def delete(self, external_id: str) -> None:
        response = self._call(lambda: self._client.delete_tweet(external_id, user_auth=True))
        if not (response.data or {}).get("deleted"):
            raise Rejected("X did not delete the post.")

    def find_recent(self, text: str, *, deadline: float | None = None) -> PublishResult | None:
        # note_tweet carries the full text of posts longer than 280 characters,
        # whose "text" X truncates.
        self._session.deadline = deadline
        try:
            response = self._call(
                lambda: self._client.get_users_tweets(
                    id=self._user_id, max_results=100, tweet_fields=["note_tweet"], user_auth=True
                )
            )
        finally:
            self._session.deadline = None
        for tweet in response.data or []:
            returned = (tweet.data.get("note_tweet") or {}).get("text") or tweet.text
            if same_post_text(text, returned):
                return PublishResult(external_id=str(tweet.id), url=POST_URL.format(id=tweet.id))
        return None

    # -- ListeningAdapter -------------------------------------------------------

    # X offers no block endpoint to this kind of app (Enterprise only; removed
    # from tweepy in 4.15) and lets an account delete only its own posts.
    capabilities = X_CAPABILITIES

    def mentions(self, *, after: str | None = None, limit: int = 500) -> ReplyBatch:
        """GET /2/users/:id/mentions since ``after`` (a post id); replies to our posts are mentions too."""
        return self._read(
            lambda token: self._client.get_users_mentions(
                self._user_id,
                since_id=after,
                pagination_token=token,
                max_results=READ_PAGE_SIZE,
                tweet_fields=READ_TWEET_FIELDS,
                expansions=READ_EXPANSIONS,
                user_fields=READ_USER_FIELDS,
                user_auth=True,
            ),
            after,
            limit,
        )

    def replies_to(self, post_id: str, *, after: str | None = None, limit: int = 500) -> ReplyBatch:
        """Recent search (last 7 days) for the post's conversation."""
        if not str(post_id).isdigit():
            raise Rejected(f"Not an X post id: {post_id!r}.")
        return self._read(
            lambda token: self._client.search_recent_tweets(
                f"conversation_id:{post_id}",
                since_id=after,
                next_token=token,
                max_results=READ_PAGE_SIZE,
                tweet_fields=READ_TWEET_FIELDS,
                expansions=READ_EXPANSIONS,
                user_fields=READ_USER_FIELDS,
                user_auth=True,
            ),
            after,
            limit,
        )

    def set_hidden(self, reply_id: str, hidden: bool) -> None:
        """PUT /2/tweets/:id/hidden; X allows it only for replies in conversations the account started."""
        call = self._client.hide_reply if hidden else self._client.unhide_reply
        response = self._call(lambda: call(reply_id, user_auth=True))
        if (response.data or {}).get("hidden") is not hidden:
            raise Rejected("X did not confirm that the reply is " + ("hidden." if hidden else "shown again."))

    def delete_reply(self, reply_id: str) -> None:
        raise Rejected("X lets an account delete only its own posts; hide the reply instead.")

    def ban(self, author_id: str) -> None:
        raise Rejected("X offers no block to this kind of app; block the author on X itself.")

    # -- ReachAdapter (accounts/platforms/reach.py) ------------------------------

    def post_reach(self, external_ids: Sequence[str], *, skip_metrics: Sequence[str] = ()) -> ReachBatch:
        """GET /2/tweets?ids=…&tweet.fields=public_metrics, up to 100 ids; X bills each post returned."""
        ids = [str(i) for i in external_ids if str(i).isdigit()][:READ_PAGE_SIZE]
        if not ids:
            return ReachBatch((), 0)
        response = self._call(lambda: self._client.get_tweets(ids, tweet_fields=["public_metrics"], user_auth=True))
        found = [x_post_reach(tweet.data) for tweet in response.data or []]
        # A deleted post comes back as a "resource-not-found" error beside the others (HTTP 200).
        missing = {
            str(error.get("resource_id") or error.get("value"))
            for error in response.errors or []
            if str(error.get("type", "")).endswith("/resource-not-found")
        }
        gone = [PostReach(external_id=i, gone=True) for i in ids if i in missing]
        return ReachBatch(tuple(found + gone), len(found))

    def account_reach(self) -> AccountReach:
        """GET /2/users/:id?user.fields=public_metrics: the account's followers (one user read)."""
        response = self._call(
            lambda: self._client.get_user(id=self._user_id, user_fields=["public_metrics"], user_auth=True)
        )
        if response.data is None:
            return AccountReach(None, 0)
        followers = (response.data.data.get("public_metrics") or {}).get(X_FOLLOWERS)
        return AccountReach(followers if isinstance(followers, int) else None, 1)

    # -- internals -----------------------------------------------------------

    def _read(self, fetch: Callable[[str | None], Any], after: str | None, limit: int) -> ReplyBatch:
        """Follow the pages of a listening read, newest first, until done or ``limit`` items."""
        replies: list[PublicReply] = []
        newest: str | None = None
        token: str | None = None
        while True:
            response = self._call(functools.partial(fetch, token))
            meta = response.meta or {}
            newest = newest or meta.get("newest_id")
            users = {str(user.id): user for user in (response.includes or {}).get("users", [])}
            replies.extend(_public_reply(tweet, users) for tweet in response.data or [])
            token = meta.get("next_token")
            if not token:
                return ReplyBatch(tuple(replies), str(newest) if newest else after, len(replies))
            if len(replies) >= limit:
                return ReplyBatch(tuple(replies), after, len(replies), complete=False)

    def _auth(self) -> requests.auth.AuthBase:
        # The same OAuth 1.0a signer tweepy uses for user-context calls.
        return tweepy.OAuth1UserHandler(
            self._api_key, self._api_secret, self._access_token, self._access_token_secret
        ).apply_auth()

    def _upload(self, item: MediaItem) -> str:
        """Upload one image to X's v2 media endpoint and set its alt text; returns the media id."""
        extension = mimetypes.guess_extension(item.mime_type) or ""

        def upload() -> Any:
            return self._checked(
                self._session.post(
                    MEDIA_UPLOAD_URL,
                    files={"media": (f"image{extension}", item.data, item.mime_type)},
                    data={"media_category": "tweet_image", "media_type": item.mime_type},
                    auth=self._auth(),
                )
            ).json()

        body = self._call(upload)
        media_id = (body.get("data") or {}).get("id") if isinstance(body, dict) else None
        if not media_id:
            raise Rejected(
                (_problem_messages(body) if isinstance(body, dict) else "")
                or "X did not return a media id for the uploaded image."
            )
        media_id = str(media_id)

        if item.alt_text.strip():
            self._call(
                lambda: self._checked(
                    self._session.post(
                        MEDIA_METADATA_URL,
                        json={"id": media_id, "metadata": {"alt_text": {"text": item.alt_text}}},
                        auth=self._auth(),
                    )
                )
            )
        return media_id

    @staticmethod
    def _checked(response: requests.Response) -> requests.Response:
        """Raise for a failed media call exactly as tweepy would for a v2 call, so one mapping serves both."""
        status = response.status_code
        if 200 <= status < 300:
            return response
        if status == 429:
            reset = response.headers.get("x-rate-limit-reset")
            raise tweepy.TooManyRequests(response, reset_time=int(reset) if reset and reset.isdigit() else None)
        exception_class = {
            400: tweepy.BadRequest,
            401: tweepy.Unauthorized,
            403: tweepy.Forbidden,
            404: tweepy.NotFound,
        }.get(status)
        if exception_class is None:
            exception_class = tweepy.TwitterServerError if status >= 500 else tweepy.HTTPException
        raise exception_class(response)

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except tweepy.TweepyException as exc:
            raise map_tweepy_error(exc, rate_limit_floor=self._rate_limit_floor) from exc
        except requests.Timeout as exc:
            raise Transient(f"X did not answer within {self._timeout} seconds ({type(exc).__name__}).") from exc
        except requests.ConnectionError as exc:
            raise Transient(f"Could not connect to X: {exc}") from exc
        except requests.RequestException as exc:
            # e.g. a 2xx whose body is not JSON: a proxy or X itself misbehaving.
            raise Transient(f"Unreadable answer from X: {exc}") from exc


def _public_reply(tweet: tweepy.Tweet, users: dict[str, Any]) -> PublicReply:
    author_id = str(tweet.author_id or "")
    user = users.get(author_id)
    username = user.username if user is not None else ""
    answers = next((str(ref.id) for ref in tweet.referenced_tweets or [] if ref.type == "replied_to"), None)
    created_at = tweet.created_at or datetime.now(UTC)
    note = tweet.data.get("note_tweet") or {}
    # A long post's whole text and its links are in note_tweet; "text" is cut short.
    source = note if note.get("text") else tweet.data
    text = html.unescape(str(source.get("text") or tweet.text))
    return PublicReply(
        external_id=str(tweet.id),
        text=text,
        links=url_entities(text, (source.get("entities") or {}).get("urls") or []),
        author_id=author_id,
        author_handle=username,
        author_name=user.name if user is not None else "",
        created_at=created_at,
        url=REPLY_URL.format(username=username, id=tweet.id) if username else POST_URL.format(id=tweet.id),
        answers=answers,
        conversation=str(tweet.conversation_id) if tweet.conversation_id else None,
    )


def url_entities(text: str, entities: list[Any]) -> tuple[ReplyLink, ...]:
    """The URL entities of a post, each placed on the t.co link it describes in ``text``.

    X gives ``start``/``end`` as code point offsets into the text; where they do
    not fall on the entity's ``url`` (a text X escaped, an offset in another
    unit), the entity is placed on the first unclaimed occurrence of its ``url``,
    and kept with no place when there is none.
    """
    links: list[ReplyLink] = []
    claimed: set[int] = set()
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        url = str(entity.get("url") or "")
        expanded = str(entity.get("expanded_url") or url)
        try:
            start, end = int(entity.get("start", -1)), int(entity.get("end", -1))
        except (TypeError, ValueError):
            start, end = -1, -1
        if not (url and 0 <= start < end <= len(text) and text[start:end] == url and start not in claimed):
            start = text.find(url) if url else -1
            while start in claimed and start >= 0:
                start = text.find(url, start + 1)
            end = start + len(url) if start >= 0 else 0
            start = max(start, 0)
        if end:
            claimed.add(start)
        links.append(
            ReplyLink(
                url=url, expanded_url=expanded, start=start, end=end, unwound_url=str(entity.get("unwound_url") or "")
            )
        )
    return tuple(links)


def map_tweepy_error(exc: tweepy.TweepyException, *, rate_limit_floor: timedelta = RATE_LIMIT_MINIMUM) -> PlatformError:
    if not isinstance(exc, tweepy.HTTPException):
        # tweepy's own argument checks; nothing was sent.
        return Rejected(str(exc))

    response = exc.response
    status = response.status_code
    message = "; ".join(str(m) for m in exc.api_messages) or f"{status} {response.reason}"

    if isinstance(exc, tweepy.TooManyRequests):
        return RateLimited(message, until=rate_limit_until(response.headers, floor=rate_limit_floor), code=status)
    if isinstance(exc, tweepy.Unauthorized):
        return AuthRevoked(message, code=status)
    if isinstance(exc, tweepy.Forbidden):
        if _is_duplicate(exc):
            return Rejected(message, code=status, duplicate=True)
        if _problem_type(response).endswith("/oauth1-permissions"):
            # The tokens were issued before the app was given write access;
            # only issuing new ones (re-authorising the account) fixes it.
            return AuthRevoked(message, code=status)
        # Every other 403 (suspended account, app not attached to a project,
        # a post the account may not make...) is final, with X's own words.
        return Rejected(message, code=status)
    if status == 402:
        return OutOfCredits(message, code=status)
    if isinstance(exc, tweepy.TwitterServerError) or status == 408:
        return Transient(message, code=status)
    # 400 and the remaining 4xx: the request itself is unacceptable.
    return Rejected(message, code=status)


def rate_limit_until(headers: Any, *, now: datetime | None = None, floor: timedelta = RATE_LIMIT_MINIMUM) -> datetime:
    """When a 429 lifts, from X's headers; the latest exhausted limit wins.

    X sends x-rate-limit-* (the endpoint's 15-minute window) and, on posting,
    x-user-limit-24hour-* and x-app-limit-24hour-*; the 429 may come from the
    24-hour cap while the 15-minute window still has room, so prefer the resets
    of families whose ``remaining`` is 0. Missing header: now + 15 minutes.
    """
    now = now or datetime.now(UTC)
    exhausted: list[int] = []
    any_reset: list[int] = []
    for family in _RATE_LIMIT_FAMILIES:
        reset = _int_header(headers, f"{family}-reset")
        if reset is None:
            continue
        any_reset.append(reset)
        if _int_header(headers, f"{family}-remaining") == 0:
            exhausted.append(reset)
    candidates = exhausted or any_reset
    if not candidates:
        return now + RATE_LIMIT_FALLBACK
    until = datetime.fromtimestamp(max(candidates), UTC)
    return max(until, now + floor)


def same_post_text(sent: str, returned: str) -> bool:
    """Whether a post X returned is the text we sent.

    X gives the text back changed in three ways, all undone or tolerated here:
    ``&``, ``<`` and ``>`` come back HTML-escaped; every URL it linkified (with
    or without a scheme) comes back as a https://t.co/... link; a post with
    images gets one more t.co link appended at the end. So each t.co link in
    the returned text may stand for any run of non-space characters in ours,
    and trailing t.co links may stand for nothing. Everything else must be
    identical (after NFC and trimming, see comparable_text).
    """
    ours = comparable_text(sent)
    theirs = comparable_text(html.unescape(returned))
    if ours == theirs:
        return True
    while _TCO_LINK.search(theirs):
        pattern = r"\S+".join(re.escape(part) for part in _TCO_LINK.split(theirs))
        if re.fullmatch(pattern, ours, flags=re.DOTALL):
            return True
        shorter = _TRAILING_TCO_LINK.sub("", theirs)
        if shorter == theirs:
            return False
        theirs = shorter
        if ours == theirs:
            return True
    return False


def _is_duplicate(exc: tweepy.HTTPException) -> bool:
    # v2 says so in "detail"; v1.1 used code 187 "Status is a duplicate."
    return 187 in exc.api_codes or any("duplicate content" in str(m).lower() for m in exc.api_messages)


def _problem_type(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("type", "")) if isinstance(body, dict) else ""


def _problem_messages(body: dict[str, Any]) -> str:
    errors = body.get("errors") or []
    messages = [str(e.get("message") or e.get("detail")) for e in errors if isinstance(e, dict)]
    return "; ".join(m for m in messages if m and m != "None") or str(body.get("detail") or "")


def _int_header(headers: Any, name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
