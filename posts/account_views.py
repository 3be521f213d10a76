"""The account page: how one SNS account is doing, for those who may see it (404 for anyone else)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts import access, connections
from accounts.models import SocialAccount
from posts import charts, health


@require_safe
@login_required
def account_page(request, handle: str):
    platform = request.GET.get("platform", "")
    if platform not in SocialAccount.Platform.values:
        platform = ""
    account = health.account_for_page(request.user, handle, platform)
    if account is None:
        raise Http404
    now = timezone.now()
    [state] = health.account_health([account], now=now)
    footer = health.footer_in_force(account)
    context = {
        "account": account,
        "health": state,
        "last_published": health.last_published(account),
        "next_scheduled": health.next_scheduled(account),
        "footer": footer,
        # Who connected the account and the identity the platform confirmed (accounts.connections).
        "connection": connections.last_connection(account),
        "footer_text": health.footer_words(footer),
        "hours": health.office_hours_of(account.office, now=now),
        "week_chart": charts.posts_per_week(account, weeks=health.WEEKS, now=now),
        "weeks": health.WEEKS,
        # What the public wrote and what was decided is shown to everyone who may read it, viewers too; the
        # replies app renders that card ({% account_replies %}), so posts never reads its tables.
        "may_read_replies": access.can_read_replies(request.user, account),
    }
    return render(request, "accounts/detail.html", context)
