"""The monthly report: reads only, each table in a fixed number of queries whatever the number of accounts or posts.

A month is a calendar month in JST (the offices' own time). What a post
achieved is its latest figures read by the end of the month (views and
engagement of the posts published that month); an account's followers are
its latest count read by the month's end, and growth is the change from the
latest read by the previous month's end. A figure never read stays None and
is shown blank, never 0.
"""

from __future__ import annotations

import datetime as dt
import operator
import statistics
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts import access
from accounts.models import Office, SocialAccount
from posts.models import Post, PostEvent, PostTarget
from posts.office_hours import JST
from replies.categories import ProhibitedAct
from replies.models import Reply, ReplyDecision
from reports.models import ENGAGEMENT, AccountFigures, PostFigures, ReachDay, ReachMonth

PUBLISHED = PostTarget.State.PUBLISHED
TOP = 5
# The page lists this many posts sent outside office hours, and this many problems, and counts the rest; the CSV
# lists them all.
LISTED = 50


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def last(self) -> dt.date:
        return self.next.first - dt.timedelta(days=1)

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), tzinfo=JST)

    @property
    def end(self) -> dt.datetime:
        return self.next.start

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def report_accounts(*, user, office: Office | None) -> QuerySet[SocialAccount]:
    """The accounts a report covers: what the person may see, within the office and its subtree when one is chosen."""
    accounts = access.accounts_visible_to(user)
    if office is not None:
        accounts = accounts.filter(office_id__in=access.office_and_below(office.pk))
    return accounts.order_by("platform", "sort_order", "pk")


def _change(now: int | None, before: int | None) -> int | None:
    return None if now is None or before is None else now - before


def _sum(values) -> int | None:
    given = [v for v in values if v is not None]
    return sum(given) if given else None


def engagement_of(prefix: str = "") -> Case:
    """A post's engagement as PostFigures.engagement counts it, in SQL: the figures the platform gave, summed;
    None when it gave none. ``prefix`` reaches the figures through a relation ("figures__")."""
    names = [prefix + name for name in ENGAGEMENT]
    return Case(
        When(
            reduce(operator.or_, (Q(**{f"{name}__isnull": False}) for name in names)),
            then=reduce(operator.add, (Coalesce(name, 0) for name in names)),
        ),
        default=None,
        output_field=BigIntegerField(),
    )


def with_latest_figures(targets: QuerySet[PostTarget], *, by: dt.date) -> QuerySet[PostTarget]:
    """The targets joined to their latest figures read on or before ``by`` (``figures__views`` …), one row each;
    targets never read by then are left out.

    The latest day is looked up once per target (a short backward scan of the
    (target, day) index) and the row fetched by that index, rather than every
    figure row of every target tested: a month's targets have some 30 rows each.
    Annotate and read ``figures__…`` after this filter only: another filter on
    ``figures`` would join the table a second time.
    """
    last_day = PostFigures.objects.filter(target=OuterRef("pk"), day__lte=by).order_by("-day").values("day")[:1]
    return targets.order_by().filter(figures__day=Subquery(last_day))


def latest_followers(accounts: list[SocialAccount], *, by: dt.date) -> dict[int, dict]:
    latest = AccountFigures.objects.filter(account=OuterRef("pk"), day__lte=by).order_by("-day").values("pk")[:1]
    chosen = SocialAccount.objects.filter(pk__in=[a.pk for a in accounts]).order_by()
    rows = (
        AccountFigures.objects.filter(pk__in=chosen.annotate(latest=Subquery(latest)).values("latest"))
        .order_by()
        .values("account_id", "followers", "read_at")
    )
    return {row["account_id"]: dict(row) for row in rows}


@dataclass
class AccountRow:
    account: SocialAccount | None  # None: the total
    published: int = 0
    in_hours: int = 0
    outside_hours: int = 0
    views: int | None = None
    views_change: int | None = None
    engagement: int | None = None
    engagement_change: int | None = None
    followers: int | None = None
    growth: int | None = None
    read_at: dt.datetime | None = None  # when the newest figure in the row was read


@dataclass
class TopPost:
    target_id: int
    post_id: int
    account: SocialAccount
    published_at: dt.datetime
    text: str
    views: int | None
    engagement: int | None
    read_at: dt.datetime


@dataclass
class OutsideHours:
    post_id: int
    account: SocialAccount
    published_at: dt.datetime
    reason: str


@dataclass
class Problem:
    post_id: int
    account: SocialAccount
    what: str  # the PostEvent action label: failed, outcome unknown
    at: dt.datetime
    resolution: str  # the target's state now


@dataclass
class CategoryRow:
    category: str
    label: str
    received: int = 0
    hidden_by_system: int = 0
    hidden_by_person: int = 0
    deleted: int = 0
    banned: int = 0


@dataclass
class MonthlyReport:
    month: Month
    office: Office | None
    accounts: list[AccountRow]
    total: AccountRow
    top_posts: list[TopPost]
    outside_hours: list[OutsideHours]  # the first ones by time of publishing; the total is total.outside_hours
    problems: list[Problem]  # the first ones by time
    problems_found: int
    replies: list[CategoryRow]
    replies_total: CategoryRow
    decisions_by_system: int
    decisions_by_person: int
    median_minutes_to_decision: float | None
    budget_days: int  # days on which the read budget stopped a collection
    budget_posts_skipped: int
    chart: list[tuple[str, int | None]] = field(default_factory=list)  # (account, views) for the bar chart

    @property
    def accounts_and_total(self) -> list[AccountRow]:
        return [*self.accounts, self.total]

    @property
    def outside_hours_not_listed(self) -> int:
        return self.total.outside_hours - len(self.outside_hours)

    @property
    def problems_not_listed(self) -> int:
        return self.problems_found - len(self.problems)


def _month_targets(accounts: list[SocialAccount], month: Month) -> QuerySet[PostTarget]:
    return PostTarget.objects.filter(
        account__in=[a.pk for a in accounts], state=PUBLISHED, published_at__gte=month.start, published_at__lt=month.end
    )


def _outside_hours_posts() -> QuerySet:
    """The posts sent outside office hours, read from their small partial index (post_outside_hours): joining the
    month's targets to their posts instead would read every post of every year."""
    return Post.objects.exclude(outside_hours_reason="").values("pk")


def _posts_by_account(accounts: list[SocialAccount], month: Month) -> dict[int, dict]:
    """{account id: the month's published posts, those sent outside office hours, and the previous month's
    published posts}: the counts from the (state, account, published_at) index alone, the few posts sent
    outside office hours from their own index."""
    this_month = Q(published_at__gte=month.start)
    rows = (
        PostTarget.objects.filter(
            account__in=[a.pk for a in accounts],
            state=PUBLISHED,
            published_at__gte=month.previous.start,
            published_at__lt=month.end,
        )
        .order_by()
        .values("account_id")
        # Counting a column of the index, not the id: no target's row is read.
        .annotate(
            published=Count("published_at", filter=this_month),
            published_before=Count("published_at", filter=~this_month),
        )
    )
    counted = {row["account_id"]: {**row, "outside": 0} for row in rows}
    outside = (
        _month_targets(accounts, month)
        .filter(post_id__in=_outside_hours_posts())
        .order_by()
        .values("account_id")
        .annotate(outside=Count("pk"))
    )
    for row in outside:
        counted[row["account_id"]]["outside"] = row["outside"]
    return counted


def _reach_by_account(accounts: list[SocialAccount], month: Month) -> dict[int, dict]:
    """{account id: views and engagement summed over the latest figures of the month's posts, and when last read}."""
    rows = (
        with_latest_figures(_month_targets(accounts, month), by=month.last)
        .values("account_id")
        .annotate(
            views_sum=Sum("figures__views"),
            engagement_sum=Sum(engagement_of("figures__")),
            read_at_max=Max("figures__read_at"),
        )
    )
    return {row["account_id"]: _reach(row) for row in rows}


def _reach(row: dict) -> dict:
    return {"views": row["views_sum"], "engagement": row["engagement_sum"], "read_at": row["read_at_max"]}


def _unread() -> ExpressionWrapper:
    return ExpressionWrapper(Q(views__isnull=True) & Q(engaged__isnull=True), output_field=BooleanField())


def _ranking() -> list:
    """Best first: posts with a figure before posts with none, then views, then engagement; ties: the older
    target first. _best_of repeats it in Python."""
    return [_unread().asc(), Coalesce("views", 0).desc(), Coalesce("engaged", 0).desc(), F("pk").asc()]


def _best_of(ranked: list[dict]) -> list[dict]:
    """The TOP best of rows ranked by _ranking, posts with no figure left out."""
    read = [row for row in ranked if row["views"] is not None or row["engaged"] is not None]
    return sorted(read, key=lambda row: (-(row["views"] or 0), -(row["engaged"] or 0), row["pk"]))[:TOP]


def _figures_ranked(accounts: list[SocialAccount], month: Month, *, per_account: bool) -> QuerySet:
    """The latest figures of the month's posts with each account's sums, numbered by _ranking over all the
    accounts or within each (``rank``), and by target within each account (``nth_of_account``)."""
    account = F("account_id")
    return (
        with_latest_figures(_month_targets(accounts, month), by=month.last)
        .annotate(views=F("figures__views"), engaged=engagement_of("figures__"), read_at=F("figures__read_at"))
        .annotate(
            views_sum=Window(Sum("views"), partition_by=account),
            engagement_sum=Window(Sum("engaged"), partition_by=account),
            read_at_max=Window(Max("read_at"), partition_by=account),
            nth_of_account=Window(RowNumber(), order_by=F("pk").asc(), partition_by=account),
            rank=Window(RowNumber(), order_by=_ranking(), partition_by=account if per_account else None),
        )
        .filter(Q(nth_of_account=1) | Q(rank__lte=TOP))
        .values(*"pk account_id views engaged read_at views_sum engagement_sum read_at_max nth_of_account rank".split())
    )


def _reach_and_top(accounts: list[SocialAccount], month: Month) -> tuple[dict[int, dict], list[dict]]:
    """In one pass over the latest figures of the month's posts: what _reach_by_account gives, and the latest
    figures of the TOP posts by views, then engagement (ties: the older target first), posts with no figure left out.

    Each account's sums ride on its first target's row and the ranking is numbered in the database, so only
    those rows (some 26) come back rather than the month's thousands.
    """
    reach, ranked = {}, []
    for row in _figures_ranked(accounts, month, per_account=False):
        if row["nth_of_account"] == 1:
            reach[row["account_id"]] = _reach(row)
        if row["rank"] <= TOP:
            ranked.append(row)
    return reach, _best_of(ranked)


# --- Closed months: their reach kept in ReachMonth ----------------------------------------------------


def closes_at(month: Month) -> dt.datetime:
    """When a month's reach stops changing: the start (UTC) of the second day after its last day.

    The report counts figures collected on UTC days up to the month's last day
    (``day <= month.last``). The collection of that day may still be writing
    until the day is over, and a run that started just before midnight a
    little after; so a month counts as closed once today in UTC is later than
    the day after its last day (month.last + 1 day). Before then it is counted
    live on each request and never kept.
    """
    return dt.datetime.combine(month.last + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)


def is_closed(month: Month) -> bool:
    return timezone.now() >= closes_at(month)


def _stored_top(row: dict) -> dict:
    return {
        "target_id": row["pk"],
        "views": row["views"],
        "engagement": row["engaged"],
        "read_at": row["read_at"].isoformat(),
    }


def _count_months(accounts: list[SocialAccount], month: Month, published: dict[int, int]) -> dict[int, ReachMonth]:
    """Sum the closed month's reach of ``accounts`` in one pass (their TOP each) and keep it."""
    counted = {
        a.pk: ReachMonth(
            account_id=a.pk, month=month.first, published=published.get(a.pk, 0), counted_at=timezone.now()
        )
        for a in accounts
    }
    for row in _figures_ranked(accounts, month, per_account=True):
        kept = counted[row["account_id"]]
        if row["nth_of_account"] == 1:
            kept.views, kept.engagement, kept.read_at = row["views_sum"], row["engagement_sum"], row["read_at_max"]
        if row["rank"] <= TOP and (row["views"] is not None or row["engaged"] is not None):
            kept.top.append(row)
    for kept in counted.values():
        kept.top = [_stored_top(row) for row in sorted(kept.top, key=lambda row: row["rank"])]
    # Another request may be counting the same month at the same time (it counts the same), and a row
    # counted before the month closed is replaced: the row is written over rather than refused.
    ReachMonth.objects.bulk_create(
        counted.values(),
        update_conflicts=True,
        unique_fields=["account", "month"],
        update_fields=["published", "views", "engagement", "read_at", "top", "counted_at"],
    )
    return counted


def closed_month_reach(
    accounts: list[SocialAccount], month: Month, published: dict[int, int]
) -> tuple[dict[int, dict], list[dict]]:
    """What _reach_and_top gives, for a closed month: read from ReachMonth, the accounts missing there counted
    and kept first. ``published``: {account id: the month's published posts now}.

    A kept row is used only if it was counted after the month closed and over
    as many published posts as the month has now (a post withdrawn since
    leaves the month's reach): otherwise it is counted again. The best posts
    are the best of each account's kept best, in the same order.
    """
    closed = closes_at(month)
    kept = {
        row.account_id: row
        for row in ReachMonth.objects.filter(
            account__in=[a.pk for a in accounts], month=month.first, counted_at__gte=closed
        )
        if row.published == published.get(row.account_id, 0)
    }
    missing = [a for a in accounts if a.pk not in kept]
    if missing:
        kept.update(_count_months(missing, month, published))
    reach = {
        pk: {"views": row.views, "engagement": row.engagement, "read_at": row.read_at}
        for pk, row in kept.items()
        if row.read_at is not None  # as the live count: an account with no figure has no entry
    }
    ranked = [
        {
            "pk": best["target_id"],
            "views": best["views"],
            "engaged": best["engagement"],
            "read_at": dt.datetime.fromisoformat(best["read_at"]),
        }
        for row in kept.values()
        for best in row.top
    ]
    return reach, _best_of(ranked)


def store_closed_month(month: Month | None = None) -> Month | None:
    """Count and keep the reach of every account for ``month`` (by default the latest closed one), if not yet
    kept: beat runs it early each month so the first reader of the report does not wait for it."""
    if month is None:
        month = Month.of(timezone.now().astimezone(JST).date()).previous
        while not is_closed(month):
            month = month.previous
    if not is_closed(month):
        return None
    accounts = list(SocialAccount.objects.order_by("pk"))
    posts = _posts_by_account(accounts, month)
    closed_month_reach(accounts, month, {pk: row["published"] for pk, row in posts.items()})
    return month


def _month_reach(
    accounts: list[SocialAccount], month: Month, published: dict[int, int], *, top: bool
) -> tuple[dict[int, dict], list[dict]]:
    """The month's reach per account (and its best posts if ``top``): kept once the month is closed, else live."""
    if is_closed(month):
        reach, ranked = closed_month_reach(accounts, month, published)
        return reach, ranked if top else []
    if top:
        return _reach_and_top(accounts, month)
    return _reach_by_account(accounts, month), []


def monthly_report(*, user, month: Month, office: Office | None, listed: int | None = None) -> MonthlyReport:
    """``listed``: how many posts sent outside office hours and how many problems to list (None: all, as the CSV)."""
    accounts = list(report_accounts(user=user, office=office))
    by_id = {a.pk: a for a in accounts}
    posts = _posts_by_account(accounts, month)
    reach, ranked = _month_reach(accounts, month, {pk: row["published"] for pk, row in posts.items()}, top=True)
    reach_before, _ = _month_reach(
        accounts, month.previous, {pk: row["published_before"] for pk, row in posts.items()}, top=False
    )
    followers = latest_followers(accounts, by=month.last)
    followers_before = latest_followers(accounts, by=month.previous.last)

    rows = []
    for account in accounts:
        counted = posts.get(account.pk, {})
        now, before = reach.get(account.pk, {}), reach_before.get(account.pk, {})
        follow, follow_before = followers.get(account.pk, {}), followers_before.get(account.pk, {})
        published = counted.get("published", 0)
        outside = counted.get("outside", 0)
        read = [t for t in (now.get("read_at"), follow.get("read_at")) if t is not None]
        rows.append(
            AccountRow(
                account=account,
                published=published,
                in_hours=published - outside,
                outside_hours=outside,
                views=now.get("views"),
                views_change=_change(now.get("views"), before.get("views")),
                engagement=now.get("engagement"),
                engagement_change=_change(now.get("engagement"), before.get("engagement")),
                followers=follow.get("followers"),
                growth=_change(follow.get("followers"), follow_before.get("followers")),
                read_at=max(read) if read else None,
            )
        )
    total = AccountRow(
        account=None,
        published=sum(r.published for r in rows),
        in_hours=sum(r.in_hours for r in rows),
        outside_hours=sum(r.outside_hours for r in rows),
        views=_sum(r.views for r in rows),
        views_change=_change(_sum(r.views for r in rows), _sum(v.get("views") for v in reach_before.values())),
        engagement=_sum(r.engagement for r in rows),
        engagement_change=_change(
            _sum(r.engagement for r in rows), _sum(v.get("engagement") for v in reach_before.values())
        ),
        followers=_sum(r.followers for r in rows),
        growth=_sum(r.growth for r in rows),
        read_at=max((r.read_at for r in rows if r.read_at), default=None),
    )

    # Their posts after the ranking: joining every post of the month before it would read thousands of rows.
    targets = PostTarget.objects.select_related("post").in_bulk([f["pk"] for f in ranked])
    top_posts = [
        TopPost(
            target_id=f["pk"],
            post_id=targets[f["pk"]].post_id,
            account=by_id[targets[f["pk"]].account_id],
            published_at=targets[f["pk"]].published_at or month.start,
            text=targets[f["pk"]].published_text or targets[f["pk"]].body,
            views=f["views"],
            engagement=f["engaged"],
            read_at=f["read_at"],
        )
        for f in ranked
    ]

    outside = (
        _month_targets(accounts, month)
        .filter(post_id__in=_outside_hours_posts())
        .order_by("published_at", "pk")
        .values("post_id", "account_id", "published_at", "post__outside_hours_reason")
    )
    outside_hours = [
        OutsideHours(
            post_id=t["post_id"],
            account=by_id[t["account_id"]],
            published_at=t["published_at"] or month.start,
            reason=t["post__outside_hours_reason"],
        )
        for t in (outside if listed is None else outside[:listed])
    ]

    problems = _problems(accounts, by_id, month)
    replies, replies_total, by_system, by_person, median = _replies(accounts, month)
    budget = ReachDay.objects.filter(
        account__in=[a.pk for a in accounts], day__gte=month.first, day__lte=month.last, posts_skipped__gt=0
    ).aggregate(days=Count("pk"), skipped=Sum("posts_skipped"))
    return MonthlyReport(
        month=month,
        office=office,
        accounts=rows,
        total=total,
        top_posts=top_posts,
        outside_hours=outside_hours,
        problems=problems[:listed],
        problems_found=len(problems),
        replies=replies,
        replies_total=replies_total,
        decisions_by_system=by_system,
        decisions_by_person=by_person,
        median_minutes_to_decision=median,
        budget_days=budget["days"] or 0,
        budget_posts_skipped=budget["skipped"] or 0,
        chart=[(str(r.account.display_handle if r.account else ""), r.views) for r in rows],
    )


PROBLEM_ACTIONS = (PostEvent.Action.FAIL, PostEvent.Action.UNCONFIRMED)


def _problems(accounts: list[SocialAccount], by_id: dict[int, SocialAccount], month: Month) -> list[Problem]:
    """Each target that failed or whose outcome was unknown this month (its first such event), and its state now."""
    events = (
        PostEvent.objects.filter(
            target__account__in=[a.pk for a in accounts],
            action__in=PROBLEM_ACTIONS,
            at__gte=month.start,
            at__lt=month.end,
        )
        .order_by("target_id", "at", "pk")
        .values("target_id", "post_id", "action", "at", "target__account_id", "target__state")
    )
    seen: set[int] = set()
    found = []
    # Each label translated once, not once a row.
    labels = {value: str(label) for value, label in PostEvent.Action.choices}
    states = {value: str(label) for value, label in PostTarget.State.choices}
    for event in events:
        if event["target_id"] in seen:
            continue
        seen.add(event["target_id"])
        found.append(
            Problem(
                post_id=event["post_id"],
                account=by_id[event["target__account_id"]],
                what=labels[event["action"]],
                at=event["at"],
                resolution=states[event["target__state"]],
            )
        )
    return sorted(found, key=lambda p: p.at)


def _replies(accounts: list[SocialAccount], month: Month):
    """§7 per category: received, hidden (system or person), deleted, banned; and the median time to a person."""
    account_ids = [a.pk for a in accounts]
    received = dict(
        Reply.objects.filter(account__in=account_ids, received_at__gte=month.start, received_at__lt=month.end)
        .order_by()
        .values_list("category")
        .annotate(n=Count("pk"))
    )
    decided = (
        ReplyDecision.objects.filter(reply__account__in=account_ids, at__gte=month.start, at__lt=month.end)
        .order_by()
        .values("reply__category", "action")
        .annotate(
            system=Count("pk", filter=Q(actor__isnull=True)),
            person=Count("pk", filter=Q(actor__isnull=False)),
        )
    )
    rows = {value: CategoryRow(category=value, label=str(label)) for value, label in ProhibitedAct.choices}
    rows[""] = CategoryRow(category="", label="—")
    by_system = by_person = 0
    for category, count in received.items():
        rows.setdefault(category, CategoryRow(category=category, label=category)).received = count
    A = ReplyDecision.Action
    for entry in decided:
        row = rows.setdefault(entry["reply__category"], CategoryRow(category=entry["reply__category"], label="—"))
        by_system += entry["system"]
        by_person += entry["person"]
        if entry["action"] == A.HIDE:
            row.hidden_by_system += entry["system"]
            row.hidden_by_person += entry["person"]
        elif entry["action"] == A.DELETE:
            row.deleted += entry["system"] + entry["person"]
        elif entry["action"] == A.BAN:
            row.banned += entry["system"] + entry["person"]
    # From each reply's first decision by a person, whenever it came: the small index of people's decisions
    # joined to the month's replies (both read from their indexes alone).
    waits = [
        (first - arrived).total_seconds() / 60
        for arrived, first in ReplyDecision.objects.filter(
            actor__isnull=False,
            reply__account__in=account_ids,
            reply__received_at__gte=month.start,
            reply__received_at__lt=month.end,
        )
        .order_by()
        .values("reply_id", "reply__received_at")
        .annotate(first=Min("at"))
        .values_list("reply__received_at", "first")
    ]
    listed = [row for row in rows.values() if row.category or row.received or row.hidden_by_system]
    total = CategoryRow(
        category="total",
        label="",
        received=sum(r.received for r in listed),
        hidden_by_system=sum(r.hidden_by_system for r in listed),
        hidden_by_person=sum(r.hidden_by_person for r in listed),
        deleted=sum(r.deleted for r in listed),
        banned=sum(r.banned for r in listed),
    )
    return listed, total, by_system, by_person, (round(statistics.median(waits), 1) if waits else None)


__all__ = ["Month", "MonthlyReport", "latest_followers", "monthly_report", "with_latest_figures"]
