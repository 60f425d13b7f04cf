"""A per-client fixed-window rate limit kept in Redis, shared by every web process.

To keep Redis off the hot path, a process claims a batch of a client's allowance at once
(INCRBY) and spends it locally. The batch is a fiftieth of the limit (1 for limits under
100), so a process over-claims at most 2% of a client's allowance per window.
"""

import hashlib
import logging
import math
import threading
import time
from urllib.parse import urlsplit

import redis
from django.conf import settings

from tracker.lib.redis import redis_client

log = logging.getLogger(__name__)

MAX_BATCH = 1000
BATCH_FRACTION = 50  # batch = limit // 50
DAY = 24 * 3600


class _Allowance:
    """Requests this process may still let through, per (bucket, client, window slot)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.slot: dict[int, int] = {}
        self.left: dict[tuple, int] = {}

    def take(self, key: tuple, window: int, slot: int, cost: int = 1) -> bool:
        with self.lock:
            if self.slot.get(window) != slot:  # a new window: forget the old allowances
                self.left = {k: v for k, v in self.left.items() if k[-2] != window}
                self.slot[window] = slot
            if self.left.get(key, 0) >= cost:
                self.left[key] -= cost
                return True
            return False

    def grant(self, key: tuple, count: int) -> int:
        """Add count to what is left here; returns the new total."""
        with self.lock:
            self.left[key] = self.left.get(key, 0) + count
            return self.left[key]


_allowance = _Allowance()


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the X-Forwarded-For entry our proxies added."""
    proxies = settings.RATE_LIMIT_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def same_origin(request) -> bool:
    """Whether a POST came from this site's own page (or says nothing of where it came from).

    For the cookie-free public forms (a correction, an API key request), which carry no CSRF
    token because their pages are shared cached bodies. The browser's `Sec-Fetch-Site` first,
    then `Origin`, or else the `Referer` (a browser that leaves out `Origin` still names the
    page that sent the form).
    """
    if request.META.get("HTTP_SEC_FETCH_SITE") == "cross-site":
        return False
    sender = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER")
    return sender is None or urlsplit(sender).netloc == request.get_host()


def address_limit_hit(*, bucket: str, email: str, limit: int) -> bool:
    """Count one mail to an address (case-insensitive) against `limit` a day; True when over.
    The address is hashed: no address is kept in Redis."""
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return rate_limit_hit(bucket=bucket, client=address, limit=limit, window=DAY) is not None


def rate_limit_hit(
    *, bucket: str, client: str, limit: int, window: int, cost: int = 1
) -> int | None:
    """Count one request (or `cost` units: a batch's items); return the seconds to wait when
    over the limit, else None.

    A Redis failure lets the request through (and is logged): the limit protects the
    service, and refusing every visitor because Redis blinked would defeat that.
    """
    now = time.time()
    slot = int(now // window)
    local_key = (bucket, client, limit, window, slot)
    if _allowance.take(local_key, window, slot, cost):
        return None
    batch = max(cost, min(MAX_BATCH, limit // BATCH_FRACTION))
    key = f"ratelimit:{bucket}:{client}:{slot}"
    try:
        pipe = redis_client().pipeline(transaction=False)
        pipe.incrby(key, batch)
        pipe.expire(key, window + 1)
        count = pipe.execute()[0]
    except redis.RedisError:
        log.exception("Rate limit check failed; letting the request through")
        return None
    granted = max(0, min(batch, limit - (count - batch)))
    # What was claimed stays here for smaller requests even when this one does not fit.
    if _allowance.grant(local_key, granted) < cost:
        return max(1, math.ceil((slot + 1) * window - now))
    _allowance.grant(local_key, -cost)
    return None
