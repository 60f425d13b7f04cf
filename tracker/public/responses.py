"""The public endpoints' pipeline, in steps each endpoint composes, and the shapes of their
answers.

The steps: method and CORS (Methods, endpoint), the API caller (apiaccess.api_caller),
cache and ETag (cached_read), limits (limit_refusal, apiaccess.api_limit_refusal), render
(api_rendered). public_read composes all five for a read; the sellers' batch check
(api.check) takes the same method and CORS, caller, limit and render steps, without the
cache.
"""

import csv
import io
import json
import logging
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseNotModified, QueryDict
from django.utils.cache import patch_vary_headers

from tracker.lib.ratelimit import client_address, rate_limit_hit
from tracker.public.cache import CachedResponse, cached_response_get, cached_response_put

log = logging.getLogger(__name__)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
}


def json_body(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(data, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    return HttpResponse(
        json_body(data), status=status, content_type="application/json", headers=headers
    )


def _csv_cell(value):
    # JSON's spelling, so a CSV row reads as its JSON twin does (false, not False; null empty).
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def csv_response(columns: list[str], rows, filename: str, *, preamble: str = "") -> HttpResponse:
    """A bulk export as a CSV attachment: the preamble (comment lines), the header row, then
    one line per row dict."""
    buffer = io.StringIO()
    buffer.write(preamble)
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({name: _csv_cell(value) for name, value in row.items()})
    return HttpResponse(
        buffer.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def api_error(status: int, code: str, message: str, *, headers: dict | None = None):
    """The API's one error shape: {"error": {"code", "message"}}, never cached."""
    response = json_response({"error": {"code": code, "message": message}}, status=status)
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# Every query parameter a public view reads (a test checks the views against it). The
# cache key holds these only: `/?cb=1`, `/?cb=2`, … are the same page, stored once.
QUERY_PARAMETERS = frozenset(
    {
        "q",
        "zip",
        "level",
        "status",
        "parent",
        "page",
        "per_page",
        "since",
        "category",
        "rule",
        "map",
        "on",
        "jurisdiction",
        "stage",
        "updated_since",
        "pending",
        "state",
    }
)


def cache_key(path: str, query_string: str) -> str:
    """The path and the parameters a view reads, in a canonical order (`/j/US-TX/?cb=1` is
    `/j/US-TX/`, not a key of its own). query_string as WSGI gives it; parsed as Django
    parses request.GET, so a flood of fields raises TooManyFieldsSent here too."""
    if not query_string:
        return path
    fields = QueryDict(query_string.encode("iso-8859-1")).lists()
    known = sorted((name, values) for name, values in fields if name in QUERY_PARAMETERS)
    return f"{path}?{urlencode(known, doseq=True)}" if known else path


def _page_rate_limited(request) -> int | None:
    """Seconds to wait when this client is over the pages' limit, else None (the API's limit
    is the caller's: see tracker.public.apiaccess)."""
    return rate_limit_hit(
        bucket="pages",
        client=client_address(request),
        limit=settings.PAGE_RATE_LIMIT,
        window=settings.PAGE_RATE_LIMIT_WINDOW,
    )


def limit_refusal(request, *, api: bool, rate_limited: bool, caller=None):
    """The 429 a read gets when its client is over their limit, else None (the read is then
    counted). caller: the API caller already known (an anonymous one when None)."""
    from tracker.public.apiaccess import anonymous_caller, api_limit_refusal

    if rate_limited:
        return api_limit_refusal(caller or anonymous_caller(request))
    if not api:
        wait = _page_rate_limited(request)
        if wait is not None:
            return _page_too_many_requests(wait)
    return None


def _page_too_many_requests(wait: int):
    return HttpResponse(
        f"Too many requests from your address: try again in {wait} seconds.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
        headers={"Retry-After": str(wait), "Cache-Control": "no-store"},
    )


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names etag (or *)."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in tags or "*" in tags


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header value takes gzip (the fast path keys on it too)."""
    for coding in accept_encoding.split(","):
        name, _, parameters = coding.partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        quality = parameters.strip().lower().removeprefix("q=")
        try:
            return not parameters.strip() or float(quality) > 0
        except ValueError:
            return False
    return False


def _representation(request, entry) -> tuple[bytes, str, str]:
    """(body, ETag, Content-Encoding) for this client: the gzipped body when there is one
    and the client accepts it. Its ETag is the body's, weak (the same content, another
    coding), so If-None-Match works with either."""
    if entry.gzipped and accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        return entry.gzipped, f"W/{entry.etag}", "gzip"
    return entry.body, entry.etag, ""


@dataclass(frozen=True)
class Served:
    """What public_read answered a GET with, for the WSGI fast path to learn from
    (tracker.public.fastpath): left in request.META under SERVED."""

    key: str
    entry: CachedResponse
    api: bool
    rate_limited: bool


SERVED = "jurisdictions.public_read.served"


def _entry_answer(request, served: Served, if_none_match: str):
    """A cached entry's answer: a 304 when If-None-Match names its ETag, else its body in the
    client's coding. A GET's is noted in request.META for the fast path."""
    entry = served.entry
    body, etag, coding = _representation(request, entry)
    if etag_matches(if_none_match, entry.etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=entry.content_type)
        if entry.disposition:
            response["Content-Disposition"] = entry.disposition
        if coding:
            response["Content-Encoding"] = coding
    if entry.gzipped:
        patch_vary_headers(response, ["Accept-Encoding"])
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}"
    if request.method == "GET":
        request.META[SERVED] = served
    return response


class Refused(Exception):
    """Raised by a step that answers instead of the view (a bad API key's 401); the endpoint
    sends its response."""

    def __init__(self, response: HttpResponse):
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True)
class Methods:
    """The methods an endpoint takes. An API endpoint also answers CORS preflights (OPTIONS),
    refuses other methods with the API's JSON 405 and sends CORS headers with every answer;
    a page refuses them with a plain 405."""

    allowed: tuple[str, ...]
    api: bool = False
    refusal: str = ""  # the API's 405 message
    request_headers: str = ""  # what a cross-origin caller may send, for the preflight

    def answer(self, request) -> HttpResponse | None:
        """The answer to a preflight or to a method the endpoint does not take, else None."""
        if request.method in self.allowed:
            return None
        if not self.api:
            return HttpResponseNotAllowed(self.allowed)
        allow = ", ".join((*self.allowed, "OPTIONS"))
        if request.method == "OPTIONS":
            # Only a preflight needs to say which methods and headers are allowed.
            preflight = {
                "Access-Control-Allow-Methods": allow,
                "Access-Control-Allow-Headers": self.request_headers,
                "Access-Control-Max-Age": "86400",
            }
            return HttpResponse(status=204, headers=preflight)
        response = api_error(405, "method_not_allowed", self.refusal)
        response["Allow"] = allow
        return response

    def finish(self, response: HttpResponse) -> HttpResponse:
        if self.api:
            for name, value in CORS_HEADERS.items():
                response[name] = value
        return response


PAGE_READ = Methods(("GET", "HEAD"))
API_READ = Methods(
    ("GET", "HEAD"),
    api=True,
    refusal="Only GET is supported.",
    request_headers="If-None-Match, Authorization",
)


def endpoint(methods: Methods):
    """The method and CORS step around a view (whose steps may answer instead by raising
    Refused)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = methods.answer(request)
            if response is None:
                try:
                    response = view(request, *args, **kwargs)
                except Refused as refused:
                    response = refused.response
            return methods.finish(response)

        # Public endpoints read no cookies and take no form: CSRF does not apply, and a
        # method they do not take gets their 405.
        wrapper.csrf_exempt = True
        return wrapper

    return decorator


def api_rendered(view):
    """The render step of an API endpoint: a client gets JSON even when we fail; the
    traceback goes to the log."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Exception:
            log.exception("API view %s failed", view.__name__)
            return api_error(500, "internal_error", "Something went wrong on our side.")

    return wrapper


def cached_read(view, *, api: bool, rate_limited: bool):
    """The cache and ETag step, with the caller and the limits a read is under.

    The view runs only on a miss and only its 200 answers are cached. A revalidation that
    ends in 304 costs next to nothing and is not counted against the rate limit, so
    clients are encouraged to send If-None-Match.
    """
    # Here, not at the top: apiaccess answers with this module's api_error.
    from tracker.public.apiaccess import api_caller

    @wraps(view)
    def read(request, *args, **kwargs):
        caller = api_caller(request) if rate_limited else None
        key = cache_key(request.path, request.META.get("QUERY_STRING", ""))
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH", "")
        entry = cached_response_get(key)
        if entry is None or not etag_matches(if_none_match, entry.etag):
            refusal = limit_refusal(request, api=api, rate_limited=rate_limited, caller=caller)
            if refusal is not None:
                return refusal
        if entry is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            entry = cached_response_put(
                key,
                body=response.content,
                content_type=response["Content-Type"],
                disposition=response.get("Content-Disposition", ""),
            )
        return _entry_answer(request, Served(key, entry, api, rate_limited), if_none_match)

    return read


def public_read(*, api: bool = False, rate_limited: bool = False):
    """A public read (GET, HEAD): method and CORS, caller, cache and ETag, limits, render.

    api: an API endpoint (JSON errors, CORS); rate_limited: under the API caller's limit
    (else, for a page, the pages' limit).
    """

    def decorator(view):
        render = api_rendered(view) if api else view
        read = cached_read(render, api=api, rate_limited=rate_limited)
        return endpoint(API_READ if api else PAGE_READ)(read)

    return decorator
