"""Locks shared by every worker through Redis: per-host politeness and per-source claims.

Politeness: at most one request at a time per host (a lock with an expiry, so a dead worker
cannot hold it), and at least MONITORING_HOST_SPACING_SECONDS between the end of one request
and the start of the next (a key that lives that long after each release).

Claims: one check of a source at a time, whoever queued it (the dispatcher, "check now",
the command): a key per source set only if absent, in Redis rather than a row update, so a
check writes one row less; a task claims its whole chunk of sources in one round trip.
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


# Give back the claims this run still holds (one may have expired and be another's by now).
_CLAIMS_RELEASE = """
for _, key in ipairs(KEYS) do
  if redis.call('get', key) == ARGV[1] then redis.call('del', key) end
end
return 1
"""


class SourceClaims:
    """The sources one run of checks holds (`held`), each until released or hold_seconds."""

    def __init__(self, client, token: str, held: set[int]):
        self._client, self._token, self.held = client, token, held

    def release(self, source_ids: list[int] | None = None) -> None:
        """Give back these claims (all when None), in one round trip."""
        ids = self.held if source_ids is None else self.held.intersection(source_ids)
        if not ids:
            return
        self.held = self.held - ids
        with contextlib.suppress(redis.RedisError):  # the claims expire on their own
            self._client.eval(_CLAIMS_RELEASE, len(ids), *map(_claim_key, ids), self._token)


def _claim_key(source_id: int) -> str:
    return f"monitoring:source:{source_id}:claim"


def sources_claim(source_ids: list[int], *, hold_seconds: float) -> SourceClaims:
    """Claim each source that no other check holds, all in one round trip.

    A claim expires after hold_seconds, so a worker that dies cannot keep it. Raises
    LocksUnavailable when Redis cannot be reached.
    """
    client = redis_client()
    token = uuid.uuid4().hex
    try:
        with client.pipeline(transaction=False) as pipe:
            for source_id in source_ids:
                pipe.set(_claim_key(source_id), token, nx=True, px=int(hold_seconds * 1000))
            answers = pipe.execute()
    except redis.RedisError as exc:
        raise LocksUnavailable(f"Redis unavailable: {exc.__class__.__name__}: {exc}") from None
    held = {source_id for source_id, ok in zip(source_ids, answers, strict=True) if ok}
    return SourceClaims(client, token, held)


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
