"""Celery tasks of source monitoring: thin wrappers around services (schedules: tracker/celery.py)."""

import logging

from celery import shared_task
from django.conf import settings

from tracker.monitoring import services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def check_sources(source_ids: list[int]) -> list[str | None]:
    """Check each source; the outcomes (None: skipped) are returned for callers that ask."""
    # Half the soft time limit: a chunk of slow hosts hands its rest back well before it.
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    results = services.sources_check(source_ids=source_ids, budget_seconds=budget)
    for result in results:
        if result.outcome is None:
            logger.info("source %s not checked: %s", result.source_id, result.skipped)
    return [result.outcome for result in results]


@shared_task(ignore_result=True)
def sources_dispatch_due() -> int:
    return len(services.sources_dispatch())


@shared_task(ignore_result=True)
def checks_purge() -> int:
    return services.checks_purge()


@shared_task(ignore_result=True)
def curators_digest_send() -> int:
    return services.curators_digest_send()
