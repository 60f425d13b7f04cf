"""A per-client fixed-window rate limit kept in Redis, shared by every web process."""

import logging
import math
import time
from functools import cache

import redis
from django.conf import settings

log = logging.getLogger(__name__)


@cache
def _client() -> redis.Redis:
    # One connection pool per process; a short timeout so a slow Redis cannot stall a page.
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the X-Forwarded-For entry our proxies added."""
    proxies = settings.RATE_LIMIT_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def rate_limit_hit(*, bucket: str, client: str, limit: int, window: int) -> int | None:
    """Count one request; return the seconds to wait when over the limit, else None.

    A Redis failure lets the request through (and is logged): the limit protects the
    service, and refusing every visitor because Redis blinked would defeat that.
    """
    now = time.time()
    slot = int(now // window)
    key = f"ratelimit:{bucket}:{client}:{slot}"
    try:
        pipe = _client().pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, window + 1)
        count = pipe.execute()[0]
    except redis.RedisError:
        log.exception("Rate limit check failed; letting the request through")
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((slot + 1) * window - now))
