"""Queueing checks: the dispatcher's claim of due sources, their queueing, and the purge of old
checks."""

import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracker.monitoring.models import Check, Source


def _lease_end(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(seconds=settings.MONITORING_CHECK_LEASE_SECONDS)


def sources_enqueue(*, source_ids: list[int], now: datetime.datetime | None = None) -> None:
    """Queue a check of each source once the transaction commits.

    Their next check moves to the end of a lease, so the dispatcher does not queue them again
    while they wait; the check itself sets the real next time (or the lease runs out and
    the dispatcher retries, if a worker died). Sources go MONITORING_CHECKS_PER_TASK to a
    task, so Celery's per-message cost is shared; each is still its own check.
    """
    from tracker.monitoring.tasks import check_sources  # tasks import the services

    now = now or timezone.now()
    source_ids = list(source_ids)
    Source.objects.filter(pk__in=source_ids).update(next_check_at=_lease_end(now))
    size = settings.MONITORING_CHECKS_PER_TASK
    chunks = [source_ids[i : i + size] for i in range(0, len(source_ids), size)]
    transaction.on_commit(partial(_send_chunks, chunks, check_sources))


def _send_chunks(chunks: list[list[int]], task) -> None:
    for chunk in chunks:
        task.delay(chunk)


@transaction.atomic
def sources_dispatch(
    *, now: datetime.datetime | None = None, limit: int | None = None
) -> list[int]:
    """Claim the sources that are due and queue a check of each. Returns their ids.

    SKIP LOCKED: a second dispatcher running at the same moment takes other rows (or none),
    never the same ones; the batch limit keeps a backlog from firing as one burst.
    """
    now = now or timezone.now()
    due = (
        Source.objects.due(now)
        .order_by("next_check_at")
        .select_for_update(skip_locked=True)
        .values_list("id", flat=True)
    )
    source_ids = list(due[: limit or settings.MONITORING_DISPATCH_BATCH])
    if source_ids:
        sources_enqueue(source_ids=source_ids, now=now)
    return source_ids


def checks_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete checks older than the retention period. Returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(
        days=settings.MONITORING_CHECK_RETENTION_DAYS
    )
    deleted, _by_model = Check.objects.older_than(cutoff).delete()
    return deleted
