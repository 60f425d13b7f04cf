"""Admin for sources (health, last/next check, "check now"), the check log and snapshots.

The change-proposal review queue is registered separately (curator review).
"""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.html import format_html

from tracker.monitoring import services
from tracker.monitoring.models import Check, Snapshot, Source


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the monitor: viewable, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "jurisdiction",
        "title_or_url",
        "kind",
        "enabled",
        "health",
        "last_checked_at",
        "next_check_at",
    ]
    list_filter = ["kind", "enabled", ("flagged_at", admin.EmptyFieldListFilter)]
    list_select_related = ["jurisdiction"]
    search_fields = ["url", "title", "jurisdiction__code", "jurisdiction__name"]
    raw_id_fields = ["jurisdiction"]
    readonly_fields = [
        "etag",
        "last_modified",
        "current_snapshot",
        "candidate_hash",
        "last_checked_at",
        "last_changed_at",
        "consecutive_failures",
        "last_error",
        "flagged_at",
        "created_at",
        "check_log",
    ]
    actions = ["check_now", "rebaseline"]

    @admin.display(description="Check log")
    def check_log(self, obj):
        url = reverse("admin:monitoring_check_changelist") + f"?source__id__exact={obj.pk}"
        return format_html('<a href="{}">every check of this source</a>', url)

    @admin.display(description="Source", ordering="title")
    def title_or_url(self, obj):
        return obj.title or obj.url

    @admin.display(description="Health", ordering="consecutive_failures")
    def health(self, obj):
        if obj.flagged_at:
            return format_html(
                '<strong style="color:#b00">flagged</strong> ({} failures): {}',
                obj.consecutive_failures,
                obj.last_error[:120],
            )
        if obj.consecutive_failures:
            return f"{obj.consecutive_failures} failure(s): {obj.last_error[:120]}"
        return "ok"

    @admin.action(description="Check now")
    def check_now(self, request, queryset):
        ids = list(queryset.values_list("id", flat=True))
        with transaction.atomic():
            services.sources_enqueue(source_ids=ids)
        self.message_user(request, f"Queued a check of {len(ids)} source(s).", messages.SUCCESS)

    @admin.action(description="Accept the page as it is now (next check sets a new baseline)")
    def rebaseline(self, request, queryset):
        ids = list(queryset.values_list("id", flat=True))
        for source_id in ids:
            services.source_rebaseline(source_id=source_id)
        self.message_user(request, f"{len(ids)} source(s) will take a new baseline.")


@admin.register(Check)
class CheckAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "source",
        "outcome",
        "http_status",
        "duration_ms",
        "bytes_received",
        "short_error",
    ]
    list_filter = ["outcome"]
    list_select_related = ["source"]
    date_hierarchy = "started_at"
    raw_id_fields = ["source"]
    ordering = ["-started_at"]

    @admin.display(description="Error")
    def short_error(self, obj):
        return obj.error[:160]


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ["source", "content_hash", "created_at", "became_current_at", "size"]
    list_select_related = ["source"]
    search_fields = ["content_hash", "source__url"]
    fields = ["source", "content_hash", "created_at", "became_current_at", "text_view"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(text_length=Length("text"))
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.defer("text")  # texts run to megabytes; the list needs sizes
        return queryset

    @admin.display(description="Characters", ordering="text_length")
    def size(self, obj):
        return obj.text_length

    @admin.display(description="Normalised text")
    def text_view(self, obj):
        return format_html('<pre style="white-space:pre-wrap">{}</pre>', obj.text)
