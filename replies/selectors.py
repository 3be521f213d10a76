"""Reads about what the public wrote: one account's card (§7), and the counts of the public transparency report."""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import SocialAccount
from replies.categories import ProhibitedAct
from replies.models import Reply, ReplyDecision, TransparencyMonth

HISTORY_PAGE = 20  # decisions per page on the account page


@dataclass
class ReplyCounts:
    waiting: int
    visible: int
    hidden: int
    deleted: int


def reply_counts(*, account: SocialAccount) -> ReplyCounts:
    """What the public wrote to the account: waiting for a decision, and by state on the platform.

    One query, read from the index reply_account_state alone (not the replies' rows).
    """
    # Counting a column of the index (account, never NULL) rather than id keeps the scan on the index.
    counts = Reply.objects.filter(account=account).aggregate(
        waiting=Count("account", filter=Q(needs_review=True)),
        visible=Count("account", filter=Q(state=Reply.State.VISIBLE)),
        hidden=Count("account", filter=Q(state=Reply.State.HIDDEN)),
        deleted=Count("account", filter=Q(state=Reply.State.DELETED)),
    )
    return ReplyCounts(**counts)


# Newest first, paged by keyset (immisns.keyset) on the decisions' time index (at, id): a page reads
# its 21 rows and no count of every decision ever made, however many years the account has.
HISTORY_ORDER = ("-at", "-id")


def decision_history(*, account: SocialAccount) -> QuerySet[ReplyDecision]:
    """The decisions on the account's replies (the page shows them a page at a time, in HISTORY_ORDER)."""
    return ReplyDecision.objects.filter(reply__account=account).select_related("actor", "reply")


# --- The public transparency report ---------------------------------------------------------------
# Counts only: no reply text, no author, no person who decided. The public page
# (public.pages) shows a count below 5 as "fewer than 5".

REPORTED_ACTIONS = (ReplyDecision.Action.HIDE, ReplyDecision.Action.DELETE, ReplyDecision.Action.BAN)


@dataclass
class MonthCounts:
    """One account's month: replies received, and replies hidden / deleted / banned per category."""

    month: dt.date  # the first day of the month, in the console's time zone
    account_id: int
    received: int = 0
    hidden_by_system: int = 0
    hidden_by_person: int = 0
    # {action: {category: replies}}; a reply counts once per action, category and month
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)


def transparency_counts() -> list[MonthCounts]:
    """Per month (console time zone) and account, newest month first.

    The previous and the current month are counted on each request from the
    time indexes (a bounded read); the months before them, which no longer
    change, once, then read from replies.TransparencyMonth.
    """
    zone = timezone.get_default_timezone()
    live_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    live_from = dt.datetime.combine(live_month, dt.time.min, tzinfo=zone)
    stored = {
        row.month: [MonthCounts(**{**cell, "month": row.month}) for cell in row.counts]
        for row in TransparencyMonth.objects.filter(month__lt=live_month)
    }
    first = Reply.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is not None:
        month = timezone.localtime(first, zone).date().replace(day=1)
        missing = []
        while month < live_month:
            if month not in stored:
                missing.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        if missing:
            since = dt.datetime.combine(missing[0], dt.time.min, tzinfo=zone)
            counted: dict[dt.date, list[MonthCounts]] = {month: [] for month in missing}
            for cell in _month_counts(since=since, until=live_from):
                if cell.month in counted:
                    counted[cell.month].append(cell)
            TransparencyMonth.objects.bulk_create(
                [
                    TransparencyMonth(
                        month=month, counts=[{k: v for k, v in asdict(c).items() if k != "month"} for c in cells]
                    )
                    for month, cells in counted.items()
                ],
                ignore_conflicts=True,  # another request counted the same month at the same time
            )
            stored.update(counted)
    closed = [cell for month in sorted(stored, reverse=True) for cell in stored[month]]
    return _month_counts(since=live_from) + closed


def _month_counts(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[MonthCounts]:
    """The counts of the months from `since` to before `until`: two aggregate queries, newest month first."""
    zone = timezone.get_default_timezone()
    months: dict[tuple[dt.date, int], MonthCounts] = {}

    def cell(month, account_id) -> MonthCounts:
        key = (month.date() if isinstance(month, dt.datetime) else month, account_id)
        if key not in months:
            months[key] = MonthCounts(month=key[0], account_id=account_id)
        return months[key]

    replies, decisions = Reply.objects.all(), ReplyDecision.objects.filter(action__in=REPORTED_ACTIONS)
    if since is not None:
        replies, decisions = replies.filter(created_at__gte=since), decisions.filter(at__gte=since)
    if until is not None:
        replies, decisions = replies.filter(created_at__lt=until), decisions.filter(at__lt=until)
    received = (
        replies.annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month", "account_id")
        .annotate(count=Count("*"))  # not the id: (created_at, account) alone answers it
        .order_by()
    )
    for row in received:
        cell(row["month"], row["account_id"]).received = row["count"]
    decided = (
        decisions.annotate(
            month=TruncMonth("at", tzinfo=zone),
            by_system=ExpressionWrapper(Q(actor__isnull=True), output_field=BooleanField()),
        )
        .values("month", "reply__account_id", "action", "category", "by_system")
        .annotate(count=Count("reply_id", distinct=True))
        .order_by()
    )
    for row in decided:
        counts = cell(row["month"], row["reply__account_id"])
        action, category = row["action"], row["category"] or ProhibitedAct.OTHER
        per_category = counts.by_category.setdefault(action, {})
        per_category[category] = per_category.get(category, 0) + row["count"]
        if action == ReplyDecision.Action.HIDE:
            if row["by_system"]:
                counts.hidden_by_system += row["count"]
            else:
                counts.hidden_by_person += row["count"]
    return sorted(months.values(), key=lambda c: (-c.month.toordinal(), c.account_id))
