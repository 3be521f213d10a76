"""Administered data for the content checks (§5), the index the duplicate check reads, and what the public writes (§7)."""

import datetime as dt
import hashlib
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import AppendOnly, AppendOnlyQuerySet
from accounts.platforms.capabilities import capabilities_for
from moderation import normalisation, personal_data
from moderation.categories import ProhibitedAct

# One or more dot-separated DNS labels of ASCII letters, digits and inner hyphens.
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def normalise_domain(value: str) -> str:
    """Lowercase, without surrounding blanks or a trailing dot (the form the checks compare against)."""
    return value.strip().lower().rstrip(".")


def validate_domain(value: str) -> None:
    if not _DOMAIN_RE.match(normalise_domain(value)):
        raise ValidationError(_("Enter a domain name such as moj.go.jp, without https:// or a path."), code="invalid")


class AllowedLinkDomain(models.Model):
    """A domain posts may link to without a warning; its subdomains are allowed too (§5)."""

    domain = models.CharField(
        _("domain"), max_length=253, unique=True, validators=[validate_domain],
        help_text=_("For example moj.go.jp. Every subdomain (www.moj.go.jp) is allowed as well."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("allowed link domain")
        verbose_name_plural = _("allowed link domains")
        constraints = [
            # The checks compare lowercase host names; keep the stored value comparable.
            models.CheckConstraint(condition=models.Q(domain=Lower("domain")), name="allowedlinkdomain_domain_lowercase"),
        ]

    def __str__(self) -> str:
        return self.domain

    def clean(self) -> None:
        super().clean()
        self.domain = normalise_domain(self.domain)

    def save(self, *args, **kwargs) -> None:
        self.domain = normalise_domain(self.domain)
        super().save(*args, **kwargs)


class OfficialContact(models.Model):
    """A phone number, e-mail address or e-mail domain of the agency's own (§5).

    Announcements end with the office's contact details; those are never
    personal data. The checks show a match as information ("official number"),
    not as a finding. Matching ignores how the number or address is written:
    hyphens, spaces, brackets, full-width forms, +81 for the leading 0.
    """

    class Kind(models.TextChoices):
        PHONE = "phone", _("phone number")
        EMAIL = "email", _("e-mail address")
        EMAIL_DOMAIN = "email_domain", _("e-mail domain (every address at it and its subdomains)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.CharField(
        _("number or address"), max_length=254,
        help_text=_("As it is published, for example 0570-013904, info@example.go.jp or moj.go.jp."),
    )
    # What the checks compare: the number's national digits, or the address or domain in lowercase.
    key = models.CharField(max_length=254, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("Whose it is, shown to staff beside a match."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "key"]
        verbose_name = _("official contact detail")
        verbose_name_plural = _("official contact details")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="officialcontact_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.value} ({self.note})" if self.note else self.value

    @classmethod
    def key_for(cls, kind: str, value: str) -> str | None:
        """The comparable form of ``value``, or None when it is not a valid one of ``kind``."""
        normalised = normalisation.for_matching(value).text.strip()
        if kind == cls.Kind.PHONE:
            return personal_data.phone_key(normalised)
        if kind == cls.Kind.EMAIL:
            return personal_data.email_key(normalised)
        if kind == cls.Kind.EMAIL_DOMAIN:
            domain = normalise_domain(normalised.removeprefix("@"))
            return domain if _DOMAIN_RE.match(domain) and "." in domain else None
        return None

    def clean(self) -> None:
        super().clean()
        self.value = self.value.strip()
        if not self.kind:
            return
        key = self.key_for(self.kind, self.value)
        if key is None:
            messages = {
                self.Kind.PHONE: _("Enter a Japanese phone number as it is published, such as 0570-013904 or 03-5796-7112."),
                self.Kind.EMAIL: _("Enter one e-mail address, such as info@example.go.jp."),
                self.Kind.EMAIL_DOMAIN: _("Enter a domain name such as moj.go.jp, without a path."),
            }
            raise ValidationError({"value": messages[self.kind]}, code="invalid")
        self.key = key
        duplicates = OfficialContact.objects.filter(kind=self.kind, key=key).exclude(pk=self.pk)
        if duplicates.exists():
            raise ValidationError({"value": _("This is already listed as %(existing)s.") % {"existing": duplicates.first()}},
                                  code="unique")

    def save(self, *args, **kwargs) -> None:
        key = self.key_for(self.kind, self.value)
        if key is None:
            raise ValidationError(f"Not a valid {self.kind}: {self.value!r}")
        self.key = key
        super().save(*args, **kwargs)


# Width and spacing differences do not make a text new in a reader's eyes (nor in X's).
def text_digest(text: str) -> str:
    """SHA-256 of the text NFKC-normalised with every space removed: what "the same text" means."""
    normalised = "".join(unicodedata.normalize("NFKC", text).split())
    return hashlib.sha256(normalised.encode()).hexdigest()


class PublishedText(models.Model):
    """The digest of each text published on an account, for the recent-duplicate check (§5).

    One row per published target; the publishing engine writes it when a
    target is published (or recorded as published) and removes it when the
    post is withdrawn. `target_id` is the posts app's PostTarget id, kept as a
    plain number because moderation's checks sit below posts.
    """

    WINDOW = dt.timedelta(days=30)

    account = models.ForeignKey("accounts.SocialAccount", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    target_id = models.BigIntegerField(unique=True)

    class Meta:
        verbose_name = _("published text")
        verbose_name_plural = _("published texts")
        indexes = [models.Index(fields=["account", "digest", "published_at"], name="publishedtext_lookup")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.digest[:12]}"

    @classmethod
    def is_recent(cls, *, account, text: str, now: dt.datetime | None = None) -> bool:
        since = (now or timezone.now()) - cls.WINDOW
        return cls.objects.filter(account=account, digest=text_digest(text), published_at__gte=since).exists()

    @classmethod
    def recent_among(cls, pairs, *, now: dt.datetime | None = None) -> set[tuple[int, str]]:
        """The (account id, digest) pairs among `pairs` of (account id, text) published within the window.

        One query for all of them, on the same index as is_recent().
        """
        wanted = {(account_id, text_digest(text)) for account_id, text in pairs}
        if not wanted:
            return set()
        since = (now or timezone.now()) - cls.WINDOW
        found = cls.objects.filter(
            account_id__in={a for a, _d in wanted}, digest__in={d for _a, d in wanted}, published_at__gte=since,
        ).values_list("account_id", "digest")
        return wanted & set(found)

    @classmethod
    def remember(cls, *, account_id: int, text: str, target_id: int, published_at: dt.datetime) -> None:
        cls.objects.update_or_create(
            target_id=target_id,
            defaults={"account_id": account_id, "digest": text_digest(text), "published_at": published_at},
        )

    @classmethod
    def remember_many(cls, rows: list[tuple[int, str, int]], *, published_at: dt.datetime) -> None:
        """remember() for many (account id, text, target id) at once, in the caller's transaction."""
        if not rows:
            return
        cls.objects.filter(target_id__in=[target_id for _a, _t, target_id in rows]).delete()
        cls.objects.bulk_create([
            cls(account_id=account_id, digest=text_digest(text), target_id=target_id, published_at=published_at)
            for account_id, text, target_id in rows
        ])

    @classmethod
    def forget(cls, *, target_id: int) -> None:
        cls.objects.filter(target_id=target_id).delete()


# ---------------------------------------------------------------------------
# What the public writes (§7): replies, mentions and comments, and the decisions on them
# ---------------------------------------------------------------------------

class Reply(models.Model):
    """One reply, mention or comment a member of the public wrote to one of the accounts.

    One row per platform item and account (``external_id`` is unique per
    account), so polling again or after a worker died duplicates nothing.
    ``post_target_id`` is the posts app's PostTarget the reply answers, kept
    as a plain number because moderation sits below posts (as PublishedText).
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

    account = models.ForeignKey("accounts.SocialAccount", verbose_name=_("SNS account"), on_delete=models.PROTECT,
                                related_name="replies")
    external_id = models.CharField(_("platform id"), max_length=100)
    author_id = models.CharField(_("author id"), max_length=100, blank=True)
    author_handle = models.CharField(_("author handle"), max_length=100, blank=True)
    author_name = models.CharField(_("author name"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    # text_digest(text): the same text from one author on several accounts is spam (§7).
    text_digest = models.CharField(max_length=64, editable=False, blank=True)
    created_at = models.DateTimeField(_("written at"))
    url = models.URLField(_("URL"), max_length=500, blank=True)
    answers_id = models.CharField(_("answers"), max_length=100, blank=True)
    conversation_id = models.CharField(_("conversation"), max_length=100, blank=True)
    post_target_id = models.BigIntegerField(_("post target"), null=True, blank=True, db_index=True)
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
        ordering = ["-created_at", "-id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="reply_unique_platform_item"),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="reply_account_newest"),
            models.Index(fields=["needs_review", "-risk", "-created_at"], name="reply_queue"),
            models.Index(fields=["author_id", "text_digest"], name="reply_author_text"),
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
    UPDATE and DELETE on the table (migration 0007).
    """

    class Action(models.TextChoices):
        FLAG = "flag", _("Flagged")
        HIDE = "hide", _("Hidden")
        UNHIDE = "unhide", _("Shown again")
        CONFIRM = "confirm", _("Confirmed")
        DELETE = "delete", _("Deleted")
        BAN = "ban", _("Banned")

    reply = models.ForeignKey(Reply, verbose_name=_("reply"), on_delete=models.PROTECT, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")  # None: the system
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
        ordering = ["at", "id"]
        verbose_name = _("reply decision")
        verbose_name_plural = _("reply decisions")


class WordList(models.Model):
    """Words an administrator lists for one prohibited act: a reply containing one is flagged or hidden (§7)."""

    class Action(models.TextChoices):
        FLAG = "flag", _("Flag for a person")
        HIDE = "hide", _("Hide at once")

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=ProhibitedAct.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices, default=Action.FLAG)
    words = models.TextField(_("words"), help_text=_("One word or phrase per line, Japanese first. "
                                                     "Width and case do not matter."))
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("word list")
        verbose_name_plural = _("word lists")

    def __str__(self) -> str:
        return self.name

    def word_set(self) -> list[str]:
        return [normalisation.for_matching(line).text.strip().casefold()
                for line in self.words.splitlines() if line.strip()]


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

    account = models.OneToOneField("accounts.SocialAccount", verbose_name=_("SNS account"), on_delete=models.CASCADE,
                                   related_name="listening")
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
        verbose_name = _("listening state")
        verbose_name_plural = _("listening states")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.reads_today} today"

    def note_budget_reached(self, *, budget: int, cost_per_item: float) -> None:
        self.note = {"code": self.BUDGET_REACHED, "reads": self.reads_today, "budget": budget,
                     "cost": round(self.reads_today * cost_per_item, 4)}

    def note_text(self) -> str:
        """The note in the active language ("" when there is none)."""
        if self.note.get("code") == self.BUDGET_REACHED:
            return gettext("Daily read budget reached (%(reads)s items, about %(cost).2f USD): polling resumes "
                           "tomorrow.") % {"reads": self.note.get("reads", 0), "cost": self.note.get("cost", 0)}
        return ""

    note_text.short_description = _("note")


class ListeningDay(models.Model):
    """Items read for one account on one day, and what X bills for them (X charges per item read, §7).

    Kept per day after the day is over (ListeningState holds today only), for
    the admin's record of reads and cost per account.
    """

    account = models.ForeignKey("accounts.SocialAccount", verbose_name=_("SNS account"), on_delete=models.CASCADE,
                                related_name="+")
    day = models.DateField(_("day"))
    reads = models.PositiveIntegerField(_("items read"), default=0)
    cost = models.DecimalField(_("estimated cost (USD)"), max_digits=12, decimal_places=4, default=0)

    class Meta:
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
        verbose_name = _("moderation queue visit")
        verbose_name_plural = _("moderation queue visits")
