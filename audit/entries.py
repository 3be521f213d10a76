"""One audit row in words and as data: rendered in the reader's language from what was recorded.

The stream (audit.selectors) gives plain column values; Entry turns them into
what the page, the CSV and the JSON Lines show: the kind's label, the object,
before and after, and a sentence for the system's part (posts.history for
post events). Nothing here was stored as a sentence.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AccountConnection, Membership, OfficeHours, SocialAccount
from audit import selectors
from posts import history
from posts.models import Post, PostEvent, PostTarget
from replies.categories import ProhibitedAct
from replies.models import ReplyDecision

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or a lazily translated one

KIND_LABELS = {
    "post": gettext_lazy("Posts"),
    "account_state": gettext_lazy("Account pauses and resumptions"),
    "footer": gettext_lazy("Footers"),
    "publishing": gettext_lazy("Publishing switch"),
    "membership": gettext_lazy("Memberships and roles"),
    "office_hours": gettext_lazy("Office hours"),
    "closure_day": gettext_lazy("Closure days"),
    "social_account": gettext_lazy("SNS account settings"),
    "login": gettext_lazy("Sign-ins"),
    "mfa": gettext_lazy("Two-factor authentication"),
    "account_connection": gettext_lazy("Account connections"),
    "moderation": gettext_lazy("Replies: moderation decisions"),
}

RECORD_LABELS = {
    "membership.added": gettext_lazy("Role given"),
    "membership.changed": gettext_lazy("Role changed"),
    "membership.removed": gettext_lazy("Role removed"),
    "office_hours.added": gettext_lazy("Office hours added"),
    "office_hours.changed": gettext_lazy("Office hours changed"),
    "office_hours.removed": gettext_lazy("Office hours removed"),
    "closure_day.added": gettext_lazy("Closure day added"),
    "closure_day.changed": gettext_lazy("Closure day changed"),
    "closure_day.removed": gettext_lazy("Closure day removed"),
    "social_account.added": gettext_lazy("SNS account added"),
    "social_account.changed": gettext_lazy("SNS account changed"),
    "social_account.removed": gettext_lazy("SNS account removed"),
    "login.succeeded": gettext_lazy("Signed in"),
    "login.failed": gettext_lazy("Sign-in failed"),
    "login.signed_out": gettext_lazy("Signed out"),
    "mfa.added": gettext_lazy("Second factor added"),
    "mfa.removed": gettext_lazy("Second factor removed"),
    "mfa.reset": gettext_lazy("Recovery codes renewed"),
}
# allauth's authenticator types, as a person reads them in the log.
SECOND_FACTOR_KINDS = {
    "totp": gettext_lazy("authenticator app (TOTP)"),
    "recovery_codes": gettext_lazy("recovery codes"),
    "webauthn": gettext_lazy("security key"),
}

OBJECT_LABELS = {
    "post": gettext_lazy("Post"),
    "social_account": gettext_lazy("SNS account"),
    "footer": gettext_lazy("Footer"),
    "publishing_switch": gettext_lazy("Publishing switch"),
    "membership": gettext_lazy("Membership"),
    "office_hours": gettext_lazy("Office hours"),
    "closure_day": gettext_lazy("Closure day"),
    "user": gettext_lazy("Person"),
    "reply": gettext_lazy("Reply"),
}

STATE_LABELS = {**dict(PostTarget.State.choices), **dict(Post.State.choices)}
ACCOUNT_STATES = dict(SocialAccount.State.choices)
# Looked up with values read back from an event's data, whatever was stored there.
ROLES: dict[object, StrOrPromise] = dict(Membership.Role.choices)
WEEKDAYS: dict[object, StrOrPromise] = dict(OfficeHours.Weekday.choices)
PLATFORMS: dict[object, StrOrPromise] = dict(SocialAccount.Platform.choices)
CONNECTION_KINDS: dict[object, StrOrPromise] = dict(AccountConnection.Kind.choices)
CONNECTION_METHODS: dict[object, StrOrPromise] = dict(AccountConnection.Method.choices)
REPLY_ACTIONS: dict[object, StrOrPromise] = dict(ReplyDecision.Action.choices)
CATEGORIES: dict[object, StrOrPromise] = dict(ProhibitedAct.choices)
# What a decision's data may hold that is the reply's own words (a finding's excerpt): never copied out.
REPLY_WORDS = frozenset({"excerpt", "text"})


def _without_reply_words(value):
    """The decision's data with every excerpt of the reply's text left out (the export must not re-publish it)."""
    if isinstance(value, dict):
        return {key: _without_reply_words(item) for key, item in value.items() if key not in REPLY_WORDS}
    if isinstance(value, list):
        return [_without_reply_words(item) for item in value]
    return value


def _json(text):
    if not text or text == "{}":  # most events' data: not worth a parse
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


@dataclass
class Names:
    """The office and account names the page shows, read once per page or export."""

    offices: dict = field(default_factory=dict)
    accounts: dict = field(default_factory=dict)
    # An export renders the same few kinds 100,000 times: each label is translated once.
    labels: dict = field(default_factory=dict)
    office_names: dict = field(default_factory=dict)
    account_names: dict = field(default_factory=dict)
    zone: dt.tzinfo = field(default_factory=timezone.get_current_timezone)

    @classmethod
    def load(cls) -> Names:
        from accounts.models import Office

        return cls(
            offices={office.pk: office for office in Office.objects.all()},
            accounts={account.pk: account for account in SocialAccount.objects.all()},
        )

    def office(self, pk) -> str:
        # Office.name asks for the active language each time: an export asks a million times, in one language.
        name = self.office_names.get(pk)
        if name is None:
            office = self.offices.get(pk)
            name = self.office_names[pk] = office.name if office is not None else ("" if pk is None else f"#{pk}")
        return name

    def office_code(self, pk) -> str:
        office = self.offices.get(pk)
        return office.code if office is not None else ""

    def account(self, pk) -> str:
        # Each account's handle as the platform writes it, worked out once (an export asks a million times).
        name = self.account_names.get(pk)
        if name is None:
            account = self.accounts.get(pk)
            name = account.display_handle if account is not None else ("" if pk is None else f"#{pk}")
            self.account_names[pk] = name
        return name


@dataclass
class Entry:
    src: int
    pk: int
    at: dt.datetime
    actor: str
    kind: str  # a stable code: "post.approve", "membership.changed", "publishing.paused" …
    object_type: str
    object_id: int | None
    office_id: int | None
    account_id: int | None
    before: object
    after: object
    data: dict
    note: str  # people's own words (a comment, a reason) or a footer's text
    names: Names

    @classmethod
    def from_row(cls, row: dict, names: Names) -> Entry:
        src, action, number = row["a_src"], row["a_action"], row["a_number"]
        before, after, data = row["a_before"], row["a_after"], _json(row["a_data"]) or {}
        if src == selectors.POST:
            kind = f"post.{action}"
            if number is not None:
                data = {**data, "target_id": number}
        elif src == selectors.ACCOUNT_STATE:
            kind = "account_state.changed"
        elif src == selectors.FOOTER:
            kind = "footer.version"
            data = {"version": number, "platform": action}
            after = row["a_note"]
        elif src == selectors.PUBLISHING:
            kind = "publishing.paused" if number else "publishing.resumed"
            data = {"paused": bool(number)}
            before, after = None, ("paused" if number else "running")
        elif src == selectors.CONNECTION:
            # The identity the platform confirmed, and how; never a token (there is none in the row).
            kind = f"account_connection.{action}"
            data = {"method": before, "identity_id": row["a_data"] or "", "identity_handle": after or ""}
            before, after = None, None
        elif src == selectors.MODERATION:
            kind = f"moderation.{action}"
            data = {"category": before or "", "rule": after or "", **_without_reply_words(data)}
            before, after = None, None
        else:
            kind = action
            before, after = _json(before), _json(after)
        return cls(
            src=src,
            pk=row["a_pk"],
            at=row["a_at"],
            actor=row["a_actor"] or "",
            kind=kind,
            object_type=row["a_object_type"] or "",
            object_id=row["a_object_id"],
            office_id=row["a_office_id"],
            account_id=row["a_account_id"],
            before=before or None,
            after=after or None,
            data=data,
            note="" if src == selectors.FOOTER else (row["a_note"] or ""),
            names=names,
        )

    # --- words ---

    @property
    def local_at(self):
        return self.at.astimezone(self.names.zone)

    @property
    def family(self) -> str:
        return self.kind.split(".", 1)[0]

    @property
    def label(self) -> str:
        label = self.names.labels.get(self.kind)
        if label is None:
            label = self.names.labels[self.kind] = self._label()
        return label

    def _label(self) -> str:
        if self.src == selectors.POST:
            action = self.kind.split(".", 1)[1]
            return str(PostEvent.Action(action).label) if action in PostEvent.Action.values else action
        if self.src == selectors.ACCOUNT_STATE:
            return _("Account state changed")
        if self.src == selectors.FOOTER:
            return _("Footer version added")
        if self.src == selectors.PUBLISHING:
            return _("Publishing paused") if self.data.get("paused") else _("Publishing resumed")
        if self.src == selectors.CONNECTION:
            action = self.kind.split(".", 1)[1]
            return str(CONNECTION_KINDS.get(action, action))
        if self.src == selectors.MODERATION:
            action = self.kind.split(".", 1)[1]
            return _("Reply: %(action)s") % {"action": REPLY_ACTIONS.get(action, action)}
        return str(RECORD_LABELS.get(self.kind, self.kind))

    @property
    def object_label(self) -> str:
        label = str(OBJECT_LABELS.get(self.object_type, self.object_type))
        if self.object_type == "social_account" and self.account_id:
            return f"{label} {self.names.account(self.account_id)}"
        if self.object_type == "user":
            who = self.data.get("user") or (self.actor if self.object_id else self.data.get("username", ""))
            return f"{label} {who}".strip()
        return f"{label} #{self.object_id}" if self.object_id is not None else label

    @property
    def office(self) -> str:
        return self.names.office(self.office_id)

    @property
    def account(self) -> str:
        return self.names.account(self.account_id)

    def _side(self, value) -> str:
        if value is None or value == "":
            return ""
        if self.src == selectors.POST:
            return str(STATE_LABELS.get(value, value))
        if self.src == selectors.ACCOUNT_STATE:
            return str(ACCOUNT_STATES.get(value, value))
        if self.src == selectors.FOOTER:
            return str(value)
        if self.src == selectors.PUBLISHING:
            return _("paused") if value == "paused" else _("running")
        if not isinstance(value, dict):
            return str(value)
        family = self.family
        if family == "membership":
            return _("%(user)s: %(role)s at %(office)s") % {
                "user": value.get("user", ""),
                "role": ROLES.get(value.get("role"), value.get("role")),
                "office": self.names.office(value.get("office_id")),
            }
        if family == "office_hours":
            return f"{self.names.office(value.get('office_id'))} {WEEKDAYS.get(value.get('weekday'), '')} {value.get('opens')}–{value.get('closes')}"
        if family == "closure_day":
            where = self.names.office(value["office_id"]) if value.get("office_id") else _("every office")
            return f"{value.get('date')} {where}: {value.get('reason', '')}"
        if family == "social_account":
            other = self.after if value is self.before else self.before
            changed = [key for key in value if not isinstance(other, dict) or other.get(key) != value.get(key)]
            return "; ".join(f"{key}: {self._field(key, value.get(key))}" for key in changed)
        return json.dumps(value, ensure_ascii=False)

    def _field(self, key: str, value) -> str:
        if key == "office_id":
            return self.names.office(value)
        if key == "platform":
            return str(PLATFORMS.get(value, value))
        return "" if value is None else str(value)

    @property
    def before_text(self) -> str:
        return self._side(self.before)

    @property
    def after_text(self) -> str:
        return self._side(self.after)

    @property
    def description(self) -> str:
        """The system's part in a sentence, then people's own words."""
        parts = []
        if self.src == selectors.POST:
            parts.append(history.describe(self.kind.split(".", 1)[1], self.data))
        elif self.src == selectors.FOOTER:
            platform = PLATFORMS.get(self.data.get("platform"), self.data.get("platform"))
            parts.append(
                _("Version %(version)s of the footer for %(platform)s.")
                % {"version": self.data.get("version"), "platform": platform}
            )
        elif self.src == selectors.CONNECTION:
            parts.append(
                _("Identity confirmed by the platform: %(handle)s (id %(id)s), %(how)s.")
                % {
                    "handle": self.data.get("identity_handle") or "-",
                    "id": self.data.get("identity_id") or "-",
                    "how": CONNECTION_METHODS.get(self.data.get("method"), self.data.get("method")),
                }
            )
        elif self.src == selectors.MODERATION:
            parts.append(self._decision_sentence())
        elif self.kind == "login.failed":
            parts.append(_("User name entered: %(name)s") % {"name": self.data.get("username", "")})
        elif self.family == "mfa":
            kind = self.data.get("authenticator", "")
            parts.append(
                _("%(type)s of %(user)s")
                % {"type": SECOND_FACTOR_KINDS.get(kind, kind), "user": self.data.get("user", "")}
            )
        parts.append(self.note)
        return " ".join(part for part in parts if part)

    def _decision_sentence(self) -> str:
        data = self.data
        parts = [_("By the system.") if not self.actor else ""]
        if data.get("category"):
            parts.append(
                _("Category: %(category)s.") % {"category": CATEGORIES.get(data["category"], data["category"])}
            )
        if data.get("rule"):
            parts.append(_("Rule: %(rule)s.") % {"rule": data["rule"]})
        if data.get("hidden_on_platform"):
            parts.append(_("The reply was hidden on the platform."))
        if data.get("hide_refused"):
            parts.append(_("The platform did not hide it: %(error)s") % {"error": data["hide_refused"]})
        if data.get("block_on_x_at"):
            parts.append(_("The author is to be blocked on X itself."))
        if data.get("blocked_on_x"):
            parts.append(_("The block was done on X itself."))
        return " ".join(part for part in parts if part)

    # --- data, for the export ---

    def as_data(self) -> dict:
        return {
            "at": self.local_at.isoformat(),
            "source": selectors.SOURCE_NAMES[self.src],
            "id": self.pk,
            "kind": self.kind,
            "kind_label": self.label,
            "actor": self.actor,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "office": self.names.office_code(self.office_id),
            "account": self.account,
            "before": self.before,
            "after": self.after,
            "data": self.data,
            "comment": self.note,
            "description": self.description,
        }
