"""Reach where people look, without the pages' apps importing this one: the post page and the account page
load this library ({% load reach %}) and ask for their card, which reads its figures in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django import template
from django.db.models import F
from django.utils import timezone

from posts.models import PostTarget
from reports import charts
from reports.models import AccountFigures, PostFigures
from reports.selectors import Month, with_latest_figures

register = template.Library()

FOLLOWER_DAYS = 180
BEST = 5


@register.inclusion_tag("reports/_post_reach.html")
def post_reach(post) -> dict:
    """Each published target's latest figures and its views per day, in one query."""
    rows = PostFigures.objects.filter(target__post=post).order_by("target_id", "day")
    by_target: dict[int, list[PostFigures]] = defaultdict(list)
    for row in rows:
        by_target[row.target_id].append(row)
    targets = [t for t in post.targets.all() if t.pk in by_target]
    return {
        "items": [
            {
                "target": target,
                "latest": by_target[target.pk][-1],
                "curve": charts.line([(row.day, row.views) for row in by_target[target.pk]]),
            }
            for target in targets
        ]
    }


@register.inclusion_tag("reports/_account_reach.html")
def account_reach(account, now: dt.datetime | None = None) -> dict:
    """Followers over the last half year and this month's best posts, in two queries and one for their posts."""
    now = now or timezone.now()
    since = (now - dt.timedelta(days=FOLLOWER_DAYS)).date()
    followers = list(
        AccountFigures.objects.filter(account=account, day__gte=since)
        .order_by("day")
        .values_list("day", "followers", "read_at")
    )
    month = Month.of(timezone.localdate(now))
    targets = PostTarget.objects.filter(
        account=account, state=PostTarget.State.PUBLISHED, published_at__gte=month.start, published_at__lt=month.end
    )
    best = list(
        with_latest_figures(targets, by=month.last)
        .annotate(views=F("figures__views"), read_at=F("figures__read_at"))
        .filter(views__isnull=False)
        .order_by("-views", "pk")
        .values("pk", "views", "read_at")[:BEST]
    )
    posts = PostTarget.objects.in_bulk([row["pk"] for row in best])
    return {
        "followers": charts.line([(day, count) for day, count, _read in followers]),
        "latest": followers[-1] if followers else None,
        "month": month,
        "best": [{"target": posts[row["pk"]], "views": row["views"], "read_at": row["read_at"]} for row in best],
    }
