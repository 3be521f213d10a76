"""Administered data for the content checks (§5), and the index the duplicate check reads.

The tables were first made by the moderation app (its migrations 0001–0005)
and keep their names.
"""

import datetime as dt
import hashlib
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checks import normalisation, personal_data

# One or more dot-separated DNS labels of ASCII letters, digits and inner hyphens.
_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)


def normalise_domain(value: str) -> str:
    """Lowercase, without surrounding blanks or a trailing dot (the form the checks compare against)."""
    return value.strip().lower().rstrip(".")


def validate_domain(value: str) -> None:
    if not _DOMAIN_RE.match(normalise_domain(value)):
        raise ValidationError(_("Enter a domain name such as moj.go.jp, without https:// or a path."), code="invalid")


class AllowedLinkDomain(models.Model):
    """A domain posts may link to without a warning; its subdomains are allowed too (§5)."""

    domain = models.CharField(
        _("domain"),
        max_length=253,
        unique=True,
        validators=[validate_domain],
        help_text=_("For example moj.go.jp. Every subdomain (www.moj.go.jp) is allowed as well."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "moderation_allowedlinkdomain"
        ordering = ["domain"]
        verbose_name = _("allowed link domain")
        verbose_name_plural = _("allowed link domains")
        constraints = [
            # The checks compare lowercase host names; keep the stored value comparable.
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")), name="allowedlinkdomain_domain_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = normalise_domain(self.domain)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.domain = normalise_domain(self.domain)


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
        _("number or address"),
        max_length=254,
        help_text=_("As it is published, for example 0570-013904, info@example.go.jp or moj.go.jp."),
    )
    # What the checks compare: the number's national digits, or the address or domain in lowercase.
    key = models.CharField(max_length=254, editable=False)
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("Whose it is, shown to staff beside a match.")
    )
    # One language at a time: the English interface shows this one, the Japanese the note above.
    note_en = models.CharField(
        _("note (English)"), max_length=200, blank=True, help_text=_("The same in English, for the English interface.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "moderation_officialcontact"
        ordering = ["kind", "key"]
        verbose_name = _("official contact detail")
        verbose_name_plural = _("official contact details")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="officialcontact_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.value} ({self.note})" if self.note else self.value

    def save(self, *args, **kwargs) -> None:
        key = self.key_for(self.kind, self.value)
        if key is None:
            raise ValidationError(f"Not a valid {self.kind}: {self.value!r}")
        self.key = key
        super().save(*args, **kwargs)

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
        if self.kind not in self.Kind.values:
            return  # clean_fields() says the kind is missing or not one of the choices
        key = self.key_for(self.kind, self.value)
        if key is None:
            messages = {
                self.Kind.PHONE: _(
                    "Enter a Japanese phone number as it is published, such as 0570-013904 or 03-5796-7112."
                ),
                self.Kind.EMAIL: _("Enter one e-mail address, such as info@example.go.jp."),
                self.Kind.EMAIL_DOMAIN: _("Enter a domain name such as moj.go.jp, without a path."),
            }
            raise ValidationError({"value": messages[self.Kind(self.kind)]}, code="invalid")
        self.key = key
        duplicates = OfficialContact.objects.filter(kind=self.kind, key=key).exclude(pk=self.pk)
        if duplicates.exists():
            raise ValidationError(
                {"value": _("This is already listed as %(existing)s.") % {"existing": duplicates.first()}},
                code="unique",
            )


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
    plain number because the checks sit below posts.
    """

    WINDOW = dt.timedelta(days=30)

    account = models.ForeignKey("accounts.SocialAccount", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    target_id = models.BigIntegerField(unique=True)

    class Meta:
        db_table = "moderation_publishedtext"
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
            account_id__in={a for a, _d in wanted},
            digest__in={d for _a, d in wanted},
            published_at__gte=since,
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
        PublishedText.objects.bulk_create(
            [
                PublishedText(
                    account_id=account_id, digest=text_digest(text), target_id=target_id, published_at=published_at
                )
                for account_id, text, target_id in rows
            ]
        )

    @classmethod
    def forget(cls, *, target_id: int) -> None:
        cls.objects.filter(target_id=target_id).delete()
