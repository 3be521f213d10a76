from __future__ import annotations

import re
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import Office
from reports.selectors import Month

FIRST_YEAR, LAST_YEAR = 2000, 2100


class ReportForm(forms.Form):
    """Which month and which office (GET; kept in the export links). Only offices the person may see are offered."""

    month = forms.CharField(
        label=_("Month"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    office: forms.ModelChoiceField[Office] = forms.ModelChoiceField(
        label=_("Office"), required=False, queryset=None, empty_label=_("Every office I can see")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["office"]).queryset = access.offices_visible_to(user).order_by(
            "sort_order", "pk"
        )

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-errors"}
                )

    def clean_month(self) -> Month:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            # The month just finished: the report a director asks for at the start of a month.
            return Month.of(timezone.localdate()).previous
        match = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if not match:
            raise forms.ValidationError(_("Give the month as YYYY-MM."))
        year, month = int(match.group(1)), int(match.group(2))
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
            raise forms.ValidationError(
                _("Choose a month between %(first)s-01 and %(last)s-12.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return Month(year, month)
