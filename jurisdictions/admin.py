from urllib.parse import urlsplit

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.urls import path
from django.utils.html import format_html

from jurisdictions.admin_review import (
    ApprovalReviewMixin,
    CuratorOnlyMixin,
    JurisdictionReviewMixin,
    LeadReviewMixin,
    StaleVerificationFilter,
    decisions_csv_response,
)
from jurisdictions.generation import public_generation_bump
from jurisdictions.models import (
    LEAD_REVIEW_ORDERING,
    Decision,
    Jurisdiction,
    Lead,
    StatusApproval,
    StatusVersion,
)
from jurisdictions.templatetags.curator import http_url


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
class JurisdictionAdmin(JurisdictionReviewMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "level",
        "parent",
        "status_display",
        "upcoming_display",
        "last_verified_on",
        "kratom_source_display",
    ]
    list_filter = ["level", "current_status__status", StaleVerificationFilter]
    list_select_related = ["parent", "current_status", "upcoming_status"]
    # Also the order of the sources' jurisdiction search box, which pages its answers.
    ordering = ["code"]
    search_fields = ["code", "name", "ocd_id"]
    readonly_fields = ["current_status", "upcoming_status", "last_verified_on", "last_verified_by"]
    raw_id_fields = ["parent"]
    inlines = [StatusVersionInline]

    def get_queryset(self, request):
        # Through the reverse relation of monitoring's sources: this app imports nothing
        # of monitoring, which builds on it.
        watching = Count("sources", filter=Q(sources__enabled=True, sources__kratom_specific=True))
        return super().get_queryset(request).annotate(kratom_sources=watching)

    @admin.display(description="Kratom-specific source", boolean=True, ordering="kratom_sources")
    def kratom_source_display(self, obj):
        return obj.kratom_sources > 0

    @admin.display(description="Status")
    def status_display(self, obj):
        return obj.status

    @admin.display(description="Upcoming")
    def upcoming_display(self, obj):
        upcoming = obj.upcoming_status
        return f"{upcoming.status} from {upcoming.effective_date}" if upcoming else "—"

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is None or request.user.is_superuser:
            return fields
        # Which page and which API answer a status belongs to: renaming Alabama "US-TX"
        # would publish its status as Texas's without a decision, so only superusers may.
        return [*fields, "code", "name", "level", "parent", "ocd_id"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Names and parents appear on public pages: drop their cached copies too.
        transaction.on_commit(public_generation_bump)


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
class LeadAdmin(LeadReviewMixin, admin.ModelAdmin):
    """The curators' list of leads: open ones first, public correction reports first, then
    the newest claims; each with its source, its date and what to check."""

    list_display = [
        "jurisdiction",
        "claim",
        "source_link",
        "claimed_on_display",
        "what_to_check",
        "origin",
        "confidence",
        "state",
    ]
    list_filter = ["state", "origin", "confidence"]
    list_select_related = ["jurisdiction"]
    search_fields = ["jurisdiction__code", "jurisdiction__name", "summary"]
    raw_id_fields = ["jurisdiction"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_superseded()

    def get_ordering(self, request):
        # The review order (the change list orders by this, not by the queryset's order).
        return LEAD_REVIEW_ORDERING

    @admin.display(description="Claim")
    def claim(self, obj):
        text = obj.summary or obj.reported_status or "—"
        if obj.superseded:
            return format_html(
                "{} <strong>(probably superseded: older than the last verification on {})</strong>",
                text,
                obj.jurisdiction.last_verified_on,
            )
        return text

    @admin.display(description="Source")
    def source_link(self, obj):
        url = http_url(obj.source_url)
        if not url:
            return obj.source_url or obj.citation or "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>', url, urlsplit(url).netloc
        )

    @admin.display(description="Source date", ordering="claimed_on")
    def claimed_on_display(self, obj):
        return obj.claimed_on


@admin.register(StatusApproval)
class StatusApprovalAdmin(ApprovalReviewMixin, admin.ModelAdmin):
    """Confirmations waiting for a second curator (four-eyes)."""

    list_display = ["jurisdiction", "status", "requested_by", "requested_at", "state", "decided_by"]
    list_filter = ["state", "status"]
    list_select_related = ["jurisdiction", "requested_by", "decided_by"]
    search_fields = ["jurisdiction__code", "jurisdiction__name"]
    ordering = ["-state", "requested_at"]


@admin.register(Decision)
class DecisionAdmin(CuratorOnlyMixin, admin.ModelAdmin):
    """The audit trail: read-only, exportable as CSV."""

    list_display = ["at", "jurisdiction", "action", "actor", "status", "subject", "reason"]
    list_filter = ["action", "at"]
    list_select_related = ["jurisdiction", "actor"]
    search_fields = ["jurisdiction__code", "jurisdiction__name", "actor__username", "reason"]
    ordering = ["-at", "-id"]
    change_list_template = "jurisdictions/admin/decision_change_list.html"

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [
            path("export.csv", export, name="jurisdictions_decision_export")
        ] + super().get_urls()

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return decisions_csv_response(jurisdiction_id=None, filename="decisions.csv")
