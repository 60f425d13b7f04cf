"""Cached public reads answered in front of Django, with the bytes and headers Django sent.

A cached public answer (page, API, feed, badge) costs next to nothing to find, yet going
through Django (request object, middleware, URL resolution, the view's decorators,
response object) cost more than a one-view Django app. This WSGI layer answers a GET from
what it learned: when Django answers a public_read view from its cache (public_read
leaves a `Served` note in the request), the layer keeps the status line and the exact
header list Django sent, keyed by the request's context (Host, scheme, forwarded
protocol), its path and the parameters the views read (responses.cache_key), and the data
generation. The next such GET with the same context is answered here: the same headers,
so the security headers, CORS and Cache-Control are Django's own; the same per-client
limit, counted by the same code (a client over it goes to Django for the 429); a 304 for
a matching If-None-Match once Django has answered one. Everything else goes to Django:
other methods, an Authorization header (API keys), a path that is not plain ASCII, a new
generation (a confirmed change is seen on the next request, as in public_read), and any
answer whose headers depend on more than we key on (a Vary other than Accept-Encoding, a
Set-Cookie). Whether the client takes gzip is part of the key, so a long answer, stored
gzipped too (cache.GZIP_MIN_BYTES), is replayed in the coding Django chose for that client.
The table is bounded, and its key ignores parameters no view reads, so neither Host
headers nor query strings can grow it.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings

from jurisdictions.generation import public_generation
from tracker.public.responses import (
    SERVED,
    accepts_gzip,
    cache_key,
    etag_matches,
    limit_refusal,
)

MAX_ENTRIES = 1024
# A header that must never be replayed to another client.
NOT_REPLAYED = "set-cookie"
# The one Vary the key covers (by whether the client takes gzip).
VARY_KEYED = "accept-encoding"


@dataclass
class Learned:
    generation: str
    etag: str
    body: bytes
    api: bool
    rate_limited: bool
    expires: float
    # (status line, headers) as Django sent them; None until Django has sent one.
    answers: dict[int, tuple[str, list] | None] = field(
        default_factory=lambda: {200: None, 304: None}
    )


class FastPublicReads:
    """WSGI middleware in front of the public Django application (`app`)."""

    def __init__(self, app):
        self.app = app
        self._lock = threading.Lock()
        self._learned: OrderedDict[tuple, Learned] = OrderedDict()
        # What besides the path and query decides Django's answer: the host (and so
        # ALLOWED_HOSTS), and whether the request counts as secure (HSTS, SSL redirect).
        proxy_header = (settings.SECURE_PROXY_SSL_HEADER or ("",))[0]
        self._context = ("HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "wsgi.url_scheme",
                         "HTTP_X_FORWARDED_HOST", proxy_header)  # fmt: skip

    def __call__(self, environ, start_response):
        slot = self._slot(environ)
        if slot is None:
            return self.app(environ, start_response)
        answer = self._answer(slot, environ)
        if answer is None:
            return self._learn(slot, environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def _slot(self, environ) -> tuple | None:
        """The table key of a request the layer may answer, else None."""
        path = environ.get("PATH_INFO", "")
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or "HTTP_AUTHORIZATION" in environ
            or environ.get("SCRIPT_NAME")
            or not path.isascii()
            or "%" in path  # Django decodes it; the key must be the path Django sees
        ):
            return None
        try:
            key = cache_key(path, environ.get("QUERY_STRING", ""))
        except Exception:  # a flood of fields, say: Django gives the answer (400)
            return None
        gzip = accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))
        return (key, gzip, *(environ.get(name) for name in self._context))

    def _answer(self, slot: tuple, environ) -> tuple[str, list, bytes] | None:
        with self._lock:
            learned = self._learned.get(slot)
            if learned is not None:
                self._learned.move_to_end(slot)
        if learned is None or time.monotonic() > learned.expires:
            return None
        try:
            if learned.generation != public_generation():
                return None
        except Exception:  # Redis unavailable: Django logs it and answers uncached
            return None
        if etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), learned.etag):
            return self._replay(learned, 304, b"")  # a 304 is never counted
        if learned.answers[200] is None:
            return None  # not counted here: Django will
        request = SimpleNamespace(META=environ)
        refusal = limit_refusal(request, api=learned.api, rate_limited=learned.rate_limited)
        if refusal is not None:
            return None  # Django answers the 429, with its headers
        return self._replay(learned, 200, learned.body)

    @staticmethod
    def _replay(learned: Learned, code: int, body: bytes):
        answer = learned.answers[code]
        return None if answer is None else (*answer, body)

    def _learn(self, slot: tuple, environ, start_response):
        """Let Django answer, and keep its answer if it was a cached public read."""
        try:
            generation = public_generation()  # read before: a change during the request
        except Exception:  # ... makes the note stale, never the reverse
            generation = None
        sent = {}

        def capture(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        served = environ.get(SERVED)
        if served is not None and generation is not None and served.key == slot[0]:
            self._keep(slot, served, generation, sent["status"], sent["headers"])
        return result

    def _keep(self, slot: tuple, served, generation: str, status: str, headers: list) -> None:
        code = int(status.split(" ", 1)[0])
        names = {name.lower(): value for name, value in headers}
        # The representation Django chose for this slot's clients (responses._representation).
        gzipped = bool(slot[1] and served.entry.gzipped)
        body = served.entry.gzipped if gzipped else served.entry.body
        coding = "gzip" if gzipped and code == 200 else ""
        length = str(len(body) if code == 200 else 0)
        if (
            code not in (200, 304)
            or NOT_REPLAYED in names
            or names.get("vary", VARY_KEYED).lower() != VARY_KEYED
            or names.get("content-encoding", "") != coding
            or names.get("content-length", length) != length
        ):
            return
        with self._lock:
            learned = self._learned.get(slot)
            if learned is None or (learned.generation, learned.etag) != (
                generation,
                served.entry.etag,
            ):
                learned = Learned(
                    generation=generation,
                    etag=served.entry.etag,
                    body=body,
                    api=served.api,
                    rate_limited=served.rate_limited,
                    expires=time.monotonic() + settings.PUBLIC_CACHE_TIMEOUT,
                )
                self._learned[slot] = learned
            learned.answers[code] = (status, list(headers))
            self._learned.move_to_end(slot)
            while len(self._learned) > MAX_ENTRIES:
                self._learned.popitem(last=False)
