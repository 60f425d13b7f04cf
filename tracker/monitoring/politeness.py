"""Locks shared by every worker through Redis: per-host politeness and per-source claims.

Politeness: at most one request at a time per host (a lock with an expiry, so a dead worker
cannot hold it), and at least MONITORING_HOST_SPACING_SECONDS between the end of one request
and the start of the next (a key that lives that long after each release).

Claims: one check of a source at a time, whoever queued it (the dispatcher, "check now",
the command): redis-py's Lock, in Redis rather than a row update, so a check writes one
row less.
"""

import contextlib
import random
import time
import uuid

import redis
from django.conf import settings

from tracker.lib.redis import redis_client

# Delete the host lock only if we still hold it (it may have expired and been taken by
# another), and start the spacing that must pass before the next request.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
if tonumber(ARGV[2]) > 0 then redis.call('set', KEYS[2], '1', 'PX', ARGV[2]) end
return 1
"""


class NotNow(Exception):
    """The check cannot run now and should be tried again shortly; not the source's fault."""


class HostBusy(NotNow):
    """The host's slot did not come free in time."""


class LocksUnavailable(NotNow):
    """Redis cannot be reached: neither politeness nor a single check can be promised."""


def _keys(host: str) -> tuple[str, str]:
    return f"monitoring:host:{host}:lock", f"monitoring:host:{host}:spacing"


@contextlib.contextmanager
def host_slot(host: str, *, hold_seconds: float):
    """Hold `host`'s slot for one request; raise HostBusy if it is not free within the wait.

    A Redis that cannot be reached raises LocksUnavailable: no request is sent.
    """
    if not settings.MONITORING_POLITENESS:
        yield
        return
    client = redis_client()
    lock_key, spacing_key = _keys(host)
    token = uuid.uuid4().hex
    spacing_ms = int(settings.MONITORING_HOST_SPACING_SECONDS * 1000)
    try:
        _acquire(client, lock_key, spacing_key, token, hold_seconds)
    except redis.RedisError as exc:
        raise LocksUnavailable(f"Redis unavailable: {exc.__class__.__name__}: {exc}") from None
    try:
        yield
    finally:
        with contextlib.suppress(redis.RedisError):  # the lock expires on its own
            client.eval(_RELEASE, 2, lock_key, spacing_key, token, spacing_ms)


@contextlib.contextmanager
def source_claim(source_id: int, *, hold_seconds: float):
    """Yield True while this check holds the source, False if another check holds it.

    The claim expires after hold_seconds, so a worker that dies cannot keep it.
    """
    claim = redis_client().lock(
        f"monitoring:source:{source_id}:claim", timeout=hold_seconds, blocking=False
    )
    try:
        claimed = claim.acquire()
    except redis.RedisError as exc:
        raise LocksUnavailable(f"Redis unavailable: {exc.__class__.__name__}: {exc}") from None
    try:
        yield claimed
    finally:
        if claimed:
            # LockError (a RedisError): it expired, and may be another check's by now.
            with contextlib.suppress(redis.RedisError):
                claim.release()


def _acquire(client, lock_key: str, spacing_key: str, token: str, hold_seconds: float) -> None:
    deadline = time.monotonic() + settings.MONITORING_HOST_WAIT_SECONDS
    hold_ms = int(hold_seconds * 1000)
    while True:
        if client.set(lock_key, token, nx=True, px=hold_ms):
            wait_ms = client.pttl(spacing_key)
            if wait_ms <= 0:
                return
            if time.monotonic() + wait_ms / 1000 <= deadline:
                time.sleep(wait_ms / 1000)
                return
            client.eval(_RELEASE, 2, lock_key, spacing_key, token, 0)
            break
        if time.monotonic() >= deadline:
            break
        time.sleep(random.uniform(0.05, 0.2))
    raise HostBusy(f"{lock_key.split(':')[2]} is busy with another request")
