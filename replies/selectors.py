"""Reads about what the public wrote to one account, for the account page's card (§7)."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from accounts.models import SocialAccount
from replies.models import Reply, ReplyDecision

HISTORY_PAGE = 20  # decisions per page on the account page


@dataclass
class ReplyCounts:
    waiting: int
    visible: int
    hidden: int
    deleted: int


def reply_counts(*, account: SocialAccount) -> ReplyCounts:
    """What the public wrote to the account: waiting for a decision, and by state on the platform (one query)."""
    counts = Reply.objects.filter(account=account).aggregate(
        waiting=Count("id", filter=Q(needs_review=True)),
        visible=Count("id", filter=Q(state=Reply.State.VISIBLE)),
        hidden=Count("id", filter=Q(state=Reply.State.HIDDEN)),
        deleted=Count("id", filter=Q(state=Reply.State.DELETED)),
    )
    return ReplyCounts(**counts)


def decision_history(*, account: SocialAccount) -> QuerySet[ReplyDecision]:
    """The decisions on the account's replies, newest first (the page shows them a page at a time)."""
    return ReplyDecision.objects.filter(reply__account=account).select_related("actor", "reply").order_by("-at", "-id")
