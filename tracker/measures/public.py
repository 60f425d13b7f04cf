"""Measures as the public sees them: only relevant ones (never a lead), in the API's shape,
each saying it is not law, naming its source and the date its facts are as of."""

import datetime

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from jurisdictions.models import Category
from tracker.measures.models import CLOSED_STAGES, Measure, MeasureAction, Stage

NOT_LAW = "A measure is not law: it says what the law would become if it passes."
# Not yet in force and not over: what /pending/ and the pending blocks list.
OVER_STAGES = frozenset({*CLOSED_STAGES, Stage.IN_FORCE})
FEDERAL = "US"


def measures_public() -> QuerySet[Measure]:
    return Measure.objects.public().select_related("jurisdiction")


def measures_pending() -> QuerySet[Measure]:
    """Public measures still in motion, the soonest next date first (undated last)."""
    return (
        measures_public().exclude(stage__in=OVER_STAGES).order_by("next_date", "-stage_date", "id")
    )


def measures_filter(
    *,
    jurisdiction=None,
    stage: str | None = None,
    category: str | None = None,
    updated_since: datetime.datetime | None = None,
    pending: bool = False,
    state: str | None = None,
) -> QuerySet[Measure]:
    """The public list's filters; `state` takes a state's own measures and its places'."""
    queryset = measures_pending() if pending else measures_public().order_by("-updated_at", "id")
    if jurisdiction is not None:
        queryset = queryset.filter(jurisdiction=jurisdiction)
    if state == FEDERAL:
        queryset = queryset.filter(jurisdiction__code=FEDERAL)  # not every state's "US-…"
    elif state:
        queryset = queryset.filter(
            Q(jurisdiction__code=state) | Q(jurisdiction__code__startswith=f"{state}-")
        )
    if stage:
        queryset = queryset.filter(stage=stage)
    if category:
        queryset = queryset.exclude(**{f"change_{category}__in": ["unchanged", "unknown"]})
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    return queryset


def _day(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def measure_data(measure: Measure) -> dict:
    """A measure in the API's shape (the list, the detail, the pending blocks, webhooks)."""
    return {
        "id": measure.pk,
        "jurisdiction": {
            "code": measure.jurisdiction.code,
            "name": measure.jurisdiction.name,
            "level": measure.jurisdiction.level,
        },
        "kind": measure.kind,
        "identifier": measure.identifier,
        "session": measure.session,
        "title": measure.title,
        "stage": measure.stage,
        "stage_label": measure.get_stage_display(),
        "stage_date": _day(measure.stage_date),
        "failed": measure.stage in CLOSED_STAGES,
        "next_date": _day(measure.next_date),
        "next_date_kind": measure.next_date_kind or None,
        "would_change": measure.changes,
        "would_change_text": measure.would_change,
        "official_url": measure.official_url or None,
        "source_url": measure.page_url or None,
        "source": measure.get_provider_display(),
        "as_of": _day(measure.as_of),
        "updated_at": measure.updated_at.isoformat(),
        "is_law": False,
        "notice": NOT_LAW,
        "url": settings.SITE_URL + reverse("public:measures-api-detail", args=[measure.pk]),
    }


# The bulk export's flat columns: a measure's API shape with the jurisdiction and the
# per-product would-change spread into cells (the notice is said once, not per row).
EXPORT_COLUMNS = [
    "id", "jurisdiction_code", "jurisdiction_name", "jurisdiction_level", "kind", "identifier",
    "session", "title", "stage", "stage_label", "stage_date", "failed", "next_date",
    "next_date_kind", *[f"would_change_{category}" for category in Category.values],
    "would_change_text", "official_url", "source_url", "source", "as_of", "updated_at",
    "is_law", "url",
]  # fmt: skip


def measures_export() -> QuerySet[Measure]:
    """Every public measure for the bulk export, by place then identifier (one query)."""
    return measures_public().order_by("jurisdiction__code", "session", "identifier", "id")


def measure_export_row(measure: Measure) -> dict:
    data = measure_data(measure)
    place, changes = data.pop("jurisdiction"), data.pop("would_change")
    del data["notice"]
    return {
        **{f"jurisdiction_{key}": value for key, value in place.items()},
        **{f"would_change_{category}": change for category, change in changes.items()},
        **data,
    }


def measure_detail_data(measure: Measure) -> dict:
    return {
        **measure_data(measure),
        "actions": [
            {"date": _day(a.date), "description": a.description, "stage": a.stage or None}
            for a in measure.actions.all()
        ],
    }


def measure_get(pk: int) -> Measure | None:
    actions = Prefetch("actions", queryset=MeasureAction.objects.order_by("date", "id"))
    return measures_public().prefetch_related(actions).filter(pk=pk).first()


def pending_of(places: list) -> dict[int, list[dict]]:
    """The reader jurisdictions.pending asks: each place's pending public measures."""
    found: dict[int, list[dict]] = {}
    for measure in measures_pending().filter(jurisdiction__in=[p.pk for p in places]):
        found.setdefault(measure.jurisdiction_id, []).append(measure_data(measure))
    return found


def stage_changes_of(jurisdiction, limit: int) -> list[dict]:
    """The reader's other half: a place's public measures' actions that moved a stage, newest
    first (its Atom feed names them)."""
    actions = (
        MeasureAction.objects.filter(
            measure__in=Measure.objects.public().filter(jurisdiction=jurisdiction)
        )
        .exclude(stage="")
        .select_related("measure__jurisdiction")
        .order_by("-recorded_at", "-id")[:limit]
    )
    return [
        {
            "id": action.pk,
            "measure": measure_data(action.measure),
            "stage": action.stage,
            "stage_label": Stage(action.stage).label,
            "date": action.date,
            "description": action.description,
            "recorded_at": action.recorded_at,
        }
        for action in actions
    ]
