from django.contrib import admin

from jurisdictions.models import Jurisdiction, Lead, StatusVersion


class StatusVersionInline(admin.TabularInline):
    model = StatusVersion
    fields = [
        "status",
        "summary",
        "effective_date",
        "as_of",
        "origin",
        "confirmed_by",
        "confirmed_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-confirmed_at"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "status_display", "last_verified_on"]
    list_filter = ["level", "current_status__status"]
    list_select_related = ["parent", "current_status"]
    search_fields = ["code", "name", "ocd_id"]
    readonly_fields = ["current_status", "upcoming_status", "last_verified_on", "last_verified_by"]
    raw_id_fields = ["parent"]
    inlines = [StatusVersionInline]

    @admin.display(description="Status")
    def status_display(self, obj):
        return obj.status


@admin.register(StatusVersion)
class StatusVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are appended by the status service, never edited."""

    list_display = ["jurisdiction", "status", "effective_date", "as_of", "origin", "confirmed_at"]
    list_filter = ["status", "origin"]
    list_select_related = ["jurisdiction"]
    search_fields = ["jurisdiction__code", "jurisdiction__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = [
        "jurisdiction",
        "origin",
        "reported_status",
        "confidence",
        "state",
        "created_at",
    ]
    list_filter = ["state", "origin", "confidence"]
    list_select_related = ["jurisdiction"]
    search_fields = ["jurisdiction__code", "jurisdiction__name"]
    raw_id_fields = ["jurisdiction"]
