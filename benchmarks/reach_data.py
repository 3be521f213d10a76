"""Three years of collected reach figures for the page benchmark's database (benchmarks/pages.py).

What the daily collection (reports.collection) would have left, day by day,
for the published targets benchmarks/pages.py wrote:

- PostFigures: each published target read on each day of its first
  REACH_POST_DAYS days (30), at the first collection (every 3 hours) after it
  went out; figures rise over the first days and settle. X gives no viewers;
  Facebook gives no quotes or bookmarks, no shares figure while a post has
  none, and no views for the two weeks after Meta removed the impression
  metrics (15 November 2025) until the console asked for the new names.
- AccountFigures: each of the 21 accounts' followers, once a day, growing.
- ReachDay: per account and day, the objects read and their estimated cost
  (X only), with X's daily read budget applied as collection applies it: the
  newest posts are read first and the rest counted as left unread.

Rows are written in collection order (by day, then account), as they would
lie on disk, and streamed to COPY: nothing holds the millions of rows at once.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

COLLECT_EVERY = dt.timedelta(hours=3)  # settings.REACH_COLLECT_SECONDS' default
IMPRESSIONS_REMOVED = dt.date(2025, 11, 15)
NEW_NAMES_FROM = IMPRESSIONS_REMOVED + dt.timedelta(days=14)
X_METRICS = ["impression_count", "like_count", "retweet_count", "reply_count", "quote_count", "bookmark_count"]
FACEBOOK_METRICS = ["reactions", "comments", "shares", "post_media_view", "post_total_media_view_unique"]


def _first_collection(at: dt.datetime) -> dt.datetime:
    """The first collection at or after ``at``: beat runs every three hours from midnight UTC."""
    midnight = dt.datetime.combine(at.astimezone(dt.UTC).date(), dt.time(), tzinfo=dt.UTC)
    ticks = math.ceil((at - midnight) / COLLECT_EVERY)
    return midnight + ticks * COLLECT_EVERY + dt.timedelta(minutes=4)


def _x_figures(target_id: int, age_days: float) -> dict[str, int | None]:
    settled = 300 + (target_id * 7919) % 9000
    views = int(settled * (1 - math.exp(-(age_days + 0.3) / 2)))
    return {
        "views": views,
        "viewers": None,
        "liked": views * (1 + target_id % 4) // 100,
        "reposts": views * (1 + target_id % 3) // 300,
        "replies": views // 250,
        "quotes": views // 1500,
        "bookmarks": views // 400,
    }


def _facebook_figures(target_id: int, age_days: float, day: dt.date) -> tuple[dict[str, int | None], list[str]]:
    settled = 150 + (target_id * 6271) % 3000
    views = int(settled * (1 - math.exp(-(age_days + 0.3) / 1.5)))
    shares = views // 120
    figures: dict[str, int | None] = {
        "views": views,
        "viewers": views * 4 // 5,
        "liked": views * (2 + target_id % 3) // 100,
        "reposts": shares or None,  # Graph leaves out "shares" while there are none
        "replies": views // 200,
        "quotes": None,
        "bookmarks": None,
    }
    metrics = [m for m in FACEBOOK_METRICS if m != "shares" or shares]
    if IMPRESSIONS_REMOVED <= day < NEW_NAMES_FROM:
        figures["views"] = figures["viewers"] = None
        metrics = metrics[:3] if shares else metrics[:2]
    return figures, metrics


def _followers(account_id: int, start: dt.date, day: dt.date) -> int:
    days = (day - start).days
    base = 2000 + (account_id * 3889) % 40000
    return base + days * (4 + account_id % 9) + int(30 * math.sin(days / 9 + account_id))


def generate_reach_figures(now: dt.datetime, *, copier) -> dict[str, int]:
    """Write the figures a daily collection would have left up to ``now``; returns the rows written per table.

    Empties the three reports tables first, so a second run writes the same rows afresh.
    """
    from django.conf import settings
    from django.db import connection
    from psycopg.types.json import Jsonb

    from accounts.models import SocialAccount
    from posts.models import PostTarget
    from reports.models import AccountFigures, PostFigures, ReachDay

    started = time.monotonic()
    window = dt.timedelta(days=settings.REACH_POST_DAYS)
    budget = settings.REACH_X_DAILY_READ_BUDGET
    post_cost = Decimal(str(settings.REACH_X_POST_READ_COST))
    user_cost = Decimal(str(settings.REACH_X_USER_READ_COST))
    accounts = list(SocialAccount.objects.order_by("pk").values_list("pk", "platform"))
    # Per account, its published targets (id, published at) oldest first: a few hundred thousand pairs.
    published: dict[int, list[tuple[dt.datetime, int]]] = {pk: [] for pk, _platform in accounts}
    rows = (
        PostTarget.objects.filter(state=PostTarget.State.PUBLISHED, published_at__lte=now)
        .exclude(external_id="")
        .order_by("published_at")
        .values_list("account_id", "published_at", "pk")
    )
    for account_id, at, pk in rows.iterator(chunk_size=20_000):
        if at is not None:  # always set on a published target (the filter above); the column allows none
            published[account_id].append((at, pk))
    times = {pk: [at for at, _ in items] for pk, items in published.items()}
    first_day = min((items[0][0] for items in published.values() if items), default=now).date()
    today = now.astimezone(dt.UTC).date()

    x_metrics, gone_none = Jsonb(X_METRICS), Jsonb([])
    facebook_gone = Jsonb(["post_impressions", "post_impressions_unique"])
    reach_days: list[dict[str, Any]] = []
    account_rows: list[dict[str, Any]] = []

    def post_rows() -> Iterator[dict[str, Any]]:
        figure_id = 0
        day = first_day
        while day <= today:
            collected = dt.datetime.combine(day, dt.time(0, 4), tzinfo=dt.UTC)  # the first collection of the day
            end_of_day = min(dt.datetime.combine(day, dt.time(23, 59), tzinfo=dt.UTC), now)
            for account_id, platform in accounts:
                is_x = platform == SocialAccount.Platform.X
                account_rows.append(
                    {
                        "id": len(account_rows) + 1,
                        "account_id": account_id,
                        "day": day,
                        "read_at": collected,
                        "followers": _followers(account_id, first_day, day),
                    }
                )
                # Read on this day: went out before its last collection and less than 30 days before it.
                at_times = times[account_id]
                newest = bisect.bisect_right(at_times, end_of_day - dt.timedelta(hours=3))
                oldest = bisect.bisect_left(at_times, dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - window)
                due = published[account_id][oldest:newest]
                skipped = 0
                if is_x and len(due) > budget - 1:  # the followers read takes one object of the budget
                    skipped = len(due) - (budget - 1)
                    due = due[skipped:]  # the newest are read first
                for at, target_id in due:
                    read_at = max(collected, _first_collection(at))
                    age = (read_at - at) / dt.timedelta(days=1)
                    if is_x:
                        figures, metrics = _x_figures(target_id, age), x_metrics
                    else:
                        figures, names = _facebook_figures(target_id, age, day)
                        metrics = Jsonb(names)
                    figure_id += 1
                    yield {
                        "id": figure_id,
                        "target_id": target_id,
                        "day": day,
                        "read_at": read_at,
                        "metrics": metrics,
                        "gone": False,
                        **figures,
                    }
                reach_days.append(
                    {
                        "id": len(reach_days) + 1,
                        "account_id": account_id,
                        "day": day,
                        "post_reads": len(due),
                        "user_reads": 1,
                        "cost": post_cost * len(due) + user_cost if is_x else Decimal(0),
                        "posts_skipped": skipped,
                        "metrics_gone": facebook_gone if not is_x and day >= IMPRESSIONS_REMOVED else gone_none,
                        "last_error": "",
                        "collected_at": collected + dt.timedelta(minutes=1),
                        "collecting_until": None,
                    }
                )
            day += dt.timedelta(days=1)

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no triggers or FK checks while loading
        cursor.execute("TRUNCATE reports_postfigures, reports_accountfigures, reports_reachday RESTART IDENTITY")
    try:
        counts = {"post figures": copier.copy(PostFigures, post_rows())}
        counts["account figures"] = copier.copy(AccountFigures, account_rows)
        counts["reads per account and day"] = copier.copy(ReachDay, reach_days)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
    print(
        "generated reach: "
        + ", ".join(f"{count:,} {name}" for name, count in counts.items())
        + f" ({first_day} to {today}) in {time.monotonic() - started:.0f} s"
    )
    return counts
