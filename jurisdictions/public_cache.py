"""Rendered public responses (pages, API, feeds, badges), cached per data generation.

The status service bumps the generation when a change commits (status_record, _promote);
every cached body is keyed by it, so one confirmed change retires every cached answer at
once and the old entries simply expire. Two tiers: a bounded dictionary in each process
(a hit costs no network round trip) in front of the shared Redis cache. Each process
re-reads the generation from Redis at most every PUBLIC_CACHE_GENERATION_CHECK seconds, so
another process's change reaches it within that time; a change made in this process is
seen at once.
"""

import gzip
import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

GENERATION_KEY = "public:generation"
LOCAL_MAX_ENTRIES = 1024


# A body this long is also stored gzip-compressed, once, for clients that accept it: the
# restricted-ZIP lists and exports run to megabytes of CSV and JSON that compress tenfold.
GZIP_MIN_BYTES = 16 * 1024


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    content_type: str
    etag: str
    disposition: str = ""
    gzipped: bytes = b""  # empty when the body is short


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


class _LocalState:
    def __init__(self):
        self.lock = threading.Lock()
        self.generation: str | None = None
        self.generation_read_at = 0.0
        self.entries: OrderedDict[str, CachedResponse] = OrderedDict()

    def get(self, key: str) -> CachedResponse | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: CachedResponse) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > LOCAL_MAX_ENTRIES:
                self.entries.popitem(last=False)


_local = _LocalState()


def public_cache_forget_local() -> None:
    """Drop this process's copies (tests call it after emptying Redis)."""
    with _local.lock:
        _local.entries.clear()
        _local.generation = None


def public_generation() -> str:
    """The current data generation; a fresh one is made when Redis has none."""
    now = time.monotonic()
    if (
        _local.generation is not None
        and now - _local.generation_read_at < settings.PUBLIC_CACHE_GENERATION_CHECK
    ):
        return _local.generation
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex[:16], timeout=None)
        generation = cache.get(GENERATION_KEY)
    _local.generation, _local.generation_read_at = generation, now
    return generation


def public_generation_bump() -> None:
    """Retire every cached public response; called by the status service after commit."""
    generation = uuid.uuid4().hex[:16]
    try:
        cache.set(GENERATION_KEY, generation, timeout=None)
    except redis.RedisError:
        # The change is committed; only the cache is behind. Entries expire on their own.
        log.exception("Could not bump the public cache generation")
        return
    _local.generation, _local.generation_read_at = generation, time.monotonic()


def _full_key(key: str) -> str:
    # Hashed: request paths can be long or hold characters a cache key should not.
    digest = hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    return f"public:{public_generation()}:{digest}"


def cached_response_get(key: str) -> CachedResponse | None:
    """The cached response for key, or None (also when Redis fails: the caller renders)."""
    try:
        full_key = _full_key(key)
        entry = _local.get(full_key)
        if entry is None:
            entry = cache.get(full_key)
            if entry is not None:
                _local.put(full_key, entry)
        return entry
    except redis.RedisError:
        log.exception("Public cache read failed; rendering without the cache")
        return None


def cached_response_put(
    key: str, *, body: bytes, content_type: str, disposition: str = ""
) -> CachedResponse:
    entry = CachedResponse(
        body=body,
        content_type=content_type,
        etag=etag_for(body),
        disposition=disposition,
        # mtime=0: the same body always compresses to the same bytes.
        gzipped=gzip.compress(body, compresslevel=6, mtime=0)
        if len(body) >= GZIP_MIN_BYTES
        else b"",
    )
    try:
        full_key = _full_key(key)
        cache.set(full_key, entry, timeout=settings.PUBLIC_CACHE_TIMEOUT)
        _local.put(full_key, entry)
    except redis.RedisError:
        log.exception("Public cache write failed; the response is served uncached")
    return entry
