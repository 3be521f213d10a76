"""Figures read from the platforms, kept as time series: one row per item per collection, never overwritten.

A collection is one UTC day (X bills the same object once per UTC day, so a
second read the same day would tell nothing new): a post or an account has at
most one row per day, so a collection run twice, or again after a killed
worker, adds only what is missing. A figure the platform did not give is
None, shown blank, never 0.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import SocialAccount
from posts.models import PostTarget

# The engagement figures, summed where the platform gave them (views and viewers are reach, not engagement).
ENGAGEMENT = ("liked", "reposts", "replies", "quotes", "bookmarks")


class PostFigures(models.Model):
    target = models.ForeignKey(
        PostTarget, verbose_name=_("post target"), on_delete=models.CASCADE, related_name="figures"
    )
    day = models.DateField(_("collection day (UTC)"))
    read_at = models.DateTimeField(_("read from the platform at"))
    views = models.PositiveBigIntegerField(_("views"), null=True, blank=True)
    viewers = models.PositiveBigIntegerField(_("people reached"), null=True, blank=True)
    liked = models.PositiveBigIntegerField(_("likes and reactions"), null=True, blank=True)
    reposts = models.PositiveBigIntegerField(_("reposts and shares"), null=True, blank=True)
    replies = models.PositiveBigIntegerField(_("replies and comments"), null=True, blank=True)
    quotes = models.PositiveBigIntegerField(_("quotes"), null=True, blank=True)
    bookmarks = models.PositiveBigIntegerField(_("bookmarks"), null=True, blank=True)
    # The platform's own names of what was read (X public_metrics keys, Graph fields and insights metrics).
    metrics = models.JSONField(_("metrics read"), default=list, blank=True)
    gone = models.BooleanField(_("no longer on the platform"), default=False)

    class Meta:
        ordering = ["target", "day"]
        verbose_name = _("post figures")
        verbose_name_plural = _("post figures")
        constraints = [models.UniqueConstraint(fields=["target", "day"], name="postfigures_one_per_target_day")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.day}"

    @property
    def engagement(self) -> int | None:
        given = [getattr(self, name) for name in ENGAGEMENT if getattr(self, name) is not None]
        return sum(given) if given else None


class AccountFigures(models.Model):
    account = models.ForeignKey(
        SocialAccount, verbose_name=_("SNS account"), on_delete=models.CASCADE, related_name="figures"
    )
    day = models.DateField(_("collection day (UTC)"))
    read_at = models.DateTimeField(_("read from the platform at"))
    followers = models.PositiveBigIntegerField(_("followers"), null=True, blank=True)

    class Meta:
        ordering = ["account", "day"]
        verbose_name = _("account figures")
        verbose_name_plural = _("account figures")
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="accountfigures_one_per_account_day")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.followers}"


class ReachDay(models.Model):
    """One account's collection on one UTC day: objects read, their estimated cost, and why it stopped.

    ``collecting_until`` is a lease (a conditional UPDATE takes it) so that two
    runs never collect one account at once; it expires, so a worker killed
    mid-collection does not stop the account for good.
    """

    BUDGET_REACHED = "budget_reached"

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("SNS account"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day (UTC)"))
    post_reads = models.PositiveIntegerField(_("posts read"), default=0)
    user_reads = models.PositiveIntegerField(_("accounts read"), default=0)
    cost = models.DecimalField(_("estimated cost (USD)"), max_digits=12, decimal_places=4, default=0)
    # Posts left unread because the daily read budget was reached (X); 0 when nothing was left.
    posts_skipped = models.PositiveIntegerField(_("posts left unread (budget)"), default=0)
    # Insights metrics the platform refused as unknown (Graph #100): not asked again.
    metrics_gone = models.JSONField(_("metrics the platform no longer has"), default=list, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    collected_at = models.DateTimeField(_("last collected"), null=True, blank=True)
    collecting_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-day", "account"]
        verbose_name = _("reach reads per day")
        verbose_name_plural = _("reads per account and day (reach and listening)")
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="reachday_unique_account_day")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.post_reads + self.user_reads}"

    @admin.display(description=_("note"))
    def note_text(self) -> str:
        if self.posts_skipped:
            return gettext("Daily read budget reached: %(count)s posts were not read today.") % {
                "count": self.posts_skipped
            }
        return ""


class ReachMonth(models.Model):
    """One account's reach in a closed month, summed once from PostFigures and then read from here.

    A month's report counts each of the month's published posts at its latest
    figures collected on or before the month's last day. Once that day's
    collection is over (reports.selectors.closes_at) those figures no longer
    change, so the sums and the account's five best posts are kept here
    instead of being read again from some thirty figure rows per post on each
    request. The month that is still open is never kept. A figure never read
    stays None here too (blank, never 0).
    """

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("SNS account"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))  # its first day; a calendar month in JST, as the report's
    # The month's published posts when counted: a post withdrawn since makes the row out of date.
    published = models.PositiveIntegerField(_("posts published"))
    views = models.PositiveBigIntegerField(_("views"), null=True, blank=True)
    engagement = models.PositiveBigIntegerField(_("engagement"), null=True, blank=True)
    read_at = models.DateTimeField(_("figures read at"), null=True, blank=True)  # the newest figure summed
    # The account's best posts, best first: [{"target_id", "views", "engagement", "read_at"}] (None: not given).
    top = models.JSONField(_("best posts"), default=list, blank=True)
    counted_at = models.DateTimeField(_("counted at"))

    class Meta:
        ordering = ["-month", "account"]
        verbose_name = _("reach of a closed month")
        verbose_name_plural = _("reach of closed months")
        constraints = [models.UniqueConstraint(fields=["account", "month"], name="reachmonth_one_per_account_month")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}"
