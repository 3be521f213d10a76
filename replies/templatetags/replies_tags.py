"""What the public wrote, on pages the replies app does not own.

- The dashboard's summary: per account, waiting replies, automatic hides
  since the last look, and why listening stopped (the daily read budget), in
  the reader's language.
- The account page's card: the counts by state and the decisions, a page at
  a time. The account page (posts) sits below replies and never imports it;
  its template loads these tags instead.
"""

from django import template
from django.db.models import Count, Q, Value

from accounts import access
from immisns import keyset
from replies import selectors
from replies.models import QueueVisit, ReplyDecision

register = template.Library()


def replies_summary_for(user) -> list:
    """Accounts the user may post to with replies waiting or hidden by the system since they last looked (one query)."""
    seen = QueueVisit.objects.filter(user=user).values_list("at", flat=True).first()
    auto_hidden = Q(replies__decisions__actor__isnull=True, replies__decisions__action=ReplyDecision.Action.HIDE)
    if seen is not None:
        auto_hidden &= Q(replies__decisions__at__gt=seen)
    accounts = (
        access.accounts_draftable_by(user)
        .select_related("listening")
        .annotate(
            waiting=Count("replies", filter=Q(replies__needs_review=True), distinct=True),
            auto_hidden=Count("replies__decisions", filter=auto_hidden, distinct=True),
            listening_note=Value(""),  # written below, in the reader's language
        )
        .filter(Q(waiting__gt=0) | Q(auto_hidden__gt=0) | Q(listening__note__has_key="code"))
        .order_by("platform", "sort_order")
    )
    summary = list(accounts)
    for account in summary:
        state = getattr(account, "listening", None)  # None: never polled yet
        account.listening_note = state.note_text() if state else ""
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
