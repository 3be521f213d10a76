"""Records of the changes that have no history of their own elsewhere.

Posts, account pauses, footers and the publishing switch already keep their own
append-only records (posts.PostEvent, accounts.AccountStateChange,
posts.Footer, posts.PublishingSwitch). This table holds the rest: memberships
and roles, office hours, closure days, SNS account settings, sign-ins and
second-factor changes. The audit log (audit.selectors) reads all of them as
one stream.

What happened is data (kind, before, after, data), never a sentence: the page
renders it in the reader's language.
"""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from immisns.append_only import AppendOnly


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValueError("The audit log is append-only.")

    def delete(self):
        raise ValueError("The audit log is append-only.")


class AuditEvent(AppendOnly, models.Model):
    """One change or sign-in: who, when, what, which object, before and after.

    Append-only three times over, as the post event log: the model, the
    queryset and database triggers (migration 0001) refuse updates and deletes.
    The references are kept without foreign-key constraints, so a record
    outlives the person, office or account it names.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    actor_name = models.CharField(_("by (user name)"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    office = models.ForeignKey(
        "accounts.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    account = models.ForeignKey(
        "accounts.SocialAccount",
        verbose_name=_("SNS account"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["-at", "-id"], name="auditevent_at"),
            models.Index(fields=["office", "-at"], name="auditevent_office_at"),
            models.Index(fields=["kind", "-at"], name="auditevent_kind_at"),
            # The log filtered by a person: their records by id, and those recorded under the name (audit/0005).
            models.Index(fields=["actor", "-at", "-id"], name="auditevent_actor_at"),
            models.Index(Upper("actor_name"), F("at").desc(), F("id").desc(), name="auditevent_actor_name_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"
