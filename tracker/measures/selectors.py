"""Reads of measures for curators: what waits in "Verify next", and one place's measures."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Prefetch, Q
from django.utils import timezone

from jurisdictions.models import Category, Rule, Scope
from jurisdictions.rules import ProductRule, current_rules, rule_columns
from tracker.measures.models import (
    CLOSED_STAGES,
    LAW_STAGES,
    Change,
    Measure,
    MeasureAction,
    NextDateKind,
    ProviderState,
)
from tracker.measures.providers import PROVIDERS


def measures_waiting(
    *, today: datetime.date, soon_days: int, jurisdiction_id: int | None = None
) -> list[dict]:
    """Per jurisdiction with measures waiting for a curator (or only the one given): how many,
    and the soonest next date among them within `soon_days` (None when none is that close)."""
    soon = today + datetime.timedelta(days=soon_days)
    waiting = Measure.objects.needing_review()
    if jurisdiction_id is not None:
        waiting = waiting.filter(jurisdiction_id=jurisdiction_id)
    return list(
        waiting.values("jurisdiction_id").annotate(
            n=Count("id"),
            soonest=Min("next_date", filter=Q(next_date__gte=today, next_date__lte=soon)),
        )
    )


def measure_effective_date(measure: Measure) -> datetime.date | None:
    """The date an enacted or adopted measure takes effect, when known."""
    if measure.stage in LAW_STAGES and measure.next_date_kind == NextDateKind.EFFECTIVE:
        return measure.next_date
    return None


@dataclass
class MeasureView:
    measure: Measure
    # (category, its label, the rule in force): shown beside what the measure would make it
    comparison: list[tuple[str, str, str]]
    effective_date: datetime.date | None

    @property
    def waiting(self) -> bool:
        return self.measure.attention_since is not None


def jurisdiction_measures(*, jurisdiction) -> list[MeasureView]:
    """The place's measures, those waiting for a curator first, then open ones, then closed;
    each with its timeline and the rules in force beside what it would change."""
    rules = current_rules(jurisdiction)
    measures = (
        Measure.objects.filter(jurisdiction=jurisdiction)
        .prefetch_related(
            Prefetch("actions", queryset=MeasureAction.objects.order_by("date", "id"))
        )
        .order_by("-stage_date", "id")
    )
    comparison = [(c, Category(c).label, rules[c].answer) for c in Category.values]
    views = [
        MeasureView(measure=m, comparison=comparison, effective_date=measure_effective_date(m))
        for m in measures
    ]
    return sorted(views, key=lambda v: (not v.waiting, v.measure.stage in CLOSED_STAGES))


def measure_rules(*, jurisdiction, measure: Measure) -> dict[str, ProductRule]:
    """The rules in force with the measure's changes applied: a curator's starting point for
    the version it brings. A ban's scope is left unknown: the measure's words must say it."""
    rules = dict(current_rules(jurisdiction))
    for category, change in measure.changes.items():
        if change in (Change.UNCHANGED, Change.UNKNOWN):
            continue
        scope = Scope.UNKNOWN if change == Rule.BANNED else ""
        rules[category] = ProductRule(category, change, scope, rules[category].min_age)
    return rules


def measure_citation(measure: Measure) -> dict:
    return {
        "title": measure.title[:300],
        "url": measure.official_url or measure.page_url,
        "text": f"{measure.identifier} ({measure.get_kind_display().lower()})",
    }


def measure_status_initial(*, jurisdiction, measure: Measure) -> dict:
    """The record form's starting values for the status version a measure brings: its
    rules, its effective date, and a citation of the measure beside the current ones."""
    current = jurisdiction.current_status
    citations = [*(current.citations if current else []), measure_citation(measure)]
    return {
        **rule_columns(measure_rules(jurisdiction=jurisdiction, measure=measure)),
        "effective_date": measure_effective_date(measure),
        "citations": citations,
        "reason": f"Recorded from {measure.identifier} ({measure.get_stage_display().lower()}).",
    }


@dataclass
class ProviderOverview:
    code: str
    label: str
    enabled: bool
    last_run_at: datetime.datetime | None
    last_success_at: datetime.datetime | None
    paused_until: datetime.datetime | None
    requests_today: int
    daily_budget: int | None
    last_error: str

    def as_json(self) -> dict:
        return {
            "enabled": self.enabled,
            "last_run_at": self.last_run_at.isoformat() if self.last_run_at else None,
            "last_success_at": self.last_success_at.isoformat() if self.last_success_at else None,
            "paused_until": self.paused_until.isoformat() if self.paused_until else None,
        }


def provider_overview(state: ProviderState, *, today: datetime.date) -> ProviderOverview:
    cls = PROVIDERS[state.provider]
    return ProviderOverview(
        code=state.provider,
        label=state.get_provider_display(),
        enabled=cls.enabled(),
        last_run_at=state.last_run_at,
        last_success_at=state.last_success_at,
        paused_until=state.paused_until,
        requests_today=state.requests_today if state.budget_day == today else 0,
        daily_budget=cls.daily_budget(),
        last_error=state.last_error,
    )


def providers_overview(*, today: datetime.date | None = None) -> list[ProviderOverview]:
    """Each provider: on or off, its last run and success, pause, and today's budget."""
    today = today or timezone.localdate()
    states = {state.provider: state for state in ProviderState.objects.all()}
    return [
        provider_overview(states.get(code) or ProviderState(provider=code), today=today)
        for code in PROVIDERS
    ]
