"""The one wrapper every public read goes through: cache, ETag/304, Cache-Control, CORS, rate limit."""

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

READ_METHODS = ("GET", "HEAD")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
}
# Only a preflight (OPTIONS) needs to say which methods and headers are allowed.
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, Authorization",
    "Access-Control-Max-Age": "86400",
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


def _accepts_gzip(request) -> bool:
    for coding in request.META.get("HTTP_ACCEPT_ENCODING", "").split(","):
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
    if entry.gzipped and _accepts_gzip(request):
        return entry.gzipped, f"W/{entry.etag}", "gzip"
    return entry.body, entry.etag, ""


def _entry_response(request, entry, response=None):
    """The response for a cached entry (a 304 when `response` is one), with its coding."""
    body, etag, coding = _representation(request, entry)
    if response is None:
        response = HttpResponse(body, content_type=entry.content_type)
        if entry.disposition:
            response["Content-Disposition"] = entry.disposition
        if coding:
            response["Content-Encoding"] = coding
    if entry.gzipped:
        patch_vary_headers(response, ["Accept-Encoding"])
    return response, etag


def _finish(response, *, etag: str | None, cors: bool):
    if etag:
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}"
    if cors:
        for name, value in CORS_HEADERS.items():
            response[name] = value
    return response


def _render(view, request, args, kwargs, *, api: bool):
    if not api:
        return view(request, *args, **kwargs)
    try:
        return view(request, *args, **kwargs)
    except Exception:
        # An API client gets JSON even when we fail; the traceback goes to the log.
        log.exception("API view %s failed", view.__name__)
        return api_error(500, "internal_error", "Something went wrong on our side.")


@dataclass(frozen=True)
class Served:
    """What public_read answered a GET with, for the WSGI fast path to learn from
    (tracker.public.fastpath): left in request.META under SERVED."""

    key: str
    entry: CachedResponse
    api: bool
    rate_limited: bool


SERVED = "jurisdictions.public_read.served"


def _served(request, key, entry, api: bool, rate_limited: bool, response, etag: str):
    if request.method == "GET":
        request.META[SERVED] = Served(key, entry, api, rate_limited)
    return _finish(response, etag=etag, cors=api)


def public_read(*, api: bool = False, rate_limited: bool = False):
    """Serve a read from the generation-keyed cache, answering 304 when the ETag matches.

    The view runs only on a miss and only its 200 answers are cached. A revalidation that
    ends in 304 costs next to nothing and is not counted against the rate limit, so
    clients are encouraged to send If-None-Match.
    """

    # Here, not at the top: apiaccess answers with this module's api_error.
    from tracker.public.apiaccess import InvalidApiKey, api_caller, invalid_key_response

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if api and request.method == "OPTIONS":
                return _finish(
                    HttpResponse(status=204, headers=PREFLIGHT_HEADERS), etag=None, cors=True
                )
            if request.method not in READ_METHODS:
                if not api:
                    return HttpResponseNotAllowed(READ_METHODS)
                response = api_error(405, "method_not_allowed", "Only GET is supported.")
                response["Allow"] = "GET, HEAD, OPTIONS"
                return _finish(response, etag=None, cors=True)
            caller = None
            if rate_limited:
                try:
                    caller = api_caller(request)
                except InvalidApiKey as error:
                    return _finish(invalid_key_response(error), etag=None, cors=api)
            key = cache_key(request.path, request.META.get("QUERY_STRING", ""))
            if_none_match = request.META.get("HTTP_IF_NONE_MATCH", "")
            entry = cached_response_get(key)
            if entry is not None and etag_matches(if_none_match, entry.etag):
                response, etag = _entry_response(request, entry, HttpResponseNotModified())
                return _served(request, key, entry, api, rate_limited, response, etag)
            refusal = limit_refusal(request, api=api, rate_limited=rate_limited, caller=caller)
            if refusal is not None:
                return _finish(refusal, etag=None, cors=api)
            if entry is None:
                response = _render(view, request, args, kwargs, api=api)
                if response.status_code != 200:
                    return _finish(response, etag=None, cors=api)
                entry = cached_response_put(
                    key,
                    body=response.content,
                    content_type=response["Content-Type"],
                    disposition=response.get("Content-Disposition", ""),
                )
                if etag_matches(if_none_match, entry.etag):
                    response, etag = _entry_response(request, entry, HttpResponseNotModified())
                    return _served(request, key, entry, api, rate_limited, response, etag)
            response, etag = _entry_response(request, entry)
            return _served(request, key, entry, api, rate_limited, response, etag)

        # The API reads no cookies, so CSRF does not apply; a write gets the JSON 405 above.
        wrapper.csrf_exempt = api
        return wrapper

    return decorator
