"""JSON API v1: thin views over the selectors; every read goes through public_read."""

import datetime
import json

from django.core.exceptions import RequestDataTooBig
from django.core.paginator import EmptyPage, Paginator
from django.http import HttpResponse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.views.decorators.csrf import csrf_exempt

from jurisdictions import selectors, serializers
from jurisdictions.models import Category, Level, Rule, Status
from jurisdictions.pointintime import OnMalformed, as_in_force_on, on_parse
from tracker.lib.params import bounded_int
from tracker.public import apiaccess, sellers
from tracker.public.openapi import openapi_document
from tracker.public.responses import (
    Methods,
    api_error,
    api_rendered,
    csv_response,
    endpoint,
    json_response,
    public_read,
)
from tracker.public.search import Kind, place_search, resolution_data

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
# Far past the last page of any listing (a past-the-end page within it is a 404).
MAX_PAGE = 1_000_000
CHANGES_LIMIT = 200
MAX_QUERY = 200
CHECK_BODY = 'The body must be a JSON object {"items": [{"zip": "92101", "category": "leaf"}, …]}.'
UNENCODABLE = "The body holds text that is not valid Unicode (a lone surrogate such as \\ud800)."
api_read = public_read(api=True, rate_limited=True)


class BadInput(ValueError):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _choice(request, name: str, choices: list[str]) -> str | None:
    value = request.GET.get(name)
    if value is None:
        return None
    if value not in choices:
        raise BadInput(f"invalid_{name}", f"{name} must be one of: {', '.join(choices)}.")
    return value


def _positive_int(request, name: str, default: int, maximum: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    value = bounded_int(raw, minimum=1, maximum=maximum)
    if value is None:
        raise BadInput(f"invalid_{name}", f"{name} must be a whole number from 1 to {maximum}.")
    return value


def _since(request) -> datetime.datetime | None:
    return moment_param(request.GET.get("since"), "since")


def moment_param(raw: str | None, name: str) -> datetime.datetime | None:
    """A date or date-time parameter as an aware UTC moment; BadInput when malformed."""
    if raw is None:
        return None
    try:
        moment = parse_datetime(raw)
        day = None if moment else parse_date(raw)
    except ValueError:
        moment = day = None
    if moment is None and day is not None:
        moment = datetime.datetime.combine(day, datetime.time.min)
    if moment is None:
        raise BadInput(
            f"invalid_{name}", f"{name} must be an ISO 8601 date or date-time, e.g. 2026-11-01."
        )
    # In UTC: PostgreSQL refuses some offsets Python accepts (e.g. -18:41).
    try:
        return (
            make_aware(moment, datetime.UTC)
            if is_naive(moment)
            else moment.astimezone(datetime.UTC)
        )
    except OverflowError:
        raise BadInput(f"invalid_{name}", f"{name} is out of range.") from None


def _on(request) -> datetime.date | None:
    try:
        return on_parse(request.GET.get("on"))
    except OnMalformed as error:
        raise BadInput("invalid_on", str(error)) from None


def _bad_input_as_error(view):
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadInput as error:
            return api_error(error.status, error.code, error.message)

    wrapper.__name__ = view.__name__
    return wrapper


def _required_category(request) -> str:
    category = _choice(request, "category", Category.values)
    if category is None:
        raise BadInput("missing_category", f"category is required: {', '.join(Category.values)}.")
    return category


def _get_or_error(code: str):
    jurisdiction = selectors.jurisdiction_get(code=code)
    if jurisdiction is None:
        raise BadInput("not_found", f"No jurisdiction has the code or OCD id {code!r}.", 404)
    return jurisdiction


@api_read
@_bad_input_as_error
def jurisdictions_list(request):
    level = _choice(request, "level", Level.values)
    status = _choice(request, "status", Status.values)
    category = _choice(request, "category", Category.values)
    rule = _choice(request, "rule", Rule.values)
    page_number = _positive_int(request, "page", 1, MAX_PAGE)
    per_page = _positive_int(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    parent = None
    if "parent" in request.GET:
        parent = _get_or_error(request.GET["parent"])
    queryset = selectors.jurisdictions_filter(
        level=level, parent=parent, status=status, category=category, rule=rule
    )
    return page_response(
        queryset,
        page_number=page_number,
        per_page=per_page,
        serialize=serializers.jurisdiction_data,
    )


def page_response(queryset, *, page_number: int, per_page: int, serialize, **fields):
    """One page of a list: count, page, per_page and pages, then `fields`, then the results
    (each row through `serialize`). A page past the last is a 404 error."""
    paginator = Paginator(queryset, per_page, allow_empty_first_page=True)
    try:
        page = paginator.page(page_number)
    except EmptyPage:
        raise BadInput(
            "page_not_found", f"page must be at most {paginator.num_pages}.", 404
        ) from None
    return json_response(
        {
            "count": paginator.count,
            "page": page.number,
            "per_page": per_page,
            "pages": paginator.num_pages,
            **fields,
            "results": [serialize(row) for row in page.object_list],
        }
    )


@api_read
@_bad_input_as_error
def jurisdiction_detail(request, code):
    on = _on(request)
    jurisdiction = _get_or_error(code)
    children = selectors.jurisdiction_children(jurisdiction=jurisdiction)
    if on is not None:
        as_in_force_on([jurisdiction, *children], on)
    return json_response(serializers.jurisdiction_detail_data(jurisdiction, children))


@api_read
@_bad_input_as_error
def jurisdiction_history(request, code):
    jurisdiction = _get_or_error(code)
    versions = selectors.jurisdiction_history(jurisdiction=jurisdiction)
    return json_response(
        {
            "jurisdiction": serializers.jurisdiction_link_data(jurisdiction),
            "versions": [serializers.version_data(version) for version in versions],
        }
    )


@api_read
@_bad_input_as_error
def lookup(request):
    raw = request.GET.get("zip", "")
    on = _on(request)
    try:
        answer = selectors.zip_lookup(zip_code=raw, on=on)
    except selectors.ZipMalformed as error:
        return api_error(400, "invalid_zip", str(error))
    except selectors.ZipUnknown as error:
        return api_error(404, "unknown_zip", str(error))
    return json_response(serializers.zip_answer_data(answer))


@api_read
def search(request):
    """The search box's answer: a ZIP, one place, choices, close spellings, or what was tried."""
    query = request.GET.get("q", "")
    if not query.strip():
        return api_error(400, "missing_q", "q is required: a place name, a code or a US ZIP code.")
    if len(query) > MAX_QUERY:
        return api_error(400, "invalid_q", f"q must be at most {MAX_QUERY} characters.")
    resolution = place_search(query=query)
    if resolution.kind == Kind.INVALID_ZIP:
        return api_error(400, "invalid_zip", resolution.message)
    return json_response(resolution_data(resolution))


@api_read
@_bad_input_as_error
def changes(request):
    """Without since: the latest versions, newest first. With since: versions from then on,
    oldest first, and next_since to continue from (the last entry may repeat: use its id)."""
    since = _since(request)
    versions = selectors.changes_list(
        since=since, limit=CHANGES_LIMIT, oldest_first=since is not None
    )
    more = since is not None and len(versions) == CHANGES_LIMIT
    return json_response(
        {
            "since": since.isoformat() if since else None,
            "limit": CHANGES_LIMIT,
            "next_since": versions[-1].confirmed_at.isoformat() if more else None,
            "results": [serializers.change_data(version) for version in versions],
        }
    )


@api_read
def export_json(request):
    rows = [serializers.export_row(j) for j in selectors.export_rows()]
    return json_response({"columns": serializers.EXPORT_COLUMNS, "jurisdictions": rows})


@api_read
def export_csv(request):
    rows = (serializers.export_row(j) for j in selectors.export_rows())
    return csv_response(serializers.EXPORT_COLUMNS, rows, "kratom-status.csv")


def _encodable(body) -> bool:
    """False when the parsed JSON holds text UTF-8 cannot encode: a lone surrogate (an escape
    such as `\\ud800`, or its raw bytes, which json.loads lets through) would otherwise fail
    only when echoed in the answer."""
    try:
        json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def _check_items(request) -> list:
    """The items of a batch check's body; BadInput (400, 413) when the body is not one."""
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        raise BadInput("body_too_large", "The body is too large.", 413) from None
    except (ValueError, RecursionError):
        raise BadInput("invalid_body", f"The body is not JSON. {CHECK_BODY}") from None
    if not _encodable(body):
        raise BadInput("invalid_body", UNENCODABLE)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise BadInput("invalid_body", CHECK_BODY)
    if len(items) > sellers.MAX_BATCH_ITEMS:
        message = (
            f"A batch holds at most {sellers.MAX_BATCH_ITEMS} items; this one has {len(items)}."
        )
        raise BadInput("too_many_items", message, 413)
    return items


# A browser on a seller's site may call it: a JSON body and an API key need a preflight.
CHECK_METHODS = Methods(
    ("POST",),
    api=True,
    refusal="Send the batch with POST.",
    request_headers="Content-Type, Authorization",
)


@endpoint(CHECK_METHODS)
@_bad_input_as_error
def check(request):
    """The batch check: read-only, so safe to retry; items count toward the rate limit."""
    caller = apiaccess.api_caller(request, batch=True)
    on = _on(request)
    items = _check_items(request)
    refusal = apiaccess.api_limit_refusal(caller, cost=max(1, len(items)))
    if refusal is not None:
        return refusal
    return _check_answer(request, items, on)


@api_rendered
def _check_answer(request, items: list, on: datetime.date | None):
    body = sellers.batch_check_json(items=items, on=on)
    return HttpResponse(
        body, content_type="application/json", headers={"Cache-Control": "no-store"}
    )


@api_read
@_bad_input_as_error
def restricted_zips_json(request):
    restricted = sellers.restricted_zips(category=_required_category(request), on=_on(request))
    return json_response(
        {
            **({"on": restricted.on_data()} if restricted.on else {}),
            "category": restricted.category,
            "count": len(restricted.zips),
            "zip_placement": sellers.ZIP_PLACEMENT,
            "notice": sellers.NOTICE,
            "columns": sellers.JSON_COLUMNS,
            "zips": restricted.json_rows(),
            "jurisdictions": restricted.jurisdictions,
        }
    )


@api_read
@_bad_input_as_error
def restricted_zips_csv(request):
    restricted = sellers.restricted_zips(category=_required_category(request), on=_on(request))
    # A comment line first: how ZIPs are placed matters to anyone shipping on this list.
    on = f"As in force on {restricted.on.isoformat()}. " if restricted.on else ""
    return csv_response(
        sellers.CSV_COLUMNS,
        restricted.csv_rows(),
        f"restricted-zips-{restricted.category}.csv",
        preamble=f"# {on}{sellers.ZIP_PLACEMENT} {sellers.NOTICE}\n",
    )


@public_read(api=True)
def openapi(request):
    return json_response(openapi_document())


@csrf_exempt
def not_found(request, rest=""):
    return api_error(404, "not_found", f"No API endpoint at {request.path}.")
