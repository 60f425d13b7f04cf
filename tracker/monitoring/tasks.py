"""Celery tasks of source monitoring: thin wrappers around services (schedules: tracker/celery.py)."""

import logging

from celery import shared_task

from tracker.monitoring import services
from tracker.monitoring.models import Source

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def check_source(source_id: int) -> str | None:
    try:
        result = services.source_check(source_id=source_id)
    except Source.DoesNotExist:
        logger.warning("source %s was deleted before its check ran", source_id)
        return None
    if result.outcome is None:
        logger.info("source %s not checked: %s", source_id, result.skipped)
    return result.outcome


@shared_task(ignore_result=True)
def sources_dispatch_due() -> int:
    return len(services.sources_dispatch())


@shared_task(ignore_result=True)
def checks_purge() -> int:
    return services.checks_purge()
