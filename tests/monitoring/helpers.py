import time

import redis
from django.conf import settings


def wait_for(predicate, *, timeout: float = 60, what: str = "the condition"):
    """Poll until predicate() is truthy (work done by another process); fail after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def queued_tasks() -> list[bytes]:
    """Messages waiting on the tests' Celery queue (Redis list "celery")."""
    return redis.Redis.from_url(settings.REDIS_URL).lrange("celery", 0, -1)
