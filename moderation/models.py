"""Administered data for the content checks (§5)."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

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
