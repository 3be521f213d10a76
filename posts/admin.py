from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_inlines import LabelledTabularInline
from posts.footer import footer_next_version
from posts.models import Footer, Post, PostEvent, PostTarget


@admin.register(Footer)
class FooterAdmin(admin.ModelAdmin):
    """Footers are versioned: 'change' shows a version; saving new text adds the next version."""

    list_display = ["__str__", "platform", "account", "version", "created_by", "created_at"]
    list_filter = ["platform"]
    fields = ["platform", "account", "text"]

    def get_readonly_fields(self, request, obj=None):
        return ["platform", "account", "text", "version", "created_by", "created_at"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # versions are never edited
        obj.version = footer_next_version(platform=obj.platform, account=obj.account)
        obj.created_by = request.user
        obj.save()


class ReadOnlyInline(LabelledTabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PostTargetInline(ReadOnlyInline):
    model = PostTarget
    readonly_fields = ("account", "state", "due_at", "attempts", "external_url", "last_error")
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")


class PostEventInline(ReadOnlyInline):
    model = PostEvent
    readonly_fields = ("at", "actor", "action", "target", "from_state", "to_state", "data", "comment")
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "target__account")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    """Read-only here: posts change only through the console's workflow."""

    list_display = ["__str__", "state", "author", "scheduled_at", "approved_by"]
    list_select_related = ["author", "approved_by"]
    # A count of every post besides the filtered one is one more full scan per page.
    show_full_result_count = False
    list_filter = ["state", "scheduled_at", "targets__account__platform", "targets__account__office"]
    search_fields = ["body", "author__username"]
    # Newest first, in the order of an index (post_created_order). A date hierarchy is left out:
    # its first row reads the year of every post ever written, on every page.
    ordering = ["-created_at", "-id"]
    inlines = [PostTargetInline, PostEventInline]
    readonly_fields = (
        "author",
        "body",
        "state",
        "scheduled_at",
        "outside_hours_reason",
        "approved_by",
        "approved_at",
        "revision",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


# Lazy, so each page shows it in its reader's language; django-stubs type the setter as str only.
admin.site.empty_value_display = _("(none)")  # type: ignore[assignment]
