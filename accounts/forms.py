"""Fields people send to the accounts views, each with its bounds."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PinForm(forms.Form):
    """The PIN X shows after its sign-in (seven digits today), and the flow it finishes.

    Checked before the flow is taken, so a mistyped PIN costs nothing: the
    sign-in stays open and the person types it again.
    """

    state = forms.CharField(max_length=200)
    pin = forms.RegexField(
        label=_("PIN"),
        regex=r"^\d{4,16}$",
        max_length=16,
        error_messages={"invalid": _("Type the PIN X showed: digits only.")},
    )
