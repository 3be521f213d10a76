from typing import Any

from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.admin_inlines import LabelledTabularInline
from accounts.admin_lists import QuickCheckboxAdmin
from accounts.models import AccountStateChange, ClosureDay, Membership, Office, OfficeHours, SocialAccount

User = get_user_model()

CREDENTIAL_LABELS = {
    "access_token": _("X access token"),
    "access_token_secret": _("X access token secret"),
    "page_access_token": _("Facebook Page access token"),
}


class OfficeHoursInline(LabelledTabularInline):
    model = OfficeHours
    extra = 0


@admin.register(Office)
class OfficeAdmin(QuickCheckboxAdmin):
    list_display = ["name_ja", "name_en", "kind", "parent", "code"]
    list_select_related = ["parent"]
    list_filter = ["kind"]
    search_fields = ["name_ja", "name_en", "name_zh", "code"]
    inlines = [OfficeHoursInline]


@admin.register(ClosureDay)
class ClosureDayAdmin(QuickCheckboxAdmin):
    list_display = ["date", "office", "reason"]
    list_filter = ["office"]
    date_hierarchy = "date"
    search_fields = ["reason"]


def _credential_input(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


class SocialAccountForm(forms.ModelForm):
    """Credentials are write-only: the inputs start empty and an empty input keeps what is stored."""

    access_token = _credential_input(CREDENTIAL_LABELS["access_token"])
    access_token_secret = _credential_input(CREDENTIAL_LABELS["access_token_secret"])
    page_access_token = _credential_input(CREDENTIAL_LABELS["page_access_token"])

    class Meta:
        model = SocialAccount
        fields = ["platform", "handle", "display_name", "office", "publisher", "platform_id", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        has = self.instance.pk is not None and self.instance.has_credentials
        for name in CREDENTIAL_LABELS:
            self.fields[name].help_text = (
                _("A value is stored; leave empty to keep it.") if has else _("Nothing stored yet.")
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        platform = cleaned.get("platform")
        if platform:
            foreign = [
                n for n in CREDENTIAL_LABELS if cleaned.get(n) and n not in SocialAccount.CREDENTIAL_FIELDS[platform]
            ]
            for name in foreign:
                self.add_error(name, _("This credential does not belong to the chosen platform."))
        return cleaned

    def save(self, commit=True):
        account = super().save(commit=False)
        entered = {
            n: self.cleaned_data[n]
            for n in SocialAccount.CREDENTIAL_FIELDS[account.platform]
            if self.cleaned_data.get(n)
        }
        if entered:
            values = account.get_credentials() if account.has_credentials else {}
            values.update(entered)
            account.set_credentials(values)
        if commit:
            account.save()
        return account


class PauseReasonForm(forms.Form):
    """Why the accounts are paused: the posters and the record read it (AccountStateChange.reason)."""

    reason = forms.CharField(
        label=_("Reason for pausing"),
        max_length=300,
        error_messages={"required": _("Give the reason for pausing the accounts.")},
    )


class AccountStateChangeInline(LabelledTabularInline):
    model = AccountStateChange
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "from_state", "to_state", "reason")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SocialAccount)
class SocialAccountAdmin(QuickCheckboxAdmin):
    form = SocialAccountForm
    list_display = ["handle_column", "platform", "display_name", "office", "state", "publisher", "credentials_set"]
    list_filter = ["platform", "state", "publisher", "office"]
    search_fields = ["handle", "display_name", "office__name_ja", "office__name_en"]
    readonly_fields = ["state", "credentials_updated_at"]
    list_select_related = ["office"]
    inlines = [AccountStateChangeInline]
    actions = ["pause_accounts", "resume_accounts"]

    def get_fieldsets(self, request, obj=None):
        return [
            (
                None,
                {
                    "fields": [
                        "platform",
                        "handle",
                        "display_name",
                        "office",
                        "state",
                        "publisher",
                        "platform_id",
                        "sort_order",
                    ]
                },
            ),
            (_("Credentials (write-only)"), {"fields": [*CREDENTIAL_LABELS, "credentials_updated_at"]}),
        ]

    @admin.display(description=_("handle"), ordering="handle")
    def handle_column(self, account):
        return account.display_handle

    @admin.display(boolean=True, description=_("credentials"))
    def credentials_set(self, account):
        return account.has_credentials

    def _apply(self, request, queryset, service, done_message, *, reason=None):
        changed = 0
        for account in queryset:
            try:
                service(account=account, by=request.user, reason=reason or _("From the admin"))
                changed += 1
            except services.InvalidTransition as exc:
                self.message_user(request, str(exc), messages.WARNING)
        if changed:
            self.message_user(request, done_message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Pause the selected accounts"))
    def pause_accounts(self, request, queryset):
        """Asks for the reason first (kept in the account's history); pauses only once it is given."""
        form = PauseReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(request, queryset, services.account_pause, _("%(count)d account(s) paused."), reason=reason)
            return None
        return TemplateResponse(
            request,
            "admin/accounts/socialaccount/pause_reason.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Pause the selected accounts"),
                "opts": self.model._meta,
                "accounts": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Resume the selected accounts"))
    def resume_accounts(self, request, queryset):
        self._apply(request, queryset, services.account_resume, _("%(count)d account(s) resumed."))


@admin.register(Membership)
class MembershipAdmin(QuickCheckboxAdmin):
    list_display = ["user", "office", "role"]
    list_filter = ["role", "office"]
    search_fields = ["user__username", "user__email", "office__name_ja"]
    # A plain select: the autocomplete widget's box has no accessible name (WCAG 4.1.2).


class MembershipInline(LabelledTabularInline):
    model = Membership
    extra = 1


admin.site.unregister(User)
# Roles are memberships; Django's groups are not used (and their permission picker fails WCAG 4.1.2).
admin.site.unregister(Group)


@admin.register(User)
class ImmisnsUserAdmin(QuickCheckboxAdmin, UserAdmin):
    inlines = [MembershipInline]
    # Roles are memberships (§3) and administrators are staff: Django's groups and
    # per-user permissions are not used here. The dates are records, shown read only.
    fieldsets = (
        *(UserAdmin.fieldsets or ())[:2],  # Django's first two: the username and password, then personal info
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_filter = [*UserAdmin.list_filter, "memberships__office", "memberships__role"]


admin.site.unregister(Authenticator)


# allauth's model has no verbose names of its own: the admin would show "Authenticators" in every language.
Authenticator._meta.verbose_name = _("second factor")
Authenticator._meta.verbose_name_plural = _("second factors")


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """A person's second factors: administrators see and remove them (a lost phone), never add or read one.

    The secret stays out of the form, and the dates are records, shown read only.
    """

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type", "created_at", "last_used_at")
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
