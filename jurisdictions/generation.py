"""The data generation: a token that changes whenever a confirmed change to the law commits.

Anything built from the law (the public app's cached answers, the sellers' rules snapshot, the
place index) keys on it, so one confirmed change retires every copy at once. The status
service bumps it after commit. Each process re-reads it from Redis at most every
PUBLIC_CACHE_GENERATION_CHECK seconds, so another process's change reaches it within that
time; a change made in this process is seen at once.
"""

import logging
import threading
import time
import uuid

import redis
from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

GENERATION_KEY = "public:generation"


class _LocalGeneration:
    def __init__(self):
        self.lock = threading.Lock()
        self.value: str | None = None
        self.read_at = 0.0


_local = _LocalGeneration()


def public_generation_forget_local() -> None:
    """Forget this process's copy (tests call it after emptying Redis)."""
    with _local.lock:
        _local.value = None


def public_generation() -> str:
    """The current data generation; a fresh one is made when Redis has none."""
    now = time.monotonic()
    if _local.value is not None and now - _local.read_at < settings.PUBLIC_CACHE_GENERATION_CHECK:
        return _local.value
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex[:16], timeout=None)
        generation = cache.get(GENERATION_KEY)
    _local.value, _local.read_at = generation, now
    return generation


def public_generation_bump() -> None:
    """Retire everything cached from the law; called by the status service after commit."""
    generation = uuid.uuid4().hex[:16]
    try:
        cache.set(GENERATION_KEY, generation, timeout=None)
    except redis.RedisError:
        # The change is committed; only the caches are behind. Entries expire on their own.
        log.exception("Could not bump the public cache generation")
        return
    _local.value, _local.read_at = generation, time.monotonic()
