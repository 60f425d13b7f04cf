"""Admin for sources (health, last/next check, "check now"), the check log and snapshots.

The change-proposal review queue is registered separately (curator review).
"""

import datetime
import re
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Length
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from jurisdictions.admin_forms import ReasonForm, StatusFactsForm
from jurisdictions.admin_review import (
    CuratorOnlyMixin,
    DecisionPage,
    curator_check,
    object_or_404,
    status_form_initial,
    status_panel_context,
)
from jurisdictions.selectors import user_is_curator
from tracker.lib import http
from tracker.monitoring import selectors, services
from tracker.monitoring.models import (
    MIN_CHECK_INTERVAL,
    ChangeProposal,
    Check,
    ProposalState,
    Snapshot,
    Source,
    SourceKind,
)
from tracker.monitoring.sidebyside import side_by_side


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the monitor: viewable, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IntervalField(forms.DurationField):
    """A check interval typed and shown as a curator says it: "6 hours", "1 day", "1 week"."""

    UNITS = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800}
    SPOKEN = re.compile(r"^\s*(\d{1,4})\s*(minute|hour|day|week)s?\s*$", re.IGNORECASE)

    def prepare_value(self, value):
        if not isinstance(value, datetime.timedelta):
            return value
        seconds = int(value.total_seconds())
        for unit, size in sorted(self.UNITS.items(), key=lambda item: -item[1]):
            if seconds and seconds % size == 0:
                count = seconds // size
                return f"{count} {unit}{'s' if count != 1 else ''}"
        return super().prepare_value(value)

    def to_python(self, value):
        match = self.SPOKEN.match(value or "")
        if match:
            count, unit = int(match.group(1)), match.group(2).lower()
            return datetime.timedelta(seconds=count * self.UNITS[unit])
        return super().to_python(value)  # Django's own forms ("1 00:00:00") still work


class SourceForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=1000, assume_scheme="https")
    check_interval = IntervalField(
        initial=datetime.timedelta(days=1),
        help_text="How often to check, e.g. 6 hours, 1 day, 1 week (at least 5 minutes).",
    )

    class Meta:
        model = Source
        fields = [
            "jurisdiction",
            "url",
            "title",
            "what",
            "kind",
            "selector",
            "ignore_patterns",
            "check_interval",
            "enabled",
            "kratom_specific",
        ]

    def clean_url(self):
        # Refused here, when a curator types it, not only later at every check.
        url = self.cleaned_data["url"]
        http.destination_validate(url)
        return url

    def clean_check_interval(self):
        interval = self.cleaned_data["check_interval"]
        if interval < MIN_CHECK_INTERVAL:
            raise forms.ValidationError(
                "At least 5 minutes: the sources are other people's servers."
            )
        return interval


# Fields that decide what text a check reads from the page.
READING_FIELDS = {"url", "kind", "selector", "ignore_patterns"}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    list_display = [
        "jurisdiction",
        "title_or_url",
        "kind_display",
        "kratom_specific",
        "enabled",
        "health",
        "last_checked_at",
        "next_check_at",
    ]
    list_filter = ["kind", "kratom_specific", "enabled", ("flagged_at", admin.EmptyFieldListFilter)]
    list_select_related = ["jurisdiction"]
    search_fields = ["url", "title", "jurisdiction__code", "jurisdiction__name"]
    autocomplete_fields = ["jurisdiction"]
    fieldsets = [
        (None, {"fields": ["jurisdiction", "url", "title", "what", "kratom_specific", "enabled"]}),
        (
            "How it is read",
            {"fields": ["kind", "detected_kind", "selector", "ignore_patterns", "check_interval"]},
        ),
        (
            "Health",
            {
                "fields": [
                    "last_checked_at",
                    "last_changed_at",
                    "consecutive_failures",
                    "last_error",
                    "flagged_at",
                    "retired_reason",
                    "check_log",
                ]
            },
        ),
        (
            "Stored state",
            {
                "classes": ["collapse"],
                "fields": [
                    "etag",
                    "last_modified",
                    "current_snapshot",
                    "candidate_hash",
                    "created_at",
                ],
            },
        ),
    ]
    readonly_fields = [
        "detected_kind",
        "etag",
        "last_modified",
        "current_snapshot",
        "candidate_hash",
        "last_checked_at",
        "last_changed_at",
        "consecutive_failures",
        "last_error",
        "flagged_at",
        "retired_reason",
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

    @admin.display(description="Kind", ordering="kind")
    def kind_display(self, obj):
        if obj.kind == SourceKind.AUTO and obj.detected_kind:
            return f"{obj.get_detected_kind_display()} (detected)"
        return obj.get_kind_display()

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
        return "ok" if obj.last_checked_at else "not checked yet"

    @admin.action(description="Check now", permissions=["curate"])
    def check_now(self, request, queryset):
        ids = list(queryset.values_list("id", flat=True))
        with transaction.atomic():
            services.sources_enqueue(source_ids=ids)
        self.message_user(request, f"Queued a check of {len(ids)} source(s).", messages.SUCCESS)

    @admin.action(
        description="Accept the page as it is now (next check sets a new baseline)",
        permissions=["curate"],
    )
    def rebaseline(self, request, queryset):
        ids = list(queryset.values_list("id", flat=True))
        for source_id in ids:
            services.source_rebaseline(actor=request.user, source_id=source_id)
        self.message_user(request, f"{len(ids)} source(s) will take a new baseline.")

    def get_fieldsets(self, request, obj=None):
        # A new source has no health or stored state yet.
        return self.fieldsets if obj else self.fieldsets[:2]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        reading = sorted(set(form.changed_data) & READING_FIELDS)
        if change and reading:
            # Text read another way is not comparable with the old text: a diff of the two
            # would be a proposal about our settings, not about the law.
            reason = f"how the page is read changed: {', '.join(reading)}"
            services.source_rebaseline(actor=request.user, source_id=obj.pk, reason=reason)
            message = "How it is read changed: its next check, queued now, takes a new baseline."
        elif not change:
            message = "Its first check is queued."
        else:
            return
        # Checked at once (after the admin's transaction commits), not at the next tick.
        services.sources_enqueue(source_ids=[obj.pk])
        self.message_user(request, message, messages.INFO)

    def has_curate_permission(self, request):
        return user_is_curator(request.user)

    def delete_model(self, request, obj):
        services.sources_delete(source_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.sources_delete(source_ids=list(queryset.values_list("pk", flat=True)))


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


# --- Curator review of change proposals (the queue and the proposal page) ---


class ClaimFilter(admin.SimpleListFilter):
    title = "claim"
    parameter_name = "claim"

    def lookups(self, request, model_admin):
        return [("mine", "Claimed by me"), ("claimed", "Claimed"), ("free", "Not claimed")]

    def queryset(self, request, queryset):
        live = {"claimed_at__gt": selectors.claim_cutoff(now=timezone.now())}
        if self.value() == "mine":
            return queryset.filter(claimed_by=request.user, **live)
        if self.value() == "claimed":
            return queryset.filter(claimed_by__isnull=False, **live)
        if self.value() == "free":
            return queryset.exclude(claimed_by__isnull=False, **live)
        return queryset


class FlaggedSourceFilter(admin.SimpleListFilter):
    title = "source health"
    parameter_name = "source_health"

    def lookups(self, request, model_admin):
        return [("flagged", "Source flagged (failing)")]

    def queryset(self, request, queryset):
        if self.value() == "flagged":
            return queryset.filter(source__flagged_at__isnull=False)
        return queryset


@admin.register(ChangeProposal)
class ChangeProposalAdmin(CuratorOnlyMixin, admin.ModelAdmin):
    """The review queue: pending first, most relevant first, oldest first."""

    list_display = [
        "id",
        "jurisdiction_display",
        "source_display",
        "relevance",
        "relevance_score",
        "state",
        "claim_display",
        "created_at",
    ]
    list_display_links = ["id", "jurisdiction_display"]
    list_filter = [
        "state",
        ClaimFilter,
        ("source__jurisdiction", admin.RelatedOnlyFieldListFilter),
        "relevance",
        FlaggedSourceFilter,
    ]
    search_fields = ["source__jurisdiction__code", "source__jurisdiction__name", "source__url"]
    change_list_template = "monitoring/admin/changeproposal_change_list.html"
    list_per_page = 50

    def get_queryset(self, request):
        if not user_is_curator(request.user):
            return ChangeProposal.objects.none()
        return selectors.proposals_queue()

    def get_ordering(self, request):
        return ["pending_first", "-relevance_score", "created_at", "id"]

    @admin.display(description="Jurisdiction", ordering="source__jurisdiction__code")
    def jurisdiction_display(self, obj):
        return obj.source.jurisdiction.code

    @admin.display(description="Source")
    def source_display(self, obj):
        flag = " ⚠ flagged" if obj.source.flagged_at else ""
        return f"{obj.source}{flag}"

    @admin.display(description="Claim / approval")
    def claim_display(self, obj):
        if obj.awaiting_approval:
            return "waiting for a second curator"
        holder = selectors.claim_holder(obj)
        if holder is None:
            return "—"
        return f"{holder} until {selectors.claim_expires_at(obj):%H:%M}"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("next/", view(self.next_view), name="monitoring_changeproposal_next"),
            path(
                "<int:pk>/snapshot/<str:which>/",
                view(self.snapshot_view),
                name="monitoring_changeproposal_snapshot",
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if user_is_curator(request.user):
            extra_context["counts"] = selectors.curator_counts()
        return super().changelist_view(request, extra_context)

    def next_view(self, request):
        curator_check(request)
        proposal = services.proposal_next_claim(actor=request.user)
        if proposal is None:
            messages.info(request, "No unclaimed change is waiting. Well done.")
            return redirect("admin:monitoring_changeproposal_changelist")
        return redirect("admin:monitoring_changeproposal_change", proposal.pk)

    def snapshot_view(self, request, pk, which):
        """A snapshot's text as plain text (never HTML): the source is untrusted."""
        curator_check(request)
        proposal = get_object_or_404(
            ChangeProposal.objects.select_related("old_snapshot", "new_snapshot"), pk=pk
        )
        snapshots = {"old": proposal.old_snapshot, "new": proposal.new_snapshot}
        if which not in snapshots:
            raise PermissionDenied("Ask for the old or the new snapshot.")
        return HttpResponse(snapshots[which].text, content_type="text/plain; charset=utf-8")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        curator_check(request)
        proposal_id = object_or_404(self, request, object_id).pk
        if request.method == "GET":
            services.proposal_claim(actor=request.user, proposal_id=proposal_id)
        proposal = (
            selectors.proposals_queue()
            .select_related("old_snapshot", "new_snapshot")
            .get(pk=proposal_id)
        )
        panel = status_panel_context(proposal.source.jurisdiction)
        source_citation = {"url": proposal.source.url, "text": "", "title": proposal.source.title}
        initial = status_form_initial(
            jurisdiction=panel["jurisdiction"],
            seen_version_id=panel["seen_version_id"],
            citations=[source_citation],
        )
        page = DecisionPage(request)
        confirm = partial(services.proposal_confirm, proposal_id=proposal.pk)
        confirm_form = page.decision("confirm", StatusFactsForm, confirm, initial=initial)
        dismiss = partial(services.proposal_dismiss, proposal_id=proposal.pk)
        dismiss_form = page.decision("dismiss", ReasonForm, dismiss)
        if page.action == "release":
            services.proposal_release(actor=request.user, proposal_id=proposal.pk)
            return redirect("admin:monitoring_changeproposal_changelist")
        if page.run():
            return redirect("admin:monitoring_changeproposal_changelist")
        holder = selectors.claim_holder(proposal)
        diff = side_by_side(proposal.old_snapshot.text, proposal.new_snapshot.text)
        context = {
            **self.admin_site.each_context(request),
            **panel,
            "title": f"Change on {proposal.source.jurisdiction.name}'s source",
            "proposal": proposal,
            "source": proposal.source,
            "diff": diff,
            "holder": holder,
            "mine": holder is not None and holder.pk == request.user.pk,
            "claim_expires_at": selectors.claim_expires_at(proposal) if holder else None,
            "decidable": proposal.state == ProposalState.PENDING and not proposal.awaiting_approval,
            "confirm_form": confirm_form,
            "dismiss_form": dismiss_form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "monitoring/admin/proposal_review.html", context)
