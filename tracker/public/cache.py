"""Rendered public responses (pages, API, feeds, badges), cached per data generation.

Every cached body is keyed by the data generation (jurisdictions.generation), so one
confirmed change retires every cached answer at once and the old entries simply expire. Two
tiers: a bounded dictionary in each process (a hit costs no network round trip) in front of
the shared Redis cache.
"""

import gzip
import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache

from jurisdictions.generation import public_generation, public_generation_forget_local

log = logging.getLogger(__name__)

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


class _LocalEntries:
    def __init__(self):
        self.lock = threading.Lock()
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


_local = _LocalEntries()


def public_cache_forget_local() -> None:
    """Drop this process's copies (tests call it after emptying Redis)."""
    with _local.lock:
        _local.entries.clear()
    public_generation_forget_local()


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
