"""The process's one Redis client for everything that is not the Django cache.

Rate limits, per-host politeness, source claims and the health check share it: one
connection pool per process (per REDIS_URL, so a test that points REDIS_URL elsewhere
gets a client of its own). Short timeouts: a slow Redis must not stall a page or a check;
every caller treats a RedisError as "Redis is unavailable".
"""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=4)
def _client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30
    )


def redis_client() -> redis.Redis:
    return _client_for(settings.REDIS_URL)
