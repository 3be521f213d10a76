"""Offices, their SNS accounts, office hours and the people's roles (§2, §3, §4)."""

import functools

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts import crypto
from accounts.platforms.capabilities import capabilities_for
from immisns.append_only import AppendOnly  # the frozen audit/0001 reads it here too


class Office(models.Model):
    """An operating body (運営主体): the agency, a bureau, a branch or a center."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency")
        BUREAU = "bureau", _("Regional bureau")
        BRANCH = "branch", _("Branch office")
        CENTER = "center", _("Immigration center")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="agency", parent__isnull=True) | ~models.Q(kind="agency")),
                name="office_agency_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Japanese unless English or Chinese is asked for)."""
        language = (get_language() or "ja").split("-")[0]
        return {"en": self.name_en, "zh": self.name_zh}.get(language, self.name_ja)


class OfficeHours(models.Model):
    """One weekday window in which an office's counter is open (§4), in JST."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    office = models.ForeignKey(Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["office", "weekday", "opens"]
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="officehours_opens_before_closes"
            ),
            models.UniqueConstraint(fields=["office", "weekday", "opens"], name="officehours_unique_window"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ClosureDay(models.Model):
    """A day an administrator closes one office, or every office (office left empty)."""

    date = models.DateField(_("date"))
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closure_days",
        help_text=_("Leave empty to close every office."),
    )
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")
        constraints = [
            models.UniqueConstraint(fields=["date", "office"], name="closureday_unique_per_office"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(office__isnull=True), name="closureday_unique_all_offices"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}"


class SocialAccount(models.Model):
    """One official X account or Facebook page (§2 of the operating policy)."""

    class Platform(models.TextChoices):
        X = "x", "X"
        FACEBOOK = "facebook", "Facebook"

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        NEEDS_REAUTH = "needs_reauth", _("Needs re-authorisation")

    class Publisher(models.TextChoices):
        SANDBOX = "sandbox", _("Sandbox (records only; nothing is sent)")
        PLATFORM = "platform", _("The platform itself")

    # Credential fields each platform needs; the values are stored encrypted.
    CREDENTIAL_FIELDS = {
        Platform.X: ("access_token", "access_token_secret"),
        Platform.FACEBOOK: ("page_access_token",),
    }

    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=100)
    display_name = models.CharField(_("display name"), max_length=150)
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="social_accounts"
    )
    state = models.CharField(_("state"), max_length=15, choices=State.choices, default=State.ACTIVE)
    publisher = models.CharField(
        _("publisher"),
        max_length=10,
        choices=Publisher.choices,
        default=Publisher.SANDBOX,
        help_text=_("Sandbox records what would have gone out; only 'platform' posts for real."),
    )
    platform_id = models.CharField(
        _("platform id"),
        max_length=64,
        blank=True,
        help_text=_("The numeric user id on X, or the page id on Facebook."),
    )
    credentials_encrypted = models.TextField(editable=False, blank=True, default="")
    credentials_updated_at = models.DateTimeField(_("credentials updated"), null=True, blank=True, editable=False)
    # What the platform said of the connection when it was made or last checked (accounts.connections).
    granted_scopes = models.JSONField(_("permissions granted"), default=list, blank=True, editable=False)
    token_expires_at = models.DateTimeField(_("token expires"), null=True, blank=True, editable=False)
    data_access_expires_at = models.DateTimeField(_("data access expires"), null=True, blank=True, editable=False)
    last_successful_call_at = models.DateTimeField(_("last successful call"), null=True, blank=True, editable=False)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["platform", "sort_order", "handle"]
        verbose_name = _("SNS account")
        verbose_name_plural = _("SNS accounts")
        constraints = [
            models.UniqueConstraint(Lower("handle"), "platform", name="socialaccount_unique_handle_per_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.display_handle}"

    def __repr__(self) -> str:
        # Never include the credentials, even encrypted.
        return f"<SocialAccount {self.platform}:{self.handle}>"

    def get_absolute_url(self) -> str:
        """The account's page in the console; its profile on the platform is one more click from there."""
        from django.urls import get_script_prefix, get_urlconf

        # Lists name the same few accounts on every row: each URL is worked out once per process.
        return _account_page_url(get_script_prefix(), get_urlconf(), self.handle)

    @property
    def display_handle(self) -> str:
        return capabilities_for(self).display_handle(self.handle)

    @property
    def profile_url(self) -> str:
        return capabilities_for(self).profile_url(self.handle)

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)

    def set_credentials(self, values: dict[str, str]) -> None:
        """Encrypt and keep the given credentials; call save() afterwards."""
        from django.utils import timezone

        self.credentials_encrypted = crypto.encrypt_json(values) if values else ""
        self.credentials_updated_at = timezone.now()

    def get_credentials(self) -> dict[str, str]:
        """The decrypted credentials, for the publishers only. Never display or log them."""
        return crypto.decrypt_json(self.credentials_encrypted) if self.credentials_encrypted else {}


class Membership(models.Model):
    """A person's role at an office (§3)."""

    class Role(models.TextChoices):
        POSTER = "poster", _("Poster")
        SUPERVISOR = "supervisor", _("Supervisor")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    office = models.ForeignKey(Office, verbose_name=_("office"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    class Meta:
        ordering = ["office__sort_order", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "office"], name="membership_one_role_per_office"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.office} ({self.get_role_display()})"


class AccountStateChange(AppendOnly, models.Model):
    """Append-only record of every pause, resume and re-authorisation of an account."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("SNS account"), on_delete=models.PROTECT, related_name="state_changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_state = models.CharField(_("from"), max_length=15, choices=SocialAccount.State.choices)
    to_state = models.CharField(_("to"), max_length=15, choices=SocialAccount.State.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("account state change")
        verbose_name_plural = _("account state changes")

    def __str__(self) -> str:
        return f"{self.account.handle}: {self.from_state} → {self.to_state}"


class AccountConnection(AppendOnly, models.Model):
    """Append-only record of every connection, re-authorisation and disconnection of an account.

    Who did it, when, and the identity the platform confirmed — never a token.
    """

    class Kind(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        REAUTHORISED = "reauthorised", _("Re-authorised")
        DISCONNECTED = "disconnected", _("Disconnected")

    class Method(models.TextChoices):
        CALLBACK = "callback", _("Platform sign-in")
        PIN = "pin", _("Platform sign-in with a PIN")
        CONSOLE = "console", _("In the console")

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("SNS account"), on_delete=models.PROTECT, related_name="connections"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The identity the platform confirmed for the token: its id, handle and name.
    identity_id = models.CharField(_("confirmed id"), max_length=64, blank=True)
    identity_handle = models.CharField(_("confirmed handle"), max_length=100, blank=True)
    identity_name = models.CharField(_("confirmed name"), max_length=150, blank=True)
    scopes = models.JSONField(_("permissions granted"), default=list, blank=True)
    expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("account connection")
        verbose_name_plural = _("account connections")
        indexes = [models.Index(fields=["at", "id"], name="accountconnection_at_id")]

    def __str__(self) -> str:
        return f"{self.account.handle}: {self.kind}"


class SandboxDelivery(models.Model):
    """What the sandbox publisher "published": recorded, never sent anywhere."""

    account = models.ForeignKey(
        SocialAccount, verbose_name=_("SNS account"), on_delete=models.PROTECT, related_name="sandbox_deliveries"
    )
    text = models.TextField(_("text"))
    media = models.JSONField(_("images"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sandbox delivery")
        verbose_name_plural = _("sandbox deliveries")

    def __str__(self) -> str:
        return f"sandbox-{self.pk} {self.account.display_handle}"


@functools.lru_cache(maxsize=1024)
def _account_page_url(script_prefix: str, urlconf, handle: str) -> str:
    from django.urls import reverse

    return reverse("sns_account", args=[handle], urlconf=urlconf)
