"""Admin for measures (read-only: providers and the seed write them, curators decide in
"Verify next"), their actions, and the providers' run and request log."""

from django.contrib import admin
from django.db import models
from django.utils import timezone

from jurisdictions.admin_review import CuratorOnlyMixin
from tracker.measures.models import (
    Measure,
    MeasureAction,
    Provider,
    ProviderRequest,
    ProviderRun,
    ProviderState,
)
from tracker.measures.providers import PROVIDERS
from tracker.measures.selectors import provider_overview

# LegiScan's data is CC BY 4.0: wherever it appears, it says where it came from.
LEGISCAN_ATTRIBUTION = "Data from LegiScan (legiscan.com), licensed CC BY 4.0."


class MeasureActionInline(admin.TabularInline):
    model = MeasureAction
    fields = ["date", "description", "stage", "recorded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Measure)
class MeasureAdmin(CuratorOnlyMixin, admin.ModelAdmin):
    list_display = [
        "jurisdiction",
        "identifier",
        "kind",
        "stage",
        "stage_date",
        "next_date",
        "review",
        "confidence",
        "provider",
        "needs_review",
    ]
    list_filter = ["stage", "kind", "review", "provider", "confidence"]
    list_select_related = ["jurisdiction"]
    search_fields = ["identifier", "title", "jurisdiction__code", "jurisdiction__name"]
    ordering = ["jurisdiction__code", "-stage_date"]
    inlines = [MeasureActionInline]
    readonly_fields = ["attribution"]
    # The view-only page still builds a form: say the URL scheme now (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(boolean=True, description="waits in Verify next")
    def needs_review(self, obj):
        return obj.attention_since is not None and not obj.is_closed

    @admin.display(description="source of the data")
    def attribution(self, obj):
        if obj.provider == Provider.LEGISCAN:
            return LEGISCAN_ATTRIBUTION
        return obj.get_provider_display()


class ProviderRequestInline(admin.TabularInline):
    model = ProviderRequest
    fields = [
        "started_at",
        "url",
        "http_status",
        "outcome",
        "duration_ms",
        "bytes_received",
        "error",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProviderRun)
class ProviderRunAdmin(CuratorOnlyMixin, admin.ModelAdmin):
    list_display = [
        "provider",
        "jurisdiction_code",
        "started_at",
        "finished_at",
        "outcome",
        "measures_created",
        "measures_updated",
        "actions_created",
        "short_error",
    ]
    list_filter = ["provider", "outcome"]
    ordering = ["-started_at"]
    inlines = [ProviderRequestInline]

    @admin.display(description="error")
    def short_error(self, obj):
        return obj.error[:120]


@admin.register(ProviderState)
class ProviderStateAdmin(CuratorOnlyMixin, admin.ModelAdmin):
    """Which providers run, when each last succeeded, and whether its budget is spent."""

    list_display = [
        "provider",
        "runs",
        "last_success_at",
        "last_run_at",
        "paused_until",
        "budget",
        "last_error",
    ]
    ordering = ["provider"]

    @admin.display(boolean=True, description="runs (has its key)")
    def runs(self, obj):
        return PROVIDERS[obj.provider].enabled()

    @admin.display(description="requests today")
    def budget(self, obj):
        overview = provider_overview(obj, today=timezone.localdate())
        if overview.daily_budget is None:
            return f"{overview.requests_today} (no daily limit)"
        spent = (
            " — spent, paused until tomorrow"
            if overview.requests_today >= overview.daily_budget
            else ""
        )
        return f"{overview.requests_today} of {overview.daily_budget}{spent}"
