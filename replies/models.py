"""What the public writes to the accounts (§7): replies, mentions and comments, the decisions on them, and listening.

The tables were first made by the moderation app (its migrations 0006–0008)
and keep their names.
"""

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.platforms.capabilities import capabilities_for
from checks import normalisation
from immisns.append_only import AppendOnly, AppendOnlyQuerySet
from replies.categories import ProhibitedAct


class Reply(models.Model):
    """One reply, mention or comment a member of the public wrote to one of the accounts.

    One row per platform item and account (``external_id`` is unique per
    account), so polling again or after a worker died duplicates nothing.
    ``post_target`` is the post the reply answers, when it is one of ours.
    """

    class State(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden")
        DELETED = "deleted", _("Deleted")

    class Risk(models.IntegerChoices):
        NONE = 0, _("None")
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    account = models.ForeignKey(
        "accounts.SocialAccount", verbose_name=_("SNS account"), on_delete=models.PROTECT, related_name="replies"
    )
    external_id = models.CharField(_("platform id"), max_length=100)
    author_id = models.CharField(_("author id"), max_length=100, blank=True)
    author_handle = models.CharField(_("author handle"), max_length=100, blank=True)
    author_name = models.CharField(_("author name"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    # replies.coordinated.spam_key(text): the same text from several authors or accounts is spam (§7);
    # "" for a text too short to count.
    text_digest = models.CharField(max_length=64, editable=False, blank=True)
    created_at = models.DateTimeField(_("written at"))
    url = models.URLField(_("URL"), max_length=500, blank=True)
    answers_id = models.CharField(_("answers"), max_length=100, blank=True)
    conversation_id = models.CharField(_("conversation"), max_length=100, blank=True)
    # Column post_target_id, as when it was a plain number; a target removed later leaves the reply unlinked.
    post_target = models.ForeignKey(
        "posts.PostTarget",
        verbose_name=_("post target"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
    )
    state = models.CharField(_("state on the platform"), max_length=10, choices=State.choices, default=State.VISIBLE)
    # What sorting found: [{"kind", "category", "severity", "start", "end", "excerpt", "rule"}].
    findings = models.JSONField(_("findings"), default=list, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=ProhibitedAct.choices, blank=True)
    risk = models.PositiveSmallIntegerField(_("risk"), choices=Risk.choices, default=Risk.NONE)
    # The system must still hide it (set on arrival; cleared once the platform confirmed, or refused).
    hide_pending = models.BooleanField(default=False, editable=False)
    # True until a person has decided (or confirmed what the system did).
    needs_review = models.BooleanField(_("waiting for a decision"), default=False)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        db_table = "moderation_reply"
        ordering = ["-created_at", "-id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="reply_unique_platform_item"),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="reply_account_newest"),
            # The queue's order (replies.views.QUEUE_ORDER), walked backwards a keyset page at a time; the
            # account last, so an account filter is checked in the index. Hidden or deleted replies and
            # those with a category are few: their own small indexes serve those filters in the same order.
            models.Index(fields=["needs_review", "risk", "created_at", "id", "account"], name="reply_queue_order"),
            models.Index(
                fields=["category", "needs_review", "risk", "created_at", "id"],
                name="reply_queue_category",
                condition=~models.Q(category=""),
            ),
            models.Index(
                fields=["state", "needs_review", "risk", "created_at", "id"],
                name="reply_queue_state",
                condition=~models.Q(state="visible"),
            ),
            # The home page counts each account's waiting replies from this index alone (they are few).
            models.Index(fields=["account"], condition=models.Q(needs_review=True), name="reply_waiting_account"),
            # The account page's counts by state and waiting, read from the index alone (replies.selectors).
            models.Index(fields=["account", "state", "needs_review"], name="reply_account_state"),
            models.Index(fields=["author_id", "text_digest"], name="reply_author_text"),
            models.Index(fields=["text_digest", "created_at"], name="reply_text_recent"),
            # The transparency report counts the last two months' replies per account on each request (index only).
            models.Index(fields=["created_at", "account"], name="reply_written"),
            # The monthly report counts a month's replies per category and finds when a person first decided
            # on each (reports.selectors), from this index alone rather than every reply of every year.
            models.Index(fields=["received_at", "account", "category", "id"], name="reply_received"),
        ]

    def __str__(self) -> str:
        return f"{self.author_handle or self.author_name}: {self.text[:40]}"

    @property
    def author_profile_url(self) -> str:
        return capabilities_for(self.account).author_profile_url(handle=self.author_handle, author_id=self.author_id)


class ReplyDecision(AppendOnly, models.Model):
    """Append-only log of what was done to a reply: who (or the system), when, what, under which category, why.

    Enforced three times: the model refuses to save twice or delete, the
    queryset refuses update() and delete(), and database triggers refuse
    UPDATE and DELETE on the table (moderation's migration 0007). Every row is
    written by replies.services.reply_decision_record(), the system's included.
    """

    class Action(models.TextChoices):
        FLAG = "flag", _("Flagged")
        HIDE = "hide", _("Hidden")
        UNHIDE = "unhide", _("Shown again")
        CONFIRM = "confirm", _("Confirmed")
        DELETE = "delete", _("Deleted")
        BAN = "ban", _("Banned")

    reply = models.ForeignKey(Reply, verbose_name=_("reply"), on_delete=models.PROTECT, related_name="decisions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )  # None: the system
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    category = models.CharField(_("category"), max_length=20, choices=ProhibitedAct.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # The automatic rule that did it ("personal_data:residence_card", "word_list:3"), empty for a person.
    rule = models.CharField(_("rule"), max_length=100, blank=True)
    # What the system knows: the finding, or for an X ban that the block must be done on X.
    data = models.JSONField(_("data"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        db_table = "moderation_replydecision"
        ordering = ["at", "id"]
        # The home page counts the system's hides since a person last looked at the queue.
        indexes = [
            models.Index(
                fields=["at"], condition=models.Q(actor__isnull=True, action="hide"), name="replydecision_auto_hide"
            ),
            # The monthly report's time to a person's first decision on each reply (index only).
            models.Index(
                fields=["reply", "at"], condition=models.Q(actor__isnull=False), name="replydecision_by_person"
            ),
        ]
        verbose_name = _("reply decision")
        verbose_name_plural = _("reply decisions")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} #{self.reply_id}"


class WordList(models.Model):
    """Words an administrator lists for one prohibited act: a reply containing one is flagged or hidden (§7)."""

    class Action(models.TextChoices):
        FLAG = "flag", _("Flag for a person")
        HIDE = "hide", _("Hide at once")

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=ProhibitedAct.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices, default=Action.FLAG)
    words = models.TextField(
        _("words"), help_text=_("One word or phrase per line, Japanese first. Width and case do not matter.")
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        db_table = "moderation_wordlist"
        ordering = ["category", "name"]
        verbose_name = _("word list")
        verbose_name_plural = _("word lists")

    def __str__(self) -> str:
        return self.name

    def word_set(self) -> list[str]:
        return [
            normalisation.for_matching(line).text.strip().casefold() for line in self.words.splitlines() if line.strip()
        ]


class ListeningState(models.Model):
    """Where polling stands for one account: its cursors, today's reads against the budget, any wait.

    ``note`` is data, rendered in the reader's language by note_text():
    {"code": "budget_reached", "reads": items read today, "budget": the daily
    budget then, "cost": the estimated cost in USD}; empty when there is
    nothing to say. ``polling_until`` is held while a poll runs (a lease that
    expires, so a worker killed mid-poll does not stop the account for good):
    a second poll of the same account meanwhile skips.
    """

    BUDGET_REACHED = "budget_reached"

    account = models.OneToOneField(
        "accounts.SocialAccount", verbose_name=_("SNS account"), on_delete=models.CASCADE, related_name="listening"
    )
    # {"mentions": cursor, "<platform post id>": cursor}; a cursor is kept only after a complete read.
    cursors = models.JSONField(_("cursors"), default=dict, blank=True)
    day = models.DateField(_("day"), null=True, blank=True)
    reads_today = models.PositiveIntegerField(_("items read today"), default=0)
    note = models.JSONField(_("note"), default=dict, blank=True)
    wait_until = models.DateTimeField(_("waiting until"), null=True, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    polling_until = models.DateTimeField(_("poll running until"), null=True, blank=True, editable=False)

    class Meta:
        db_table = "moderation_listeningstate"
        verbose_name = _("listening state")
        verbose_name_plural = _("listening states")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.reads_today} today"

    def note_budget_reached(self, *, budget: int, cost_per_item: float) -> None:
        self.note = {
            "code": self.BUDGET_REACHED,
            "reads": self.reads_today,
            "budget": budget,
            "cost": round(self.reads_today * cost_per_item, 4),
        }

    @admin.display(description=_("note"))
    def note_text(self) -> str:
        """The note in the active language ("" when there is none)."""
        if self.note.get("code") == self.BUDGET_REACHED:
            return gettext(
                "Daily read budget reached (%(reads)s items, about %(cost).2f USD): polling resumes tomorrow."
            ) % {"reads": self.note.get("reads", 0), "cost": self.note.get("cost", 0)}
        return ""


class ListeningDay(models.Model):
    """Items read for one account on one day, and what X bills for them (X charges per item read, §7).

    Kept per day after the day is over (ListeningState holds today only), for
    the admin's record of reads and cost per account.
    """

    account = models.ForeignKey(
        "accounts.SocialAccount", verbose_name=_("SNS account"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    reads = models.PositiveIntegerField(_("items read"), default=0)
    cost = models.DecimalField(_("estimated cost (USD)"), max_digits=12, decimal_places=4, default=0)

    class Meta:
        db_table = "moderation_listeningday"
        ordering = ["-day", "account"]
        verbose_name = _("listening day")
        verbose_name_plural = _("reads per account and day")
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="listeningday_unique_account_day")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.reads}"


class QueueVisit(models.Model):
    """When a person last looked at the moderation queue: the dashboard counts automatic hides since then."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "moderation_queuevisit"
        verbose_name = _("moderation queue visit")
        verbose_name_plural = _("moderation queue visits")

    def __str__(self) -> str:
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M}"


class TransparencyMonth(models.Model):
    """A closed month's counts for the public transparency report, read once from the replies and decisions.

    A month before the previous one no longer changes (a decision counts in the
    month it was taken, a reply in the month it was written, and listening picks
    replies up within hours), so the report keeps its counts here instead of
    counting three years of replies on every request (replies.selectors).
    """

    month = models.DateField(_("month"), unique=True)  # its first day, in the console's time zone
    # One replies.selectors.MonthCounts per account that had replies or decisions that month.
    counts = models.JSONField(_("counts"), default=list)
    counted_at = models.DateTimeField(_("counted at"), auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("transparency report month")
        verbose_name_plural = _("transparency report months")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"
