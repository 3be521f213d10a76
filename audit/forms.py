from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import Office, SocialAccount
from audit import entries, selectors
from immisns.bounds import BoundedDateField
from replies.categories import ProhibitedAct


class AuditFilterForm(forms.Form):
    """The audit log's filters (GET, kept in the page's links and the export's)."""

    # Bounded to 2000–2100: the day after 9999-12-31 does not exist (immisns.bounds).
    since = BoundedDateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = BoundedDateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    office: forms.ModelChoiceField[Office] = forms.ModelChoiceField(
        label=_("Office"), required=False, queryset=None, empty_label=_("Any office")
    )
    account: forms.ModelChoiceField[SocialAccount] = forms.ModelChoiceField(
        label=_("Account"), required=False, queryset=None, empty_label=_("Any account")
    )
    person = forms.CharField(label=_("Person (user name)"), required=False, max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    # The object's number as the log shows it ("#123"): with a kind, one post, reply or account's whole record.
    object = forms.RegexField(label=_("Object number"), required=False, max_length=12, regex=r"^\s*#?\s*\d{1,10}\s*$")
    # Of reply decisions (the "moderation" kind): the category, and the system's rule by name or prefix.
    category = forms.ChoiceField(
        label=_("Category of a reply decision"),
        required=False,
        choices=[("", _("Any category")), *ProhibitedAct.choices],
    )
    rule = forms.CharField(label=_("Rule of a reply decision"), required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the person may see is offered; another office's id is "not one of the choices".
        cast(forms.ModelChoiceField, self.fields["office"]).queryset = access.offices_visible_to(user)
        accounts = access.accounts_visible_to(user).order_by("platform", "sort_order")
        cast(forms.ModelChoiceField, self.fields["account"]).queryset = accounts
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", _("Any kind")),
            *((key, label) for key, label in entries.KIND_LABELS.items()),
        ]

    def full_clean(self):
        super().full_clean()
        # A field in error says so and names its message (the message's id is in the template).
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": f"{self[name].auto_id}-errors"}
                )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filters(self) -> selectors.Filters:
        data = self.cleaned_data
        since, until = selectors.day_bounds(data.get("since"), data.get("until"))
        office = data.get("office")
        return selectors.Filters(
            since=since,
            until=until,
            office_ids=frozenset(access.office_and_below(office.pk)) if office else None,
            account_id=data["account"].pk if data.get("account") else None,
            person=data.get("person", "").strip(),
            kind=data.get("kind", ""),
            object_id=int(data["object"].strip().lstrip("#").strip()) if data.get("object") else None,
            category=data.get("category", ""),
            rule=data.get("rule", "").strip(),
        )
