from django.contrib import admin

from moderation.models import AllowedLinkDomain


@admin.register(AllowedLinkDomain)
class AllowedLinkDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "note", "created_at"]
    search_fields = ["domain", "note"]
    ordering = ["domain"]
    readonly_fields = ["created_at"]
