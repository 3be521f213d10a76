"""Reading what posts achieved and how accounts grow: the types, and each platform's metric names as data.

Collection (reports.collection) polls these through the adapters; nothing is
ever written to a platform here. A figure the platform did not give stays
None, never 0: the report shows it blank.

The platforms' names, from their documentation:

* X API v2 "Tweet object" public_metrics (docs.x.com, fields): impression_count,
  like_count, reply_count, retweet_count, quote_count, bookmark_count; the newer
  schema says repost_count where older answers say retweet_count (both are
  accepted). "User object" public_metrics: followers_count, following_count,
  tweet_count (newer: post_count), listed_count.
* Graph API Page post fields: reactions.summary(total_count) gives
  {"summary": {"total_count"}}, comments.summary(true) gives
  {"summary": {"total_count"}}, shares gives {"count"} and is absent when there
  are none (so it stays blank). Page Insights metrics: since 15 November 2025
  Meta has removed the impression metrics on every Graph version (see
  FACEBOOK_RENAMED); one unknown metric fails the whole insights request with
  error #100, so each name is then tried alone and the ones refused are
  reported as gone, not as a failed account.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

# The figures the console keeps, in its own neutral words (reports.models.PostFigures columns).
FIGURES = ("views", "viewers", "liked", "reposts", "replies", "quotes", "bookmarks")

# X public_metrics name(s) -> figure; the first name present wins.
X_POST_METRICS: Mapping[str, tuple[str, ...]] = {
    "views": ("impression_count",),
    "liked": ("like_count",),
    "reposts": ("repost_count", "retweet_count"),
    "replies": ("reply_count",),
    "quotes": ("quote_count",),
    "bookmarks": ("bookmark_count",),
}
X_FOLLOWERS = "followers_count"

# Graph post fields asked for, and the insights metrics (2025 names) -> figure.
FACEBOOK_POST_FIELDS = "reactions.summary(total_count).limit(0),comments.summary(true).limit(0),shares"
FACEBOOK_POST_INSIGHTS: Mapping[str, str] = {
    "post_media_view": "views",
    "post_total_media_view_unique": "viewers",
}
# Removed by Meta on 15 November 2025 (every Graph version) -> what replaced them.
FACEBOOK_RENAMED: Mapping[str, str] = {
    "post_impressions": "post_media_view",
    "post_impressions_unique": "post_total_media_view_unique",
    "page_fans": "page_follows",
}
FACEBOOK_PAGE_FIELDS = "followers_count"


@dataclass(frozen=True)
class PostReach:
    """One post's figures as read now; ``metrics`` names what the platform returned, in its own words."""

    external_id: str
    figures: Mapping[str, int | None] = field(default_factory=dict)
    metrics: tuple[str, ...] = ()
    gone: bool = False  # the platform says the post no longer exists


@dataclass(frozen=True)
class ReachBatch:
    posts: tuple[PostReach, ...]
    items_read: int  # objects the platform returned (X bills each)
    metrics_gone: tuple[str, ...] = ()  # metric names the platform refused as unknown (#100)


@dataclass(frozen=True)
class AccountReach:
    followers: int | None
    items_read: int


@runtime_checkable
class ReachAdapter(Protocol):
    def post_reach(self, external_ids: Sequence[str], *, skip_metrics: Sequence[str] = ()) -> ReachBatch:
        """Figures of the account's own published posts, at most ``reach_batch_size`` ids at a time."""
        ...

    def account_reach(self) -> AccountReach: ...


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def x_post_reach(item: Mapping[str, Any]) -> PostReach:
    """A PostReach from one X post object (tweet.fields=public_metrics)."""
    metrics = item.get("public_metrics") or {}
    figures: dict[str, int | None] = {}
    read: list[str] = []
    for figure, names in X_POST_METRICS.items():
        name = next((n for n in names if _number(metrics.get(n)) is not None), None)
        figures[figure] = _number(metrics.get(name)) if name else None
        if name:
            read.append(name)
    return PostReach(external_id=str(item.get("id", "")), figures=figures, metrics=tuple(read))


def facebook_post_figures(item: Mapping[str, Any]) -> tuple[dict[str, int | None], list[str]]:
    """Figures and the fields read from one Graph post object (FACEBOOK_POST_FIELDS, in that order)."""
    reactions, comments, shares = (part.split(".")[0] for part in FACEBOOK_POST_FIELDS.split(","))

    def summary(name: str) -> int | None:
        value = item.get(name)
        return _number(((value or {}).get("summary") or {}).get("total_count")) if isinstance(value, dict) else None

    shared = item.get(shares)
    figures = {
        "liked": summary(reactions),
        "replies": summary(comments),
        "reposts": _number(shared.get("count")) if isinstance(shared, dict) else None,
    }
    read = [
        name
        for name, value in ((reactions, figures["liked"]), (comments, figures["replies"]), (shares, figures["reposts"]))
        if value is not None
    ]
    return figures, read
