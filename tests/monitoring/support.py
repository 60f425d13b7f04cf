import time
from pathlib import Path

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
    """Messages waiting on the tests' Celery queue (Redis list "celery"), oldest first."""
    return redis.Redis.from_url(settings.REDIS_URL).lrange("celery", 0, -1)[::-1]


def peak_rss_kb(pid: int) -> int:
    """The process's peak resident set size so far (VmHWM), from the kernel."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc")
