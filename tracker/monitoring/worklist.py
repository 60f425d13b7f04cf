"""The curators' "Verify next" worklist: which jurisdiction most needs a human, and why.

Order: an upcoming effective date within WORKLIST_UPCOMING_DAYS (or passed); a measure to
review with a date (hearing, comment deadline, effective, expiry) within as many days; an
open lead newer than the last verification; a proposal pending on one of its sources; a
flagged source; a measure to review (new, or a stage change); then stale statuses; then
places whose monitor watches no kratom-specific page.
Within a reason: states before counties and cities, the oldest verification first; leads
go visitors' reports first, then newer public findings, then the reference data's own,
each newest claim first.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, Min
from django.utils import timezone

from jurisdictions.models import LEAD_ORIGIN_PRIORITY, LEVEL_RANK, Jurisdiction, Lead, Level
from jurisdictions.selectors import jurisdictions_stale
from tracker.measures.selectors import measures_waiting
from tracker.monitoring.models import ChangeProposal, Source
from tracker.monitoring.selectors import proposals_pending


class Reason:
    UPCOMING = "upcoming"
    MEASURE_SOON = "measure_soon"
    LEAD = "lead"
    PROPOSAL = "proposal"
    FLAGGED = "flagged"
    MEASURE = "measure"
    STALE = "stale"
    NO_KRATOM_SOURCE = "no_kratom_source"


# The worklist's order: the first reason an item has decides its place.
REASON_ORDER = [
    Reason.UPCOMING,
    Reason.MEASURE_SOON,
    Reason.LEAD,
    Reason.PROPOSAL,
    Reason.FLAGGED,
    Reason.MEASURE,
    Reason.STALE,
    Reason.NO_KRATOM_SOURCE,
]
# Places where the monitor must watch the law itself: a county or city is watched through
# its state when it has no source of its own.
WATCHED_LEVELS = [Level.COUNTRY, Level.STATE, Level.TERRITORY]


@dataclass
class WorkItem:
    jurisdiction: Jurisdiction
    reasons: dict[str, str] = field(default_factory=dict)
    # Within the lead block: visitors' reports, then newer findings, then leads of the
    # reference data itself; and the newest claim first (days since year 1, negated).
    lead_rank: tuple = (0, 0)
    # Within the measures with a date soon: the soonest first.
    measure_soonest: datetime.date = datetime.date.min

    @property
    def first_reason(self) -> str:
        return next(reason for reason in REASON_ORDER if reason in self.reasons)

    def sort_key(self) -> tuple:
        j = self.jurisdiction
        return (
            REASON_ORDER.index(self.first_reason),
            # New findings first: a place with only old reference-data leads waits.
            self.lead_rank if self.first_reason == Reason.LEAD else (0, 0),
            self.measure_soonest if self.first_reason == Reason.MEASURE_SOON else datetime.date.min,
            LEVEL_RANK[j.level] >= LEVEL_RANK[Level.COUNTY],  # states before counties, cities
            j.last_verified_on or datetime.date.min,  # never verified counts as oldest
            j.code,
        )


def worklist(*, today: datetime.date | None = None) -> list[WorkItem]:
    """Every jurisdiction that needs a curator, most urgent first."""
    items = _work_items(today=today or timezone.localdate())
    for jurisdiction in Jurisdiction.objects.with_status().filter(id__in=items):
        items[jurisdiction.pk].jurisdiction = jurisdiction
    return sorted(items.values(), key=WorkItem.sort_key)


def worklist_reasons(
    *, jurisdiction: Jurisdiction, today: datetime.date | None = None
) -> dict[str, str]:
    """Why one jurisdiction is on the worklist ({} when it is not), from its own rows only."""
    today = today or timezone.localdate()
    item = _work_items(today=today, jurisdiction_id=jurisdiction.pk).get(jurisdiction.pk)
    return item.reasons if item else {}


def _work_items(*, today: datetime.date, jurisdiction_id: int | None = None) -> dict:
    """The worklist's items by jurisdiction id, without their jurisdictions; of the one
    jurisdiction given, if any."""
    items: dict[int, WorkItem] = {}

    def add(jurisdiction_id: int, reason: str, text: str) -> None:
        items.setdefault(jurisdiction_id, WorkItem(jurisdiction=None)).reasons[reason] = text

    def of_it(queryset, field: str = "jurisdiction_id"):
        return queryset if jurisdiction_id is None else queryset.filter(**{field: jurisdiction_id})

    places = of_it(Jurisdiction.objects.all(), "id")
    soon = today + datetime.timedelta(days=settings.WORKLIST_UPCOMING_DAYS)
    for pk, effective in places.filter(upcoming_status__effective_date__lte=soon).values_list(
        "id", "upcoming_status__effective_date"
    ):
        when = "passed" if effective <= today else "coming"
        add(pk, Reason.UPCOMING, f"upcoming change effective {effective} ({when})")
    fresh = of_it(Lead.objects.fresh()).values("jurisdiction_id")
    kind = Min(LEAD_ORIGIN_PRIORITY)  # the most pressing kind of the place's leads
    for row in fresh.annotate(n=Count("id"), newest=Max("claimed_on"), first=kind):
        add(row["jurisdiction_id"], Reason.LEAD, f"{row['n']} new lead(s)")
        newest = -row["newest"].toordinal() if row["newest"] else 0
        items[row["jurisdiction_id"]].lead_rank = (row["first"], newest)
    waiting = measures_waiting(
        today=today, soon_days=settings.WORKLIST_UPCOMING_DAYS, jurisdiction_id=jurisdiction_id
    )
    for row in waiting:
        text = f"{row['n']} measure(s) to review"
        if row["soonest"]:
            add(row["jurisdiction_id"], Reason.MEASURE_SOON, f"{text}, a date on {row['soonest']}")
            items[row["jurisdiction_id"]].measure_soonest = row["soonest"]
        else:
            add(row["jurisdiction_id"], Reason.MEASURE, text)
    pending = of_it(proposals_pending(), "source__jurisdiction_id")
    for row in pending.values("source__jurisdiction_id").annotate(n=Count("id")):
        add(row["source__jurisdiction_id"], Reason.PROPOSAL, f"{row['n']} pending proposal(s)")
    flagged = of_it(Source.objects.flagged().filter(enabled=True))
    for row in flagged.values("jurisdiction_id").annotate(n=Count("id")):
        add(row["jurisdiction_id"], Reason.FLAGGED, f"{row['n']} flagged source(s)")
    stale = of_it(jurisdictions_stale(today=today), "id").filter(last_verified_on__isnull=False)
    for pk, on in stale.values_list("id", "last_verified_on"):
        add(pk, Reason.STALE, f"verified {(today - on).days} days ago")
    watched = Source.objects.filter(enabled=True, kratom_specific=True).values("jurisdiction_id")
    for pk in (
        places.filter(level__in=WATCHED_LEVELS, current_status__isnull=False)
        .exclude(id__in=watched)
        .values_list("id", flat=True)
    ):
        add(pk, Reason.NO_KRATOM_SOURCE, "no kratom-specific source is monitored")
    return items


def worklist_next(
    *, after: Jurisdiction, position: int, today: datetime.date | None = None
) -> WorkItem | None:
    """The item a curator goes to after deciding on `after`, which stood at `position`: the
    one now at that place once `after` is left out (decided, it may drop out, move down the
    list or, with a due date not yet recorded, stay); from the top again at the end."""
    items = [item for item in worklist(today=today) if item.jurisdiction.pk != after.pk]
    if not items:
        return None
    return items[position] if position < len(items) else items[0]


@dataclass
class SourceView:
    source: Source
    text: str


def jurisdiction_sources(*, jurisdiction: Jurisdiction) -> list[SourceView]:
    """The jurisdiction's enabled sources, kratom-specific first, each with the latest
    monitored text (its current snapshot)."""
    sources = (
        Source.objects.filter(jurisdiction=jurisdiction, enabled=True)
        .select_related("current_snapshot")
        .order_by("-kratom_specific", "title", "id")
    )
    return [SourceView(s, s.current_snapshot.text if s.current_snapshot else "") for s in sources]


def jurisdiction_open_leads(*, jurisdiction: Jurisdiction) -> list[Lead]:
    return list(Lead.objects.open().filter(jurisdiction=jurisdiction).review_order())


def jurisdiction_pending_proposals(*, jurisdiction: Jurisdiction) -> list[ChangeProposal]:
    return list(
        proposals_pending()
        .filter(source__jurisdiction=jurisdiction)
        .select_related("source")
        .order_by("created_at")
    )
