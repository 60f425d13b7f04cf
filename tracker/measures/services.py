"""Writes to measures: one upsert for the seed and every provider, and curators' decisions."""

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from jurisdictions.generation import public_generation_bump
from jurisdictions.models import Category
from jurisdictions.services.curators import curator_require
from tracker.measures.identity import may_be_the_same
from tracker.measures.models import (
    CLOSED_STAGES,
    Measure,
    MeasureAction,
    Review,
    Stage,
    change_field_name,
)
from tracker.measures.signals import measure_created, measure_stage_changed

# The facts a provider (or the reference data) states; a curator's decisions are kept.
FACT_FIELDS = (
    "kind",
    "identifier",
    "session",
    "title",
    "change_hash",
    "official_url",
    "page_url",
    "stage",
    "stage_date",
    "next_date",
    "next_date_kind",
    "sponsors",
    "would_change",
    "relevance_score",
    "confidence",
    "as_of",
    "notes",
)


@dataclass
class ActionFacts:
    date: datetime.date | None
    description: str
    stage: str = ""


@dataclass
class MeasureFacts:
    jurisdiction_id: int
    kind: str
    identifier: str
    title: str
    stage: str
    session: str = ""
    change_hash: str = ""
    official_url: str = ""
    page_url: str = ""
    stage_date: datetime.date | None = None
    next_date: datetime.date | None = None
    next_date_kind: str = ""
    sponsors: list = field(default_factory=list)
    would_change: str = ""
    relevance_score: int = 0
    confidence: str = ""
    as_of: datetime.date | None = None
    notes: str = ""
    # Is it about kratom? A hit that is not waits as a lead, with no worklist item.
    relevant: bool = True
    # category -> Change; None: the source does not say (providers never do).
    changes: dict | None = None
    actions: list[ActionFacts] = field(default_factory=list)


@dataclass
class UpsertResult:
    created: bool = False
    updated: bool = False
    actions_created: int = 0
    measure: Measure | None = None


def action_keys(actions: list[ActionFacts]) -> list[str]:
    """A key per action from its facts; identical actions on one day are told apart by how
    many came before them, so a list seen again gives the same keys."""
    seen = Counter()
    keys = []
    for action in actions:
        facts = f"{action.date}|{action.description.strip()}|{action.stage}"
        seen[facts] += 1
        keys.append(hashlib.sha256(f"{facts}|{seen[facts]}".encode()).hexdigest())
    return keys


def _initial_review(facts: MeasureFacts) -> str:
    return Review.RELEVANT if facts.relevant and facts.confidence != "low" else Review.LEAD


def _attention(measure: Measure, reason: str, now) -> None:
    """A closed measure closes its item; anything else about kratom becomes one."""
    if measure.stage in CLOSED_STAGES:
        measure.attention_since, measure.attention_reason = None, ""
    elif measure.review in (Review.RELEVANT, Review.SAME_AS) or (
        measure.review == Review.LEAD and measure.confidence == "low"
    ):
        measure.attention_since, measure.attention_reason = now, reason[:200]


def _facts_apply(measure: Measure, facts: MeasureFacts) -> bool:
    changed = False
    columns = {name: getattr(facts, name) for name in FACT_FIELDS}
    if facts.changes is not None and measure.changes_confirmed_by_id is None:
        columns.update({change_field_name(c): facts.changes[c] for c in Category.values})
    for name, value in columns.items():
        if getattr(measure, name) != value:
            setattr(measure, name, value)
            changed = True
    return changed


def _measure_locked(provider: str, provider_key: str) -> Measure | None:
    return (
        Measure.objects.select_for_update()
        .filter(provider=provider, provider_key=provider_key)
        .first()
    )


def _public_twin(provider: str, facts: MeasureFacts) -> Measure | None:
    """A public measure of the place, from another provider, that may be this one."""
    kept = Measure.objects.public().filter(jurisdiction_id=facts.jurisdiction_id)
    return next(
        (
            other
            for other in kept.exclude(provider=provider).only("provider", "identifier", "session")
            if may_be_the_same(facts.identifier, facts.session, other.identifier, other.session)
        ),
        None,
    )


def _measure_create(provider: str, provider_key: str, facts: MeasureFacts, now) -> Measure:
    measure = Measure(
        jurisdiction_id=facts.jurisdiction_id,
        provider=provider,
        provider_key=provider_key,
        review=_initial_review(facts),
    )
    _facts_apply(measure, facts)
    if facts.relevant:
        _attention(measure, "new measure", now)
    twin = _public_twin(provider, facts) if measure.review == Review.RELEVANT else None
    if twin is not None:
        # Shown once: the second record waits for a curator, who says which one the public sees.
        measure.review = Review.LEAD
        measure.attention_since = now
        measure.attention_reason = (
            f"may be the same as {twin.get_provider_display()} {twin.identifier} (#{twin.pk})"
        )[:200]
    # Fields here; the constraints are PostgreSQL's (validating them in Python costs a
    # query each, twenty per measure).
    measure.full_clean(validate_constraints=False)
    measure.save()
    return measure


@transaction.atomic
def measure_upsert(*, provider: str, provider_key: str, facts: MeasureFacts) -> UpsertResult:
    """Create or update one provider record and add the actions not seen before.

    Idempotent: the same facts twice change nothing. A new measure about kratom, and a stage
    change, put the measure in "Verify next"; a closing stage (failed, expired...) takes it
    out. A curator's review and confirmed would-change are never overwritten.
    """
    now = timezone.now()
    result = UpsertResult()
    measure = _measure_locked(provider, provider_key)
    if measure is None:
        try:
            with transaction.atomic():
                measure = _measure_create(provider, provider_key, facts, now)
            result.created = True
        except IntegrityError:
            # Another run created it meanwhile (the unique record constraint): update that.
            # Any other violation is the facts' own fault, and raised.
            measure = _measure_locked(provider, provider_key)
            if measure is None:
                raise
    old_stage = "" if result.created else measure.stage
    if not result.created and _facts_apply(measure, facts):
        if measure.stage != old_stage:
            _attention(
                measure,
                f"stage: {Stage(old_stage).label} → {Stage(measure.stage).label}",
                now,
            )
        measure.full_clean(validate_constraints=False)
        measure.save()
        result.updated = True
    result.actions_created = _actions_add(measure, facts.actions)
    result.measure = measure
    if result.created or result.updated or result.actions_created:
        _public_changed(measure, previous_stage=old_stage)
    return result


def _public_changed(measure: Measure, *, previous_stage: str) -> None:
    """Public pages show public measures: retire the cached ones after commit, and tell
    subscribers (signals.py) of a new public measure or a stage it moved to."""
    transaction.on_commit(public_generation_bump)
    if measure.review != Review.RELEVANT:
        return
    if not previous_stage:
        measure_created.send(sender=Measure, measure=measure, previous_stage="")
    elif previous_stage != measure.stage:
        measure_stage_changed.send(sender=Measure, measure=measure, previous_stage=previous_stage)


def _actions_add(measure: Measure, actions: list[ActionFacts]) -> int:
    known = set(measure.actions.values_list("key", flat=True))
    new = [
        MeasureAction(
            measure=measure,
            date=action.date,
            description=action.description.strip()[:5000],
            stage=action.stage,
            key=key,
        )
        for action, key in zip(actions, action_keys(actions), strict=True)
        if key not in known and action.description.strip()
    ]
    MeasureAction.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def measure_review(*, actor, measure_id: int, review: str, changes: dict[str, str]) -> Measure:
    """A curator's word on a measure: about kratom or not, and what it would change per
    product. Either way it leaves "Verify next" until its next stage change."""
    curator_require(user=actor)
    measure = Measure.objects.select_for_update().get(pk=measure_id)
    now = timezone.now()
    was = measure.review
    measure.review = review
    for category, change in changes.items():
        setattr(measure, change_field_name(category), change)
    measure.changes_confirmed_by, measure.changes_confirmed_at = actor, now
    measure.reviewed_by, measure.reviewed_at = actor, now
    measure.attention_since, measure.attention_reason = None, ""
    measure.full_clean(validate_constraints=False)
    measure.save()
    transaction.on_commit(public_generation_bump)
    if review == Review.RELEVANT and was != Review.RELEVANT:
        # A lead a curator confirmed becomes public now: new to subscribers.
        measure_created.send(sender=Measure, measure=measure, previous_stage="")
    return measure


@transaction.atomic
def measure_recorded(*, actor, measure_id: int) -> Measure:
    """A status version (or a confirmation waiting for a second curator) was recorded from
    the measure: the curator has dealt with it."""
    curator_require(user=actor)
    measure = Measure.objects.select_for_update().get(pk=measure_id)
    measure.reviewed_by, measure.reviewed_at = actor, timezone.now()
    measure.attention_since, measure.attention_reason = None, ""
    measure.save(
        update_fields=["reviewed_by", "reviewed_at", "attention_since", "attention_reason"]
    )
    return measure
