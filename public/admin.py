"""The operating policy's versions in the admin: a version that has taken effect is read only.

A version in force is shown as the admin shows what one may only view (no Save
buttons); a form posted to it all the same is refused with a message, never a
500. A new version takes effect today at the earliest: what the agency
published on an earlier day is not rewritten after the fact.
"""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from immisns.bounds import within_years
from public.models import LANGUAGES, SECTIONS, PolicyVersion, today_jst

LANGUAGE_TITLES = {"ja": _("Japanese"), "en": _("English"), "zh": _("Chinese")}


class PolicyVersionForm(forms.ModelForm):
    class Meta:
        model = PolicyVersion
        fields = ["effective_from"]  # the admin adds the sections from its fieldsets

    def clean_effective_from(self):
        value = self.cleaned_data["effective_from"]
        if value < today_jst():
            raise forms.ValidationError(_("A version takes effect today or later; it cannot be dated in the past."))
        if not within_years(value):
            raise forms.ValidationError(_("Enter a real date, for example 2026-12-01."))
        return value


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    form = PolicyVersionForm
    list_display = ("number", "effective_from", "in_force", "created_by", "created_at")
    ordering = ("-effective_from", "-number")
    # The date first, then each language's sections (tuples: the admin's type for field lists).
    fieldsets = [
        (title, {"fields": fields})
        for title, fields in [
            (None, ("effective_from",)),
            *[
                (LANGUAGE_TITLES[language], tuple(f"{section}_{language}" for section in SECTIONS))
                for language in LANGUAGES
            ],
        ]
    ]

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj: PolicyVersion) -> bool:
        current = PolicyVersion.objects.in_effect().first()
        return current is not None and current.pk == obj.pk

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.has_taken_effect:
            return [field.name for field in PolicyVersion._meta.fields]
        return super().get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        # In force: the admin shows it to read, without Save buttons.
        if obj is not None and obj.has_taken_effect:
            return False
        return super().has_change_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None:
            obj = self.get_object(request, object_id)
            if obj is not None and obj.has_taken_effect:
                messages.error(
                    request,
                    gettext("Version %(number)s is in force and cannot be changed; add a new version instead.")
                    % {"number": obj.number},
                )
                return HttpResponseRedirect(request.path)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.has_taken_effect:
            return False
        return super().has_delete_permission(request, obj)

    def get_changeform_initial_data(self, request):
        # A new version starts from the newest one's words, to take effect tomorrow.
        initial = super().get_changeform_initial_data(request)
        latest = PolicyVersion.objects.order_by("-effective_from", "-number").first()
        if latest is not None:
            for language in LANGUAGES:
                for section in SECTIONS:
                    initial.setdefault(f"{section}_{language}", latest.text(section, language))
        # A date, as a form's initial value may be; django-stubs allow only the strings of a query string.
        initial.setdefault("effective_from", today_jst() + dt.timedelta(days=1))  # type: ignore[arg-type]
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
