"""Every field the moderation queue posts or filters by."""

from django import forms
from django.utils.translation import gettext_lazy as _

from replies.categories import ProhibitedAct
from replies.models import Reply


class QueueFilterForm(forms.Form):
    account = forms.ModelChoiceField(label=_("Account"), queryset=None, required=False, empty_label=_("All accounts"))
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories"))] + list(ProhibitedAct.choices)
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states"))] + list(Reply.State.choices)
    )
    waiting = forms.BooleanField(label=_("Only those waiting for a decision"), required=False)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["account"].label_from_instance = lambda account: account.display_handle


class HideForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=ProhibitedAct.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class UnhideForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ConfirmForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—")] + list(ProhibitedAct.choices), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class RemoveForm(forms.Form):
    """Delete or ban: a supervisor gives the category and the reason, and confirms."""

    category = forms.ChoiceField(label=_("Category"), choices=ProhibitedAct.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500)
    confirm = forms.BooleanField(label=_("I confirm; this cannot be undone from the console."))
