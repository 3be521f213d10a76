from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.platforms import capabilities_for
from replies.models import ListeningDay, ListeningState, WordList


@admin.register(WordList)
class WordListAdmin(admin.ModelAdmin):
    """Words per prohibited act (§7): a reply containing one is flagged for a person, or hidden at once."""

    list_display = ["name", "category", "action", "enabled"]
    list_filter = ["category", "action", "enabled"]
    search_fields = ["name", "words"]


@admin.register(ListeningState)
class ListeningStateAdmin(admin.ModelAdmin):
    """Polling per account: items read today against the daily budget, the cost, any wait, the last error.

    The settings that govern it (the poll interval, X's daily read budget and
    the price per item) are shown on every row and on each state's page.
    """

    list_display = ["account", "day", "reads_today", "estimated_cost", "note_text", "wait_until", "last_polled_at"]
    readonly_fields = (
        "account",
        "settings_note",
        "cursors",
        "day",
        "reads_today",
        "estimated_cost",
        "note_text",
        "wait_until",
        "last_polled_at",
        "polling_until",
        "last_error",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": self.settings_note()}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("estimated cost today (USD)"))
    def estimated_cost(self, obj):
        if not capabilities_for(obj.account).bills_reads:
            return "-"
        return f"{obj.reads_today * settings.LISTENING_X_COST_PER_ITEM:.2f}"

    @admin.display(description=_("note"))
    def note_text(self, obj):
        return obj.note_text() or "-"

    @admin.display(description=_("settings"))
    def settings_note(self, obj=None):
        return _(
            "Poll every %(seconds)s s; X daily read budget %(budget)s items per account, about %(cost)s USD per item."
        ) % {
            "seconds": settings.LISTENING_POLL_SECONDS,
            "budget": settings.LISTENING_X_DAILY_READ_BUDGET,
            "cost": settings.LISTENING_X_COST_PER_ITEM,
        }


@admin.register(ListeningDay)
class ListeningDayAdmin(admin.ModelAdmin):
    """Items read and their estimated cost, per account and day (what X bills), read-only."""

    list_display = ["day", "account", "reads", "cost"]
    list_filter = ["account__platform", "account"]
    date_hierarchy = "day"
    readonly_fields = ("day", "account", "reads", "cost")
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
