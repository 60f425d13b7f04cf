"""What /healthz reports: database, Redis, beat's last tick, and the queue's length; and,
for information (never unhealthy), which measure providers run and when each last succeeded."""

import logging
import time

import redis
from django.conf import settings
from django.db import connection

from tracker.lib.redis import redis_client
from tracker.measures.selectors import providers_overview

logger = logging.getLogger(__name__)
BEAT_KEY = "tracker:beat:last-tick"
CELERY_QUEUE = "celery"


def beat_tick_record() -> None:
    redis_client().set(BEAT_KEY, f"{time.time():.0f}")


def _database_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # any driver error means "not healthy"; report it, never crash
        # The page is public: the error's class only; hosts and messages go to the log.
        logger.warning("healthz: database check failed", exc_info=True)
        return {"ok": False, "error": type(exc).__name__}


def _redis_checks() -> tuple[dict, dict, dict]:
    try:
        client = redis_client()
        client.ping()
        last_tick = client.get(BEAT_KEY)
        queue_length = client.llen(CELERY_QUEUE)
    except redis.RedisError as exc:
        logger.warning("healthz: Redis check failed", exc_info=True)
        error = type(exc).__name__
        down = {"ok": False, "error": "Redis is unavailable"}
        return {"ok": False, "error": error}, down, down
    beat = {"ok": False, "last_tick_age_seconds": None}
    if last_tick is not None:
        age = max(0, int(time.time() - float(last_tick)))
        beat = {"ok": age <= settings.HEALTH_BEAT_MAX_AGE_SECONDS, "last_tick_age_seconds": age}
    return {"ok": True}, beat, {"ok": True, "length": queue_length}


def health_report() -> dict:
    database = _database_check()
    redis_status, beat, queue = _redis_checks()
    checks = {"database": database, "redis": redis_status, "beat": beat, "queue": queue}
    return {
        "healthy": all(check["ok"] for check in checks.values()),
        "checks": checks,
        "measure_providers": _providers() if database["ok"] else None,
    }


def _providers() -> dict:
    # A provider that is off or behind is the curators' business, not a reason to restart.
    return {overview.code: overview.as_json() for overview in providers_overview()}
