"""Pictures where people look rather than read, drawn on the server as SVG (no chart library, no CDN).

Each function reads its numbers in one query and returns the shapes the
template draws (templates/posts/_week_chart.html, _load_chart.html) together
with the numbers themselves, which the page also lists as a table for those
who do not see the picture.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from posts.models import PostTarget
from posts.office_hours import JST

T = PostTarget.State


def week_start(at: dt.datetime) -> dt.datetime:
    """Monday 00:00 JST of the week `at` falls in."""
    day = at.astimezone(JST).date()
    return dt.datetime.combine(day - dt.timedelta(days=day.weekday()), dt.time(), tzinfo=JST)


# --- Posts per week on one account -----------------------------------------------------------------

# In the SVG's own units; the picture scales to the card, text with it (13 units, see immisns.css).
WEEK_CHART = {"width": 390, "height": 150, "top": 18, "bottom": 24, "left": 18, "right": 18}


@dataclass
class WeekBar:
    week: dt.date  # the Monday
    count: int
    x: float
    y: float
    width: float
    height: float
    label: str = ""  # shown under every fourth week

    @property
    def value_y(self) -> float:
        return self.y - 3

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass
class WeekChart:
    bars: list[WeekBar]
    top: int  # the highest count, the scale's top
    width: int
    height: int
    baseline: float
    label_y: float

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def posts_per_week(account, *, weeks: int, now: dt.datetime | None = None) -> WeekChart:
    """Posts published on the account in each of the last `weeks` weeks (this one included), Monday to Sunday JST."""
    now = now or timezone.now()
    first = week_start(now) - dt.timedelta(weeks=weeks - 1)
    counts = [0] * weeks
    # Counted per week by the database (Monday to Sunday JST), from the index on (state, account,
    # published_at): a busy account's 26 weeks are a few thousand targets, the answer 26 rows.
    published = (
        PostTarget.objects.filter(
            account=account,
            state=T.PUBLISHED,
            published_at__gte=first,
            published_at__lte=now,
        )
        .annotate(week=TruncWeek("published_at", tzinfo=JST))
        .order_by()
        .values("week")
        .annotate(count=Count("published_at"))  # a column of the index: no row is read
        .values_list("week", "count")
    )
    for week, count in published:
        index = (week - first).days // 7
        if 0 <= index < weeks:
            counts[index] += count
    size = WEEK_CHART
    top = max(counts, default=0)
    plot_height = size["height"] - size["top"] - size["bottom"]
    step = (size["width"] - size["left"] - size["right"]) / weeks
    baseline = size["height"] - size["bottom"]
    bars = []
    for index, count in enumerate(counts):
        height = (count / top * plot_height) if top else 0
        monday = (first + dt.timedelta(weeks=index)).date()
        bars.append(
            WeekBar(
                week=monday,
                count=count,
                x=round(size["left"] + index * step + 1, 1),
                y=round(baseline - height, 1),
                width=round(step - 3, 1),
                height=round(height, 1),
                label=f"{monday:%m/%d}" if (weeks - 1 - index) % 4 == 0 else "",
            )
        )
    return WeekChart(
        bars=bars, top=top, width=size["width"], height=size["height"], baseline=baseline, label_y=size["height"] - 7
    )


# --- This week's load per account ---------------------------------------------------------------

LOAD_CHART = {"width": 360, "row": 24, "label": 140, "bar": 180, "top": 4}


@dataclass
class LoadRow:
    account: object
    published: int
    scheduled: int
    y: float
    text_y: float
    published_width: float
    scheduled_x: float
    scheduled_width: float
    value_x: float

    @property
    def total(self) -> int:
        return self.published + self.scheduled


@dataclass
class LoadChart:
    rows: list[LoadRow]
    width: int
    height: int
    bar_height: int
    bar_x: int
    week: dt.date
    week_end: dt.date


def load_this_week(accounts, *, now: dt.datetime | None = None) -> LoadChart:
    """For each account with posts this week: published so far and still scheduled, busiest first (one query)."""
    now = now or timezone.now()
    start = week_start(now)
    end = start + dt.timedelta(weeks=1)
    accounts = {account.pk: account for account in accounts}
    rows = (
        PostTarget.objects.filter(account_id__in=accounts)
        .filter(
            Q(state=T.PUBLISHED, published_at__gte=start, published_at__lt=end)
            | Q(state__in=[T.SCHEDULED, T.PUBLISHING], due_at__gte=start, due_at__lt=end)
        )
        .values("account_id")
        .annotate(
            published=Count("id", filter=Q(state=T.PUBLISHED)),
            scheduled=Count("id", filter=Q(state__in=[T.SCHEDULED, T.PUBLISHING])),
        )
        .order_by()
    )
    numbers = sorted(
        ((accounts[row["account_id"]], row["published"], row["scheduled"]) for row in rows),
        key=lambda r: (-(r[1] + r[2]), r[0].platform, r[0].sort_order, r[0].handle),
    )
    size = LOAD_CHART
    top = max((p + s for _a, p, s in numbers), default=0)
    scale = size["bar"] / top if top else 0
    chart_rows = []
    for index, (account, published, scheduled) in enumerate(numbers):
        y = size["top"] + index * size["row"]
        published_width = round(published * scale, 1)
        scheduled_width = round(scheduled * scale, 1)
        chart_rows.append(
            LoadRow(
                account=account,
                published=published,
                scheduled=scheduled,
                y=y + 3,
                text_y=y + 16,
                published_width=published_width,
                scheduled_x=round(size["label"] + published_width, 1),
                scheduled_width=scheduled_width,
                value_x=round(size["label"] + published_width + scheduled_width + 6, 1),
            )
        )
    return LoadChart(
        rows=chart_rows,
        width=size["width"],
        height=size["top"] * 2 + len(chart_rows) * size["row"],
        bar_height=size["row"] - 6,
        bar_x=size["label"],
        week=start.date(),
        week_end=(end - dt.timedelta(days=1)).date(),
    )
