from django.contrib import admin

from checks.models import AllowedLinkDomain, OfficialContact


@admin.register(AllowedLinkDomain)
class AllowedLinkDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "note", "created_at"]
    search_fields = ["domain", "note"]
    ordering = ["domain"]
    readonly_fields = ["created_at"]


@admin.register(OfficialContact)
class OfficialContactAdmin(admin.ModelAdmin):
    """The agency's own numbers and addresses, which the checks show as official, not as personal data (§5)."""

    list_display = ["value", "kind", "note", "note_en", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "key", "note", "note_en"]
    ordering = ["kind", "key"]
    fields = ["kind", "value", "note", "note_en", "created_at"]
    readonly_fields = ["created_at"]
