"""One provider run: claim the provider, fetch what changed, upsert it, record the outcome.

Idempotent: a second run finds every record as it left it and writes nothing; a run killed
halfway leaves its provider claimed only until its lease ends, and the next run redoes what
it had not finished (the upsert and the action keys make that free of duplicates).
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone

from tracker.measures.models import ProviderRun, ProviderState, RunOutcome
from tracker.measures.providers import PROVIDERS
from tracker.measures.providers.base import Client, Paused, Places, ProviderError, lease_end
from tracker.measures.services import measure_upsert

INTERRUPTED = "interrupted: the run stopped before it finished (worker killed or restarted)"


def provider_claim(provider: str) -> bool:
    """Claim the provider for a run (a conditional UPDATE: exactly one claimant wins); an
    earlier run still marked running was killed, and is closed as interrupted."""
    now = timezone.now()
    ProviderState.objects.get_or_create(provider=provider)
    claimed = (
        ProviderState.objects.filter(provider=provider)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=lease_end())
    )
    if claimed:
        ProviderRun.objects.filter(provider=provider, outcome=RunOutcome.RUNNING).update(
            outcome=RunOutcome.FAILED, error=INTERRUPTED, finished_at=now
        )
    return bool(claimed)


def provider_run(
    *, provider: str, jurisdiction: str | None = None, progress: Callable | None = None
) -> ProviderRun | None:
    """Run one provider now; None when it is off or another run holds it."""
    cls = PROVIDERS[provider]
    if not cls.enabled() or not provider_claim(provider):
        return None
    state = ProviderState.objects.get(provider=provider)
    run = ProviderRun.objects.create(
        provider=provider,
        jurisdiction_code=jurisdiction or "",
        started_at=timezone.now(),
        outcome=RunOutcome.RUNNING,
    )
    try:
        if state.paused_until and state.paused_until > timezone.now():
            raise Paused(
                f"paused until {state.paused_until:%Y-%m-%d %H:%M} UTC", until=state.paused_until
            )
        _run(cls, state, run, jurisdiction, progress or (lambda text: None))
    except Paused as exc:
        _finish(run, state, RunOutcome.PAUSED, str(exc), paused_until=exc.until)
    except ProviderError as exc:
        _finish(run, state, RunOutcome.FAILED, str(exc))
    except (ValidationError, IntegrityError) as exc:
        # A record whose facts break a rule of ours (no identifier, a date without its
        # kind): the provider's payload is at fault; the run fails there, recorded.
        _finish(run, state, RunOutcome.FAILED, f"record refused: {exc}"[:2000])
    else:
        _finish(run, state, RunOutcome.OK, "")
    return run


def _run(cls, state: ProviderState, run: ProviderRun, jurisdiction, progress) -> None:
    client = Client(run=run, min_interval=cls.min_interval(), daily_budget=cls.daily_budget())
    provider = cls(client=client, cursors=state.cursors, places=Places())
    try:
        for key, facts in provider.changes(jurisdiction=jurisdiction):
            result = measure_upsert(provider=cls.code, provider_key=key, facts=facts)
            run.measures_created += result.created
            run.measures_updated += result.updated
            run.actions_created += result.actions_created
            progress(f"{facts.identifier}: {_what(result)}")
            _cursors_save(state, provider.cursors)
    finally:
        # The scopes it finished are done, even when a later one failed.
        _cursors_save(state, provider.cursors)


def _what(result) -> str:
    if result.created:
        return f"new, {result.actions_created} action(s)"
    if result.updated or result.actions_created:
        return f"updated, {result.actions_created} new action(s)"
    return "unchanged"


def _cursors_save(state: ProviderState, cursors: dict) -> None:
    if cursors != state.cursors:
        state.cursors = cursors
        # Renew the lease too: a long run is still alive.
        state.lease_until = lease_end()
        state.save(update_fields=["cursors", "lease_until"])


def _finish(run, state, outcome: str, error: str, *, paused_until=None) -> None:
    now = timezone.now()
    run.outcome, run.error, run.finished_at = outcome, error, now
    run.save()
    state.last_run_at, state.lease_until = now, None
    state.paused_until = paused_until
    if outcome == RunOutcome.OK:
        state.last_success_at, state.last_error = now, ""
    elif error:
        state.last_error = error
    state.save(
        update_fields=[
            "last_run_at",
            "lease_until",
            "paused_until",
            "last_success_at",
            "last_error",
        ]
    )
