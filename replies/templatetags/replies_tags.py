"""What the public wrote, on pages the replies app does not own.

- The dashboard's summary: per account, waiting replies, automatic hides
  since the last look, and why listening stopped (the daily read budget), in
  the reader's language.
- The account page's card: the counts by state and the decisions, a page at
  a time. The account page (posts) sits below replies and never imports it;
  its template loads these tags instead.
"""

import datetime as dt
from collections import Counter

from django import template
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts import access
from immisns import keyset
from replies import selectors
from replies.models import QueueVisit, Reply, ReplyDecision

register = template.Library()

NEVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # before any reply the console holds
# The system's hides are counted among its newest this many (on any account) since the last look; when there
# are more, each count says "at least" ("12+"): someone who has not opened the queue for months does not
# make every home page read all the hides since.
AUTO_HIDES_READ = 200


def replies_summary_for(user) -> list:
    """Accounts the user may post to with replies waiting, replies hidden by the system since they last
    looked, or a note on listening, in the usual account order.

    Two queries, neither a pass over every reply: each account's waiting
    replies are counted from the index of waiting replies alone, and the
    system's newest hides since the last look (at most AUTO_HIDES_READ) are
    read from their own small index (both replies/0007), rather than
    joining every reply of every account to every decision.
    """
    waiting = (
        Reply.objects.filter(account=OuterRef("pk"), needs_review=True)
        .order_by()
        .values("account")
        .annotate(n=Count("*"))  # not the id: the index holds the account alone
        .values("n")
    )
    accounts = list(
        access.accounts_draftable_by(user)
        .select_related("listening")
        .annotate(
            waiting=Coalesce(Subquery(waiting), 0),
            # written below, from the hides read and in the reader's language
            auto_hidden=Value(0),
            auto_hidden_more=Value(False),
            listening_note=Value(""),
        )
        .order_by("platform", "sort_order")
    )
    # Since the person last opened the queue, or ever when they never did.
    seen = Coalesce(Subquery(QueueVisit.objects.filter(user=user).values("at")[:1]), Value(NEVER))
    # Every account's, read newest first and counted here: a filter on the reply's account would make
    # PostgreSQL read all the hides since to find the few of one person's accounts.
    hides = ReplyDecision.objects.filter(actor__isnull=True, action=ReplyDecision.Action.HIDE, at__gt=seen)
    newest = list(hides.order_by("-at").values_list("reply__account_id", flat=True)[:AUTO_HIDES_READ])
    auto_hidden = Counter(newest)
    more_hidden = len(newest) == AUTO_HIDES_READ  # perhaps more: each count is at least what it says
    summary = []
    for account in accounts:
        state = getattr(account, "listening", None)  # None: never polled yet
        account.auto_hidden = auto_hidden[account.pk]
        account.auto_hidden_more = more_hidden
        if account.waiting or account.auto_hidden or (state is not None and "code" in state.note):
            account.listening_note = state.note_text() if state else ""
            summary.append(account)
    return summary


@register.inclusion_tag("replies/_summary.html", takes_context=True)
def replies_summary(context):
    return {"summary": replies_summary_for(context["request"].user)}


@register.inclusion_tag("replies/_account_card.html", takes_context=True)
def account_replies(context, account):
    """The account page's card; the page asks access.can_moderate_replies() before it shows it."""
    decisions = keyset.paginate(
        selectors.decision_history(account=account),
        ordering=selectors.HISTORY_ORDER,
        params=context["request"].GET,
        size=selectors.HISTORY_PAGE,
    )
    return {"account": account, "counts": selectors.reply_counts(account=account), "decisions": decisions}
