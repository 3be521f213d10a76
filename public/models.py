"""The operating policy's free-text sections, versioned (docs/architecture.md, the domain "Policy version").

Only the words people write are stored here: the purpose, who posts, the notes
and the disclaimer's own sentences. The sections that state a rule of the
console — the accounts (§2), the posting hours (§4), no replies (§5), the
footers (§6), the prohibited acts (§7) — are generated from the data the
console enforces when the page is shown (public/pages.py).

A version that has taken effect is never changed: it is part of what the
agency published. Administrators add a new version with its own effective date;
the one in force is the newest that has taken effect, and every earlier one
stays readable at its own address.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("ja", "en", "zh")

# The free-text sections, each stored once per language as <section>_<language>.
SECTIONS = ("preamble", "purpose", "posters", "hours_note", "notes", "disclaimer", "prohibited_note")


def today_jst() -> dt.date:
    return timezone.localdate()


class PolicyVersionQuerySet(models.QuerySet):
    def in_effect(self, on: dt.date | None = None):
        """Versions that have taken effect by `on` (today, JST), newest first."""
        return self.filter(effective_from__lte=on or today_jst()).order_by("-effective_from", "-number")


class PolicyVersion(models.Model):
    number = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    effective_from = models.DateField(_("effective from"))
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

    preamble_ja = models.TextField(_("preamble (Japanese)"))
    preamble_en = models.TextField(_("preamble (English)"))
    preamble_zh = models.TextField(_("preamble (Chinese)"))
    purpose_ja = models.TextField(_("§1 purpose (Japanese)"))
    purpose_en = models.TextField(_("§1 purpose (English)"))
    purpose_zh = models.TextField(_("§1 purpose (Chinese)"))
    posters_ja = models.TextField(_("§3 who posts (Japanese)"))
    posters_en = models.TextField(_("§3 who posts (English)"))
    posters_zh = models.TextField(_("§3 who posts (Chinese)"))
    hours_note_ja = models.TextField(_("§4 note on posting hours (Japanese)"))
    hours_note_en = models.TextField(_("§4 note on posting hours (English)"))
    hours_note_zh = models.TextField(_("§4 note on posting hours (Chinese)"))
    notes_ja = models.TextField(_("§5 further notes, one per line (Japanese)"))
    notes_en = models.TextField(_("§5 further notes, one per line (English)"))
    notes_zh = models.TextField(_("§5 further notes, one per line (Chinese)"))
    disclaimer_ja = models.TextField(_("§6 disclaimer, one per line (Japanese)"))
    disclaimer_en = models.TextField(_("§6 disclaimer, one per line (English)"))
    disclaimer_zh = models.TextField(_("§6 disclaimer, one per line (Chinese)"))
    prohibited_note_ja = models.TextField(_("§7 what happens on a prohibited act (Japanese)"))
    prohibited_note_en = models.TextField(_("§7 what happens on a prohibited act (English)"))
    prohibited_note_zh = models.TextField(_("§7 what happens on a prohibited act (Chinese)"))

    objects = PolicyVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from", "-number"]
        verbose_name = _("operating policy version")
        verbose_name_plural = _("operating policy versions")

    def __str__(self) -> str:
        return f"v{self.number} ({self.effective_from:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("effective_from", flat=True).first()
            if stored is not None and stored <= today_jst():
                raise ValueError("A policy version that has taken effect is never changed; add a new version.")
        if self.number is None:
            latest = type(self).objects.aggregate(n=models.Max("number"))["n"]
            self.number = (latest or 0) + 1
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.has_taken_effect:
            raise ValueError("A policy version that has taken effect is never deleted.")
        return super().delete(*args, **kwargs)

    @property
    def has_taken_effect(self) -> bool:
        return self.effective_from <= today_jst()

    def text(self, section: str, language: str) -> str:
        return getattr(self, f"{section}_{language if language in LANGUAGES else 'ja'}")

    def lines(self, section: str, language: str) -> list[str]:
        """A one-item-per-line section as its items."""
        return [line.strip() for line in self.text(section, language).splitlines() if line.strip()]


class AccountListRevision(models.Model):
    """When the public list of official accounts last changed (the list's digest, first seen at)."""

    digest = models.CharField(max_length=64)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-seen_at", "-id"]
        get_latest_by = "seen_at"

    def __str__(self) -> str:
        return f"{self.seen_at:%Y-%m-%d} {self.digest[:12]}"
