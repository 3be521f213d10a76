"""Posts, their targets (the post on one account), images, footers and the event log (§3, §4).

A Post moves through the people's workflow (draft → pending → approved, or
cancelled). Each PostTarget of an approved post then moves through the
machine's states (scheduled → publishing → published …). The overall state
shown to people is derived from the targets, never stored twice.

States change only in posts.services; every change writes a PostEvent.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SocialAccount
from immisns.append_only import AppendOnly, AppendOnlyQuerySet


class Post(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        CANCELLED = "cancelled", _("Cancelled")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="posts"
    )
    body = models.TextField(_("text"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT, editable=False)
    scheduled_at = models.DateTimeField(_("publish at"))
    outside_hours_reason = models.CharField(
        _("reason for posting outside office hours"),
        max_length=300,
        blank=True,
        help_text=_("Required when the time falls outside an account's office hours (for example a disaster notice)."),
    )
    # Bumped by every edit; an approval is of one revision only.
    revision = models.PositiveIntegerField(default=1, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    # A supervisor sent the post back (差戻し): it is a draft again, with their reason, until resubmitted.
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent back by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    returned_comment = models.TextField(_("reason for sending back"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(fields=["state", "scheduled_at"]),
            # The post list's order, paged by keyset (posts.selectors.POST_LIST_ORDER).
            models.Index(fields=["scheduled_at", "id"], name="post_list_order"),
            # Pending posts by last change (the approval queue before it went in due order, by state+scheduled_at).
            models.Index(fields=["state", "updated_at", "id"], name="post_state_updated"),
            # A person's own drafts and pending posts (the dashboard), and "only mine".
            models.Index(fields=["author", "state", "updated_at"], name="post_author_state_updated"),
            # The admin's list of posts, newest written first.
            models.Index(fields=["created_at", "id"], name="post_created_order"),
            # The few posts sent outside office hours, which the monthly report counts and lists: without it
            # the report reads every post of every year to find them.
            models.Index(fields=["id"], condition=~models.Q(outside_hours_reason=""), name="post_outside_hours"),
        ]

    def __str__(self) -> str:
        first_line = self.body.strip().splitlines()[0] if self.body.strip() else ""
        return f"#{self.pk} {first_line[:40]}"

    @property
    def time_has_passed(self) -> bool:
        """Its publishing time is past: approved now, it goes out at once."""
        return self.scheduled_at <= timezone.now()

    def display_state(self) -> "DisplayState":
        """The state people see, derived from the targets once approved (never stored twice)."""
        if self.state == self.State.DRAFT and self.returned_by_id is not None:
            return DisplayState.RETURNED
        if self.state != self.State.APPROVED:
            return DisplayState(self.state)
        states = {t.state for t in self.targets.all()}
        T = PostTarget.State
        if states == {T.PUBLISHED}:
            return DisplayState.PUBLISHED
        if T.FAILED in states or T.UNCONFIRMED in states:
            return DisplayState.FAILED
        if T.PUBLISHED in states:
            return DisplayState.PARTLY
        if T.SCHEDULED in states or T.PUBLISHING in states:
            return DisplayState.SCHEDULED
        # Nothing left to go out: every target withdrawn. (An approved post's targets are never
        # waiting or cancelled: holding and cancelling take the post out of approval with them.)
        return DisplayState.WITHDRAWN


class DisplayState(models.TextChoices):
    """What people see of a post: its workflow state, or once approved what its targets did.

    The one definition used by the model (Post.display_state), the templates
    (its value is the CSS class, its label the words) and the list's filter.
    """

    DRAFT = "draft", _("Draft")
    RETURNED = "returned", _("Sent back")
    PENDING = "pending", _("Awaiting approval")
    SCHEDULED = "scheduled", _("Scheduled")
    PARTLY = "partly", _("Partly published")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Needs attention")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("Cancelled")


class PostTarget(models.Model):
    """The post on one account: its own text when it differs, and the publishing record."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for approval")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        UNCONFIRMED = "unconfirmed", _("Unconfirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled")

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="targets")
    account = models.ForeignKey(
        SocialAccount, verbose_name=_("SNS account"), on_delete=models.PROTECT, related_name="post_targets"
    )
    body_override = models.TextField(
        _("text for this account"), blank=True, help_text=_("Leave empty to use the post's text.")
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.WAITING, editable=False)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, editable=False)
    # Set when a worker claims the target; a target left in "publishing" long after
    # this was sent but never recorded, and is reconciled rather than resent.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    # When a publish task was last put on the queue; the sweep re-enqueues only
    # targets whose message may have been lost (the database is the source of truth).
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    # Written (and committed) immediately before the platform call that creates the
    # post, so a stale target tells "claimed but never sent" (sent_at empty: simply
    # sent again) from "its request may have left" (looked up, or left to a person).
    sent_at = models.DateTimeField(_("request sent at"), null=True, blank=True, editable=False)
    # An attempt may have gone out and nobody knows yet: every look-up and retry uses
    # its frozen published_text and footer, and the post cannot be edited, re-approved
    # or cancelled until the target is published, failed or decided by a person.
    in_doubt = models.BooleanField(_("in doubt"), default=False, editable=False)
    # The platform's own words (or the technical cause) of the last failure or doubt;
    # `problem` holds what happened as data, shown in the reader's language.
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    problem = models.JSONField(_("problem"), default=dict, blank=True, editable=False)
    external_id = models.CharField(_("platform post id"), max_length=100, blank=True, editable=False)
    external_url = models.URLField(_("published at URL"), blank=True, editable=False)
    published_text = models.TextField(_("text as published"), blank=True, editable=False)
    footer = models.ForeignKey(
        "Footer",
        verbose_name=_("footer"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["account__platform", "account__sort_order"]
        verbose_name = _("post target")
        verbose_name_plural = _("post targets")
        constraints = [models.UniqueConstraint(fields=["post", "account"], name="posttarget_one_per_account")]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            # The post list's state filters start from the posts with a target in a rare state.
            models.Index(fields=["state", "post"], name="target_state_post"),
            # Whether a post has a target in a given state, read from the index alone (the withdrawn filter).
            models.Index(fields=["post", "state"], name="target_post_state"),
            # Per account: the last published (health, the week's load) and what waits or comes next.
            models.Index(fields=["state", "account", "published_at"], name="target_state_account_published"),
            models.Index(fields=["state", "account", "due_at"], name="target_state_account_due"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.account.display_handle}"

    @property
    def body(self) -> str:
        return self.body_override or self.post.body

    @property
    def held_by_account(self) -> str:
        """ "account_paused" or "account_needs_reauth" while this scheduled target waits on its account, else ""."""
        if self.state != self.State.SCHEDULED or self.account.state == SocialAccount.State.ACTIVE:
            return ""
        return "account_paused" if self.account.state == SocialAccount.State.PAUSED else "account_needs_reauth"


def _post_image_path(instance, filename: str) -> str:
    return f"post-images/{instance.post_id}/{filename}"


class PostImage(models.Model):
    """An image of a post, stored only after decoding and with its metadata removed."""

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="images")
    file = models.FileField(_("file"), upload_to=_post_image_path)
    alt_text = models.CharField(_("alternative text"), max_length=1000)
    mime_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt_text[:40]


class Footer(AppendOnly, models.Model):
    """One version of a disclaimer footer (§4, §6): per platform, or overriding it for one account.

    Versions are never edited: saving new text in the admin adds a version, and
    the newest version in force is the one compose() appends.
    """

    platform = models.CharField(_("platform"), max_length=10, choices=SocialAccount.Platform.choices)
    account = models.ForeignKey(
        SocialAccount,
        verbose_name=_("account (override)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="footers",
        help_text=_("Leave empty for the platform's footer."),
    )
    text = models.TextField(_("footer text"))
    version = models.PositiveIntegerField(_("version"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["platform", "account", "-version"]
        verbose_name = _("footer")
        verbose_name_plural = _("footers")
        constraints = [
            models.UniqueConstraint(fields=["platform", "account", "version"], name="footer_unique_version"),
            models.UniqueConstraint(
                fields=["platform", "version"],
                condition=models.Q(account__isnull=True),
                name="footer_unique_platform_version",
            ),
        ]

    def __str__(self) -> str:
        scope = self.account.display_handle if self.account is not None else self.get_platform_display()
        return f"{scope} v{self.version}"


class PublishingSwitch(AppendOnly, models.Model):
    """The administrators' kill switch for all publishing; the newest row is in force.

    Rows are only ever added, so the table is also the record of who stopped
    and resumed publishing, when and why.
    """

    paused = models.BooleanField(_("publishing paused"))
    reason = models.CharField(_("reason"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("publishing switch")
        verbose_name_plural = _("publishing switch changes")

    def __str__(self) -> str:
        return f"{'paused' if self.paused else 'running'} {self.at:%Y-%m-%d %H:%M}"


class PostEvent(AppendOnly, models.Model):
    """Append-only log of every transition and decision: who, when, what, why.

    Enforced three times: the model refuses to save twice or delete, the
    queryset refuses update() and delete(), and database triggers refuse
    UPDATE and DELETE on the table (migration 0002).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        EDIT = "edit", _("Edited")
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        CANCEL = "cancel", _("Cancelled")
        WARNING = "warning", _("Warning recorded")
        DEFER = "defer", _("Deferred")
        CLAIM = "claim", _("Publishing started")
        PUBLISH = "publish", _("Published")
        FAIL = "fail", _("Failed")
        RETRY = "retry", _("Retry")
        UNCONFIRMED = "unconfirmed", _("Outcome unknown")
        RECONCILE = "reconcile", _("Reconciled")
        WITHDRAW = "withdraw", _("Withdrawn")
        NOTE = "note", _("Note")  # posters and supervisors discussing a draft or pending post

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="events")
    target = models.ForeignKey(
        PostTarget, verbose_name=_("target"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12, blank=True)
    # What the system knows (attempt, error code, URL, footer version, reason kind),
    # as data; posts.history renders it in the reader's language.
    data = models.JSONField(_("data"), default=dict, blank=True)
    # A person's own words only (a reason, a comment); never a system sentence.
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        # The health card counts each account's failures and unknown outcomes of the last 30 days: a few
        # among every event of those days (posts.health.account_health).
        indexes = [
            models.Index(
                fields=["at", "target"],
                condition=models.Q(action__in=["fail", "unconfirmed"]),
                name="postevent_recent_trouble",
            )
        ]
        verbose_name = _("post event")
        verbose_name_plural = _("post events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    @classmethod
    def build(
        cls,
        *,
        post_id: int,
        action: str,
        target: "PostTarget | None" = None,
        actor=None,
        from_state: str = "",
        to_state: str = "",
        data: dict | None = None,
        comment: str = "",
    ) -> "PostEvent":
        """An unsaved event (for bulk_create); record() saves one."""
        return cls(
            post_id=post_id,
            target=target,
            actor=actor,
            action=action,
            from_state=from_state,
            to_state=to_state,
            data=data or {},
            comment=comment,
        )

    @classmethod
    def record(cls, **fields) -> "PostEvent":
        """The one way an event is written (besides bulk_create of build()s)."""
        event = cls.build(**fields)
        event.save()
        return event

    def _state_label(self, value: str) -> str:
        choices = PostTarget.State if self.target_id else Post.State
        try:
            return str(choices(value).label)  # the label in the active language
        except ValueError:
            return value

    @property
    def from_state_label(self) -> str:
        return self._state_label(self.from_state) if self.from_state else ""

    @property
    def to_state_label(self) -> str:
        return self._state_label(self.to_state) if self.to_state else ""


class Notification(models.Model):
    """What the console tells a person inside it (the header's unread count); an e-mail too unless they chose not."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("A post waits for your approval")
        APPROVED = "approved", _("Your post was approved")
        SENT_BACK = "sent_back", _("Your post was sent back")
        FAILED = "failed", _("A post did not go out")
        UNCONFIRMED = "unconfirmed", _("A post's outcome is unknown")
        ACCOUNT = "account", _("An account needs attention")
        NOTE = "note", _("A note was written on a post")
        REPLIES = "replies", _("Replies wait for a decision")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(SocialAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            # Replies waiting: one unread notice per person and account, however many replies arrive meanwhile.
            models.UniqueConstraint(
                fields=["recipient", "account"],
                condition=models.Q(kind="replies", read_at__isnull=True),
                name="notification_replies_unread_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class NotificationChoice(models.Model):
    """A person's choice, per kind, of whether an e-mail is sent as well (the default: yes)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices")
    kind = models.CharField(max_length=15, choices=Notification.Kind.choices)
    email = models.BooleanField(_("also by e-mail"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_choice_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {'e-mail' if self.email else 'console only'}"
