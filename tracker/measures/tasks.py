"""Celery tasks of the measures: thin wrappers around the run service (schedules:
tracker/celery.py)."""

from celery import shared_task

from tracker.measures import sync


# An Open States run spaces its ~52 requests 6 s apart (10 a minute): longer than the
# default task limit, so this task has its own.
@shared_task(ignore_result=True, time_limit=3600, soft_time_limit=3300)
def measures_sync(provider: str) -> str | None:
    """Run one provider; its outcome, or None when it is off or another run holds it."""
    run = sync.provider_run(provider=provider)
    return run.outcome if run else None
