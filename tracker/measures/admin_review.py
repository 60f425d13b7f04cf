"""The measures' part of a "Verify next" item: each measure's panel and review form, and the
form's decision. Monitoring's worklist page calls these; they call the services."""

from functools import partial

from jurisdictions.admin_review import DecisionPage
from tracker.measures import selectors, services
from tracker.measures.forms import MeasureReviewForm
from tracker.measures.models import Measure, change_field_name

REVIEW_ACTION = "measure_review"


def _measure_id(request, name: str = "measure") -> int | None:
    raw = request.POST.get(name) or request.GET.get(name) or ""
    return int(raw) if raw.isdigit() else None


def measure_panels(request, jurisdiction, *, bound: MeasureReviewForm | None = None) -> list:
    """The place's measures, each with its review form (`bound` in place of a fresh one for
    the measure it belongs to) and rows pairing the rule in force with the form's field."""
    views = selectors.jurisdiction_measures(jurisdiction=jurisdiction)
    for view in views:
        form = bound if bound and bound.measure_id == view.measure.pk else None
        view.form = form or MeasureReviewForm(measure=view.measure)
        view.rows = [
            (label, now, view.form[change_field_name(category)])
            for category, label, now in view.comparison
        ]
    return views


def _measure_of(request, jurisdiction) -> Measure | None:
    """The measure the request names (?measure= or the posted field), if it is the place's."""
    return Measure.objects.filter(pk=_measure_id(request), jurisdiction=jurisdiction).first()


def measure_review_decision(page: DecisionPage, jurisdiction) -> MeasureReviewForm | None:
    """Offer the review of the measure a POST names, on the page; returns its bound form (to
    show again in the measure's panel when the review is refused), None on other requests."""
    if page.action != REVIEW_ACTION:
        return None
    measure = _measure_of(page.request, jurisdiction)
    if measure is None:
        return None
    review = partial(services.measure_review, measure_id=measure.pk)
    message = f"{measure.identifier}: review saved."
    return page.decision(REVIEW_ACTION, MeasureReviewForm, review, message=message, measure=measure)


def measure_to_record(request, jurisdiction) -> Measure | None:
    """The measure a record form is filled from (?measure= or the posted field), if it
    belongs to the place and brings a dated change."""
    measure = _measure_of(request, jurisdiction)
    if measure is None or selectors.measure_effective_date(measure) is None:
        return None
    return measure


def record_initial(jurisdiction, measure: Measure | None, initial: dict) -> dict:
    if measure is None:
        return initial
    return {
        **initial,
        **selectors.measure_status_initial(jurisdiction=jurisdiction, measure=measure),
    }


def measure_recorded(request, measure: Measure | None) -> None:
    if measure is not None:
        services.measure_recorded(actor=request.user, measure_id=measure.pk)
