"""The curators' side of the admin: the pieces the model admins in admin.py and in
tracker/monitoring/admin.py share. Views here parse a form, call one service, render."""

import csv
from collections.abc import Callable
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path

from jurisdictions import selectors, services
from jurisdictions.admin_forms import ApprovalForm, ReasonForm, ReverifyForm, StatusFactsForm
from jurisdictions.models import Jurisdiction, Lead, StatusApproval, StatusVersion
from jurisdictions.rules import rule_columns

HISTORY_SHOWN = 5


class CuratorOnlyMixin:
    """Only curators (and superusers) see these models; decisions go through the services."""

    def has_module_permission(self, request):
        return selectors.user_is_curator(request.user)

    def has_view_permission(self, request, obj=None):
        return selectors.user_is_curator(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if selectors.user_is_curator(request.user) else queryset.none()


def object_or_404(model_admin, request, object_id):
    """The admin's own lookup (a malformed id is a 404, not an error)."""
    obj = model_admin.get_object(request, object_id)
    if obj is None:
        raise Http404(f"No {model_admin.opts.verbose_name} with id {object_id!r}.")
    return obj


def curator_check(request) -> None:
    if not selectors.user_is_curator(request.user):
        raise PermissionDenied("Only members of the Curators group may review and decide.")


class _Echo:
    def write(self, value):
        return value


def decisions_csv_response(*, jurisdiction_id: int | None, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    rows = selectors.decisions_csv_rows(jurisdiction_id=jurisdiction_id)
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def status_panel_context(jurisdiction: Jurisdiction) -> dict:
    """The jurisdiction's current and upcoming status, recent history and waiting approvals."""
    jurisdiction = Jurisdiction.objects.with_status().get(pk=jurisdiction.pk)
    history = (
        StatusVersion.objects.filter(jurisdiction=jurisdiction)
        .select_related("confirmed_by")
        .newest_first()[:HISTORY_SHOWN]
    )
    return {
        "jurisdiction": jurisdiction,
        "history": list(history),
        "waiting_approvals": list(selectors.approvals_pending().filter(jurisdiction=jurisdiction)),
        "seen_version_id": selectors.jurisdiction_latest_version_id(
            jurisdiction_id=jurisdiction.pk
        ),
    }


def status_form_initial(*, jurisdiction: Jurisdiction, seen_version_id, citations=None) -> dict:
    """Start from the status in force (a curator usually changes a few facts of it)."""
    current = jurisdiction.current_status
    initial = {"seen_version": seen_version_id}
    if current:
        initial.update(summary=current.summary, **rule_columns(current.rules))
    if citations is not None:
        initial["citations"] = citations
    elif current:
        initial["citations"] = current.citations
    return initial


class DecisionPage:
    """The decisions a review page offers (confirm or dismiss, approve or reject, …).

    Each is an action name, a form (bound only when the POST chose its action) and the service
    it runs: `service(actor=…, **form.decision_arguments())`, with the ids it needs bound by
    the page (functools.partial). `run()` makes the chosen decision.
    """

    def __init__(self, request):
        self.request = request
        self.action = request.POST.get("action") if request.method == "POST" else None
        self._decisions: dict[str, tuple[forms.Form, Callable, str | None]] = {}

    def decision(self, action: str, form_class, service: Callable, *, message=None, **form_kwargs):
        """Offer a decision; returns its form for the page. `message` replaces the one
        decision_message would say on success."""
        form = form_class(self.request.POST if self.action == action else None, **form_kwargs)
        self._decisions[action] = (form, service, message)
        return form

    def run(self) -> bool:
        """Make the decision the POST chose; True when it was made (the page redirects)."""
        if self.action not in self._decisions:
            return False
        form, service, message = self._decisions[self.action]
        return decision_run(self.request, form, service, message=message)


def decision_run(request, form, service: Callable, *, message: str | None = None) -> bool:
    """Run `service` with the valid form's arguments; show a refusal on the form. True when
    done."""
    if not form.is_valid():
        return False
    try:
        result = service(actor=request.user, **form.decision_arguments())
    except (ValidationError, PermissionDenied) as exc:
        refusal = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        form.add_error(None, refusal)
        return False
    messages.success(request, message or decision_message(result))
    return True


def decision_message(result) -> str:
    if isinstance(result, StatusApproval):
        return (
            f"A change to or from a rule in {', '.join(settings.FOUR_EYES_RULES)} needs a "
            f"second curator: your confirmation waits for approval (approval {result.pk})."
        )
    if isinstance(result, StatusVersion):
        name = result.jurisdiction.name
        if result.jurisdiction.upcoming_status_id == result.pk:
            return (
                f"Recorded: {name} will be {result.status} from {result.effective_date} (upcoming)."
            )
        return f"Recorded: {name} is {result.status}."
    return f"Done: {result}."


class JurisdictionReviewMixin:
    """Jurisdiction admin: record a status by hand, re-verify, and the audit trail as CSV."""

    change_form_template = "jurisdictions/admin/jurisdiction_change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/record-status/", view(self.record_status_view), name="jurisdiction_record_status"),
            path("<int:pk>/reverify/", view(self.reverify_view), name="jurisdiction_reverify"),
            path("<int:pk>/audit.csv", view(self.audit_csv_view), name="jurisdiction_audit_csv"),
        ] + super().get_urls()  # fmt: skip

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        jurisdiction = self.get_object(request, object_id)
        if jurisdiction is not None and selectors.user_is_curator(request.user):
            extra_context["is_curator"] = True
            extra_context["decisions"] = list(
                selectors.decisions_trail(jurisdiction_id=jurisdiction.pk)[:20]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def record_status_view(self, request, pk):
        curator_check(request)
        jurisdiction = get_object_or_404(Jurisdiction, pk=pk)
        panel = status_panel_context(jurisdiction)
        initial = status_form_initial(
            jurisdiction=panel["jurisdiction"], seen_version_id=panel["seen_version_id"]
        )
        form = StatusFactsForm(request.POST or None, initial=initial)
        record = partial(services.status_enter_manual, jurisdiction=jurisdiction)
        if request.method == "POST" and decision_run(request, form, record):
            return redirect("admin:jurisdictions_jurisdiction_change", jurisdiction.pk)
        context = {
            **self.admin_site.each_context(request),
            **panel,
            "title": f"Record a status for {jurisdiction.name}",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "jurisdictions/admin/record_status.html", context)

    def reverify_view(self, request, pk):
        curator_check(request)
        jurisdiction = get_object_or_404(Jurisdiction.objects.with_status(), pk=pk)
        form = ReverifyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.status_reverify(
                    actor=request.user,
                    jurisdiction=jurisdiction,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"{jurisdiction.name}: verified today, status unchanged.")
            return redirect("admin:jurisdictions_jurisdiction_change", jurisdiction.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Re-verify {jurisdiction.name}",
            "jurisdiction": jurisdiction,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "jurisdictions/admin/reverify.html", context)

    def audit_csv_view(self, request, pk):
        curator_check(request)
        jurisdiction = get_object_or_404(Jurisdiction, pk=pk)
        return decisions_csv_response(
            jurisdiction_id=jurisdiction.pk, filename=f"decisions-{jurisdiction.code}.csv"
        )


class StaleVerificationFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("stale", "Not verified recently (stale)")]

    def queryset(self, request, queryset):
        if self.value() == "stale":
            cutoff = selectors.stale_verification_cutoff()
            return queryset.filter(current_status__isnull=False).verified_before(cutoff)
        return queryset


class LeadReviewMixin(CuratorOnlyMixin):
    """Lead admin: a curator verifies a lead and confirms a status from it, or dismisses it."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        curator_check(request)
        lead = object_or_404(self, request, object_id)
        panel = status_panel_context(lead.jurisdiction)
        citations = [{"url": lead.source_url, "text": lead.citation, "title": ""}]
        if lead.origin == Lead.Origin.REVIEW:
            # A finding's source is a secondary report, never the official text to cite.
            citations = []
        initial = status_form_initial(
            jurisdiction=panel["jurisdiction"],
            seen_version_id=panel["seen_version_id"],
            citations=[c for c in citations if c["url"] or c["text"]] or None,
        )
        if lead.reported_status:
            # The lead's words are a start for the summary; its rules are for the curator to
            # set from the official text (a low-confidence suggestion is not pre-filled).
            initial.update(summary=lead.summary[:400])
        page = DecisionPage(request)
        confirm = partial(services.lead_confirm, lead_id=lead.pk)
        confirm_form = page.decision("confirm", StatusFactsForm, confirm, initial=initial)
        dismiss_form = page.decision(
            "dismiss", ReasonForm, partial(services.lead_dismiss, lead_id=lead.pk)
        )
        if page.run():
            return redirect("admin:jurisdictions_lead_changelist")
        context = {
            **self.admin_site.each_context(request),
            **panel,
            "title": f"Lead for {lead.jurisdiction.name}",
            "lead": lead,
            "confirm_form": confirm_form,
            "dismiss_form": dismiss_form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "jurisdictions/admin/lead_review.html", context)


class ApprovalReviewMixin(CuratorOnlyMixin):
    """Approval admin: a second curator approves or rejects a pending confirmation."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        curator_check(request)
        approval = object_or_404(self, request, object_id)
        page = DecisionPage(request)
        approve = partial(services.approval_approve, approval_id=approval.pk)
        approve_form = page.decision("approve", ApprovalForm, approve)
        reject = partial(services.approval_reject, approval_id=approval.pk)
        reject_form = page.decision("reject", ReasonForm, reject)
        if page.run():
            return redirect("admin:jurisdictions_statusapproval_changelist")
        context = {
            **self.admin_site.each_context(request),
            **status_panel_context(approval.jurisdiction),
            "title": f"Approve a change for {approval.jurisdiction.name}?",
            "approval": approval,
            "own": approval.requested_by_id == request.user.pk,
            "approve_form": approve_form,
            "reject_form": reject_form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "jurisdictions/admin/approval_review.html", context)
