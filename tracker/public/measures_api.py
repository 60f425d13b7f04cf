"""API v1 for measures: /api/v1/measures and /api/v1/measures/{id}, through public_read."""

from jurisdictions.models import Category
from tracker.measures.models import Stage
from tracker.measures.public import (
    EXPORT_COLUMNS,
    NOT_LAW,
    measure_data,
    measure_detail_data,
    measure_export_row,
    measure_get,
    measures_export,
)
from tracker.measures.public import measures_filter as filtered
from tracker.public.api import (
    DEFAULT_PER_PAGE,
    MAX_PAGE,
    MAX_PER_PAGE,
    _bad_input_as_error,
    _choice,
    _get_or_error,
    _positive_int,
    api_read,
    moment_param,
    page_response,
)
from tracker.public.responses import api_error, csv_response, json_response


def _pending(request) -> bool:
    value = _choice(request, "pending", ["true", "false"])
    return value == "true"


@api_read
@_bad_input_as_error
def measures_list(request):
    jurisdiction = None
    if "jurisdiction" in request.GET:
        jurisdiction = _get_or_error(request.GET["jurisdiction"])
    queryset = filtered(
        jurisdiction=jurisdiction,
        stage=_choice(request, "stage", Stage.values),
        category=_choice(request, "category", Category.values),
        updated_since=moment_param(request.GET.get("updated_since"), "updated_since"),
        pending=_pending(request),
    )
    per_page = _positive_int(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    page_number = _positive_int(request, "page", 1, MAX_PAGE)
    return page_response(
        queryset, page_number=page_number, per_page=per_page, serialize=measure_data, notice=NOT_LAW
    )


@api_read
def measure_detail(request, pk):
    # Past PostgreSQL's integer range no row can match (and the query would fail).
    measure = measure_get(pk) if pk < 2**31 else None
    if measure is None:
        return api_error(404, "not_found", f"No public measure has the id {pk}.")
    return json_response(measure_detail_data(measure))


@api_read
def measures_export_json(request):
    rows = [measure_export_row(measure) for measure in measures_export()]
    return json_response({"columns": EXPORT_COLUMNS, "notice": NOT_LAW, "measures": rows})


@api_read
def measures_export_csv(request):
    rows = (measure_export_row(measure) for measure in measures_export())
    return csv_response(EXPORT_COLUMNS, rows, "kratom-measures.csv")
