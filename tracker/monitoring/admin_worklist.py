"""The curators' "Verify next" worklist: the list, and one page per jurisdiction holding
everything needed to decide. Either decision lands the curator on the next item."""

from functools import partial

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import BadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from jurisdictions import services as jurisdiction_services
from jurisdictions.admin_forms import ReverifyForm, StatusFactsForm
from jurisdictions.admin_review import (
    DecisionPage,
    curator_check,
    status_form_initial,
    status_panel_context,
)
from jurisdictions.models import Jurisdiction
from tracker.lib.params import bounded_int
from tracker.measures import admin_review as measures_review
from tracker.monitoring import worklist as selectors

# Far more than the jurisdictions the list can hold.
MAX_POSITION = 100_000


def worklist_view(request):
    curator_check(request)
    context = {
        **admin.site.each_context(request),
        "title": "Verify next",
        "items": selectors.worklist(),
        "upcoming_days": settings.WORKLIST_UPCOMING_DAYS,
        "stale_days": settings.VERIFICATION_STALE_DAYS,
    }
    return TemplateResponse(request, "monitoring/admin/worklist.html", context)


def _position(request) -> int:
    """Where the curator is in the list (the next item is found after it)."""
    raw = request.POST.get("position") or request.GET.get("at") or "0"
    position = bounded_int(raw, minimum=0, maximum=MAX_POSITION)
    if position is None:
        raise BadRequest(f"at must be a whole number from 0 to {MAX_POSITION}.")
    return position


def _next_item_redirect(jurisdiction: Jurisdiction, position: int):
    following = selectors.worklist_next(after=jurisdiction, position=position)
    if following is None:
        return redirect("monitoring-worklist")
    url = reverse("monitoring-worklist-item", args=[following.jurisdiction.pk])
    return redirect(f"{url}?at={position}")


def _still_listed_redirect(jurisdiction: Jurisdiction, position: int):
    """Back to the same item while the place is still on the list (another measure, a lead),
    otherwise on to the next."""
    if selectors.worklist_reasons(jurisdiction=jurisdiction):
        url = reverse("monitoring-worklist-item", args=[jurisdiction.pk])
        return redirect(f"{url}?at={position}")
    return _next_item_redirect(jurisdiction, position)


def worklist_item_view(request, pk):
    curator_check(request)
    jurisdiction = get_object_or_404(Jurisdiction, pk=pk)
    position = _position(request)
    panel = status_panel_context(jurisdiction)
    page = DecisionPage(request)
    reverify_form = page.decision(
        "reverify",
        ReverifyForm,
        partial(jurisdiction_services.status_reverify, jurisdiction=jurisdiction),
        message=f"{jurisdiction.name}: verified today, status unchanged.",
        prefix="reverify",
    )
    # "Record the status it brings" of an enacted measure fills the record form from it.
    measure = (
        None
        if page.action == measures_review.REVIEW_ACTION
        else measures_review.measure_to_record(request, jurisdiction)
    )
    initial = measures_review.record_initial(
        panel["jurisdiction"],
        measure,
        status_form_initial(
            jurisdiction=panel["jurisdiction"], seen_version_id=panel["seen_version_id"]
        ),
    )
    record = partial(jurisdiction_services.status_enter_manual, jurisdiction=jurisdiction)
    record_form = page.decision("record", StatusFactsForm, record, initial=initial)
    bound_review = measures_review.measure_review_decision(page, jurisdiction)
    if page.run():
        if page.action == measures_review.REVIEW_ACTION:
            return _still_listed_redirect(jurisdiction, position)
        if page.action == "record":
            measures_review.measure_recorded(request, measure)
        return _next_item_redirect(jurisdiction, position)
    current = panel["jurisdiction"].current_status
    sources = selectors.jurisdiction_sources(jurisdiction=jurisdiction)
    context = {
        **admin.site.each_context(request),
        **panel,
        "title": f"Verify {jurisdiction.name}",
        "position": position,
        "reasons": selectors.worklist_reasons(jurisdiction=jurisdiction),
        "citations": current.citations if current else [],
        "sources": sources,
        "has_kratom_source": any(view.source.kratom_specific for view in sources),
        "leads": selectors.jurisdiction_open_leads(jurisdiction=jurisdiction),
        "proposals": selectors.jurisdiction_pending_proposals(jurisdiction=jurisdiction),
        "reverify_form": reverify_form,
        "form": record_form,
        "record_open": page.action == "record" or measure is not None,
        "measures": measures_review.measure_panels(request, jurisdiction, bound=bound_review),
        "record_measure": measure,
    }
    return TemplateResponse(request, "monitoring/admin/worklist_item.html", context)
