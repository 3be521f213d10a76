"""Every field the moderation queue posts or filters by, each with its bounds."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SocialAccount
from immisns.widgets import QuickSelect
from replies.categories import ProhibitedAct
from replies.models import Reply, ReplyDecision
from replies.services import BULK_MOST

# Dates a person may filter by: anything outside is a typing slip, not a question.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
SEARCH_MAX = 100  # characters of a search: enough for a sentence, bounded for the LIKE / trigram scan
# pg_trgm makes no trigram of words under three characters, so no index finds them (入管, 在留): such a
# search reads the replies of one window of days at a time, the newest unless the dates say otherwise.
TRIGRAM = 3
SHORT_WORDS_DAYS = 92


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": EARLIEST.isoformat(), "max": LATEST.isoformat()}),
        validators=[MinValueValidator(EARLIEST), MaxValueValidator(LATEST)],
    )


class AccountHandleChoiceField(forms.ModelChoiceField):
    """An account, named by its handle as the platform shows it."""

    def label_from_instance(self, obj: SocialAccount) -> str:
        return obj.display_handle


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Words, author handle or name"),
        required=False,
        max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    account = AccountHandleChoiceField(
        label=_("Account"), queryset=None, required=False, empty_label=_("All accounts"), widget=QuickSelect
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *ProhibitedAct.choices],
        widget=QuickSelect,
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *Reply.State.choices], widget=QuickSelect
    )
    waiting = forms.BooleanField(label=_("Only those waiting for a decision"), required=False)
    since = _date_field(_("Written from"))
    until = _date_field(_("Written until"))

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        cast(AccountHandleChoiceField, self.fields["account"]).queryset = accounts

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean(self):
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        data["window"] = None
        words = data.get("q") or ""
        if words and len(words.removeprefix("@")) < TRIGRAM and not self.errors:
            # Told on the page, with a link to the window before.
            until = until or timezone.localdate()
            earliest = until - dt.timedelta(days=SHORT_WORDS_DAYS - 1)
            data["since"], data["until"] = max(since or earliest, earliest), until
            data["window"] = (data["since"], until)
        return data


class HideForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=ProhibitedAct.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class UnhideForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ConfirmForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *ProhibitedAct.choices], required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class RemoveForm(forms.Form):
    """Delete or ban: a supervisor gives the category and the reason, and confirms."""

    category = forms.ChoiceField(label=_("Category"), choices=ProhibitedAct.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)
    confirm = forms.BooleanField(label=_("I confirm; this cannot be undone from the console."))


class BulkForm(forms.Form):
    """Several replies, one action, one category, one reason: hide or confirm; supervisors also delete."""

    ACTIONS = [
        (ReplyDecision.Action.HIDE, _("Hide")),
        (ReplyDecision.Action.CONFIRM, _("Confirm")),
        (ReplyDecision.Action.DELETE, _("Delete")),
    ]

    replies = forms.ModelMultipleChoiceField(label=_("Replies"), queryset=Reply.objects.none())
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    category = forms.ChoiceField(label=_("Category"), choices=ProhibitedAct.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    confirm = forms.BooleanField(label=_("I confirm; this cannot be undone from the console."), required=False)

    def __init__(self, *args, replies, **kwargs):
        super().__init__(*args, **kwargs)
        # Only replies the person may see are choices: another office's id is "not one of the choices".
        field = self.fields["replies"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = replies

    def clean_replies(self):
        chosen = self.cleaned_data["replies"]
        if len(chosen) > BULK_MOST:
            raise forms.ValidationError(_("Choose at most %(most)s replies at once.") % {"most": BULK_MOST})
        return chosen

    def clean(self):
        data = super().clean() or {}
        if data.get("action") == ReplyDecision.Action.DELETE:
            if not data.get("reason"):
                self.add_error("reason", _("Deleting needs a reason."))
            if not data.get("confirm"):
                self.add_error("confirm", _("Deleting needs your confirmation."))
        return data
