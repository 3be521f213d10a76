from django.conf import settings
from django.contrib import admin
from django.db.models import DecimalField, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from replies.models import ListeningDay
from reports.models import ReachDay


@admin.register(ReachDay)
class ReadBudgetAdmin(admin.ModelAdmin):
    """One view of what reading costs per account and day: reach collection and listening side by side.

    X bills every object read, by both; each has its own daily budget (the
    settings are shown above the list). Read-only: the collection writes it.
    """

    list_display = [
        "day",
        "account",
        "reach_reads",
        "listening_reads",
        "total_cost",
        "note_text",
        "metrics_gone",
        "last_error",
    ]
    list_filter = ["account__platform", "account"]
    date_hierarchy = "day"
    readonly_fields = (
        "day",
        "account",
        "post_reads",
        "user_reads",
        "cost",
        "posts_skipped",
        "metrics_gone",
        "collected_at",
        "last_error",
    )
    fields = readonly_fields

    def get_queryset(self, request):
        listening = ListeningDay.objects.filter(account=OuterRef("account"), day=OuterRef("day"))
        return (
            super()
            .get_queryset(request)
            .select_related("account")
            .annotate(
                listening_read=Coalesce(Subquery(listening.values("reads")[:1]), Value(0), output_field=IntegerField()),
                listening_cost=Coalesce(
                    Subquery(listening.values("cost")[:1]),
                    Value(0),
                    output_field=DecimalField(max_digits=12, decimal_places=4),
                ),
            )
        )

    def changelist_view(self, request, extra_context=None):
        note = _(
            "Reach: posts read for %(days)s days after publishing, X budget %(reach)s objects per account and day "
            "(%(post)s USD per post, %(user)s USD per account read). Listening: X budget %(listening)s items per "
            "account and day (%(item)s USD per item)."
        ) % {
            "days": settings.REACH_POST_DAYS,
            "reach": settings.REACH_X_DAILY_READ_BUDGET,
            "post": settings.REACH_X_POST_READ_COST,
            "user": settings.REACH_X_USER_READ_COST,
            "listening": settings.LISTENING_X_DAILY_READ_BUDGET,
            "item": settings.LISTENING_X_COST_PER_ITEM,
        }
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": note})

    @admin.display(description=_("reach reads"))
    def reach_reads(self, obj):
        return obj.post_reads + obj.user_reads

    @admin.display(description=_("listening reads"), ordering="listening_read")
    def listening_reads(self, obj):
        return obj.listening_read

    @admin.display(description=_("estimated cost, both (USD)"))
    def total_cost(self, obj):
        return f"{obj.cost + obj.listening_cost:.2f}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
