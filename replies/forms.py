"""Every field the moderation queue posts or filters by."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import SocialAccount
from replies.categories import ProhibitedAct
from replies.models import Reply


class AccountHandleChoiceField(forms.ModelChoiceField):
    """An account, named by its handle as the platform shows it."""

    def label_from_instance(self, obj: SocialAccount) -> str:
        return obj.display_handle


class QueueFilterForm(forms.Form):
    account = AccountHandleChoiceField(label=_("Account"), queryset=None, required=False, empty_label=_("All accounts"))
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *ProhibitedAct.choices]
    )
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *Reply.State.choices])
    waiting = forms.BooleanField(label=_("Only those waiting for a decision"), required=False)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        cast(AccountHandleChoiceField, self.fields["account"]).queryset = accounts


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
