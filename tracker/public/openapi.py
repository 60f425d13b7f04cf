"""The OpenAPI 3.1 description of API v1, served at /api/v1/openapi.json and tested by schemathesis."""

from functools import cache

from jurisdictions.models import (
    CATEGORY_COVERS,
    Category,
    DatePrecision,
    Level,
    Origin,
    Rule,
    Scope,
    Status,
)
from jurisdictions.selectors import CODE_RE, ZIP_RE
from tracker.public.search import Kind

REF = "#/components/schemas/"
# tracker.measures.models.Stage's values (this app does not import measures).
MEASURE_STAGES = [
    "introduced", "in_committee", "passed_one_chamber", "passed_both", "enacted", "vetoed",
    "failed", "proposed", "comment_period", "adopted", "in_force", "expired", "withdrawn",
    "unknown",
]  # fmt: skip


def _ref(name: str) -> dict:
    return {"$ref": REF + name}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


STR = {"type": "string"}
STATUS = {"type": "string", "enum": Status.values}
CATEGORY = {"type": "string", "enum": Category.values}
# Something other than digits, or a ZIP: digits alone that are not a ZIP (in any script) are 400.
SEARCH_QUERY = r"[^\s\d-]|^[0-9]{5}(-[0-9]{4})?$"
SEARCH_KINDS = [Kind.ZIP, Kind.PLACE, Kind.CHOICES, Kind.SUGGESTIONS, Kind.NONE]
PARTIAL_DATE = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}


def _object(properties: dict) -> dict:
    return {"type": "object", "required": list(properties), "properties": properties}


RULE_FIELDS = {
    "category": {"type": "string", "enum": Category.values},
    "rule": {"type": "string", "enum": Rule.values},
    "scope": _nullable({"type": "string", "enum": Scope.values}),
    "min_age": _nullable({"type": "integer"}),
    "limit": _nullable(STR),
}


def _rules(item: dict) -> dict:
    """One rule per product category, keyed by category."""
    properties = {
        category: {**item, "description": CATEGORY_COVERS[category]} for category in Category
    }
    return _object(properties)


# A product's rule at a ZIP code and the level that decided it: the lookup's and the batch
# check's (serializers.zip_rule_data).
ZIP_RULE_FIELDS = {
    **RULE_FIELDS,
    "decided_by": _nullable(_ref("JurisdictionLink")),
    "last_verified": _nullable(_ref("LastVerified")),
}
SCHEMAS = {
    "Error": _object(
        {"error": _object({"code": STR, "message": STR})},
    ),
    "Rule": {
        **_object(RULE_FIELDS),
        "description": "allowed / regulated / banned / unknown; scope only on a ban "
        "(sale, possession or unknown); a minimum age; a limit as the law words it.",
    },
    "Rules": _rules(_ref("Rule")),
    "LastVerified": {
        **_object(
            {
                "on": {"type": "string", "format": "date"},
                "by": {"type": "string", "enum": ["curator", "curated reference data"]},
                "age_days": {"type": "integer"},
                "stale": {"type": "boolean"},
            }
        ),
        "description": "When and by whom the status was last verified; stale past "
        "VERIFICATION_STALE_DAYS (the answer may be out of date: check the citations).",
    },
    "ZipRule": _object(ZIP_RULE_FIELDS),
    "Citation": _object({"title": STR, "url": STR, "text": STR}),
    "Version": _object(
        {
            "id": {"type": "integer"},
            "status": STATUS,
            "meaning": STR,
            "rules": _ref("Rules"),
            "summary": STR,
            "min_age": _nullable({"type": "integer"}),
            "seven_oh_rule": STR,
            "effective_date": _nullable(PARTIAL_DATE),
            "effective_date_precision": {"type": "string", "enum": DatePrecision.values},
            "citations": {"type": "array", "items": _ref("Citation")},
            "as_of": {"type": "string", "format": "date"},
            "origin": {"type": "string", "enum": Origin.values},
            "confirmed_at": {"type": "string", "format": "date-time"},
        }
    ),
    "JurisdictionLink": _object(
        {
            "code": STR,
            "name": STR,
            "level": {"type": "string", "enum": Level.values},
            "status": STATUS,
            "url": {"type": "string", "format": "uri"},
            "api_url": {"type": "string", "format": "uri"},
        }
    ),
}
JURISDICTION_FIELDS = {
    **SCHEMAS["JurisdictionLink"]["properties"],
    "parent": _nullable(STR),
    "ocd_id": _nullable(STR),
    "meaning": STR,
    "rules": _ref("Rules"),
    "effective_date": _nullable(PARTIAL_DATE),
    # "year": effective_date is "2026"; "month": "2026-07"; "day": a full date.
    "effective_date_precision": _nullable({"type": "string", "enum": DatePrecision.values}),
    "upcoming_status": _nullable(STATUS),
    "last_verified_on": _nullable({"type": "string", "format": "date"}),
}
PLACE = _object(
    {
        "level": {"type": "string", "enum": [Level.STATE, Level.COUNTY, Level.CITY]},
        "name": STR,
        "status": _nullable(STATUS),
        "rules": _nullable(_ref("Rules")),
        "jurisdiction": _nullable(_ref("JurisdictionLink")),
    }
)
SCHEMAS.update(
    {
        "Jurisdiction": _object(JURISDICTION_FIELDS),
        "JurisdictionDetail": _object(
            {
                **JURISDICTION_FIELDS,
                "current": _nullable(_ref("Version")),
                "upcoming": _nullable(_ref("Version")),
                "unverified_changes_from": {
                    "type": "array",
                    "items": {"type": "string", "format": "date"},
                    "description": "Dates of changes the current summary names that no "
                    "curator has verified or scheduled yet.",
                },
                "last_verified": _nullable(_ref("LastVerified")),
                "children": {"type": "array", "items": _ref("JurisdictionLink")},
                "baseline": _nullable(
                    _object(
                        {
                            "paragraphs": {"type": "array", "items": STR},
                            "provenance": {"type": "array", "items": STR},
                        }
                    )
                ),
                "notice": STR,
            }
        ),
        "JurisdictionPage": _object(
            {
                "count": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "pages": {"type": "integer", "minimum": 1},
                "results": {"type": "array", "items": _ref("Jurisdiction")},
            }
        ),
        "History": _object(
            {
                "jurisdiction": _ref("JurisdictionLink"),
                "versions": {"type": "array", "items": _ref("Version")},
            }
        ),
        "Place": PLACE,
        "ZipAnswer": _object(
            {
                "zip": {"type": "string", "pattern": r"^[0-9]{5}$"},
                "state": _ref("Place"),
                "counties": {"type": "array", "items": _ref("Place")},
                "cities": {"type": "array", "items": _ref("Place")},
                "answer": _object(
                    {"status": STATUS, "meaning": STR, "sentence": STR, "from": _ref("Place")}
                ),
                "rules": _rules(_ref("ZipRule")),
                "min_age": _nullable({"type": "integer"}),
                "notes": {"type": "array", "items": STR},
                "federal": _nullable(_ref("JurisdictionLink")),
                "notice": STR,
            }
        ),
        "Changes": _object(
            {
                "since": _nullable({"type": "string", "format": "date-time"}),
                "limit": {"type": "integer"},
                "next_since": _nullable({"type": "string", "format": "date-time"}),
                "results": {
                    "type": "array",
                    "items": _object(
                        {
                            "jurisdiction": _object(
                                {
                                    "code": STR,
                                    "name": STR,
                                    "level": {"type": "string", "enum": Level.values},
                                    "url": {"type": "string", "format": "uri"},
                                }
                            ),
                            "previous_status": _nullable(STATUS),
                            "previous_rules": _nullable(_ref("Rules")),
                            "changes": {"type": "array", "items": STR},
                            "version": _ref("Version"),
                        }
                    ),
                },
            }
        ),
        "Search": _object(
            {
                "query": STR,
                "kind": {"type": "string", "enum": SEARCH_KINDS},
                "zip": _nullable({"type": "string", "pattern": ZIP_RE.pattern}),
                "message": _nullable(STR),
                "results": {
                    "type": "array",
                    "items": _object(
                        {
                            "code": STR,
                            "name": STR,
                            "level": {"type": "string", "enum": Level.values},
                            "parent": _nullable(STR),
                            "status": STATUS,
                            "listed": {"type": "boolean"},
                            "via": _nullable(STR),
                            "url": {"type": "string", "format": "uri"},
                            "api_url": _nullable({"type": "string", "format": "uri"}),
                        }
                    ),
                },
                "tried": {"type": "array", "items": STR},
            }
        ),
        "CheckRule": _object(
            {**ZIP_RULE_FIELDS, "citations": {"type": "array", "items": _ref("Citation")}}
        ),
        "CheckAnswer": _object(
            {
                "count": {"type": "integer", "minimum": 0},
                "answered": {"type": "integer", "minimum": 0},
                "errors": {"type": "integer", "minimum": 0},
                "results": {
                    "type": "array",
                    "items": {
                        "oneOf": [
                            _object(
                                {
                                    "zip": STR,
                                    "category": _nullable(CATEGORY),
                                    "zip5": {"type": "string", "pattern": r"^[0-9]{5}$"},
                                    "place": _object(
                                        {"state": STR, "county": _nullable(STR), "city": STR}
                                    ),
                                    "rules": {
                                        "type": "object",
                                        "description": "One entry per category asked for "
                                        "(all four when the item names none)",
                                        "properties": {c: _ref("CheckRule") for c in Category},
                                        "additionalProperties": False,
                                    },
                                }
                            ),
                            _object(
                                {
                                    "zip": _nullable(STR),
                                    "category": _nullable(STR),
                                    "error": _object({"code": STR, "message": STR}),
                                }
                            ),
                        ]
                    },
                },
                "zip_placement": STR,
                "notice": STR,
            }
        ),
        "RestrictedZips": _object(
            {
                "category": CATEGORY,
                "count": {"type": "integer", "minimum": 0},
                "zip_placement": STR,
                "notice": STR,
                "columns": {"type": "array", "items": STR},
                "zips": {
                    "type": "array",
                    "description": "One row per ZIP, in ZIP order: the ZIP and the code of "
                    "the jurisdiction whose ban decides it (the CSV adds the place names)",
                    "items": {"type": "array", "items": STR},
                },
                "jurisdictions": {
                    "type": "object",
                    "description": "The deciding jurisdictions, by code",
                    "additionalProperties": _object(
                        {
                            "jurisdiction_name": STR,
                            "level": {"type": "string", "enum": Level.values},
                            "scope": _nullable({"type": "string", "enum": Scope.values}),
                            "citation": STR,
                            "verified_on": _nullable({"type": "string", "format": "date"}),
                        }
                    ),
                },
            }
        ),
        "Export": _object(
            {
                "columns": {"type": "array", "items": STR},
                "jurisdictions": {"type": "array", "items": {"type": "object"}},
            }
        ),
    }
)

READ_HEADERS = {
    "ETag": {"description": "Validator for If-None-Match", "schema": STR},
    "Cache-Control": {"schema": STR},
}
CODE_PARAM = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "An ISO 3166 code (US, US-TX, US-CA-SAN-DIEGO) or an OCD division id.",
    "schema": {"type": "string", "pattern": CODE_RE.pattern},
}
ETAG_PARAM = {"name": "If-None-Match", "in": "header", "required": False, "schema": STR}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


RATE_LIMITED = {
    **_error(
        "Too many requests from this client or API key (a batch counts its items), or a key's "
        "daily quota used up. Retry-After when waiting helps; none when a batch is larger than "
        "the whole limit (the message says a key is needed)"
    ),
    "headers": {"Retry-After": {"schema": {"type": "string", "pattern": r"^\d+$"}}},
}
BAD_KEY = {"401": _error("An Authorization header with a malformed, unknown or revoked key")}
# A key is optional: without one the public limit applies.
SECURITY = [{}, {"apiKey": []}]


def _read(
    summary: str, schema_name: str | None, *, params=(), errors=None, media="application/json"
) -> dict:
    content_schema = _ref(schema_name) if schema_name else STR
    responses = {
        "200": {
            "description": "OK",
            "headers": READ_HEADERS,
            "content": {media: {"schema": content_schema}},
        },
        "304": {"description": "Not modified (If-None-Match matched the ETag)"},
        "429": RATE_LIMITED,
        **BAD_KEY,
        **(errors or {}),
    }
    return {
        "get": {
            "summary": summary,
            "parameters": [*params, ETAG_PARAM],
            "responses": responses,
            "security": SECURITY,
        }
    }


def _query(name: str, schema: dict, description: str = "") -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


NOT_FOUND = {"404": _error("No jurisdiction with that code")}
ON_PARAM = _query(
    "on",
    {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    "YYYY-MM-DD: the law in force on that date (scheduled versions included); the answer "
    'says "as in force on" it, "uncertain" within a period known only to the year or month, '
    "and unknown (with the baseline) before the first version",
)
BAD_ON = {"400": _error("A malformed on date, or other malformed input")}


CATEGORY_PARAM = {**_query("category", CATEGORY, "The product category"), "required": True}
BAD_CATEGORY = {"400": _error("A missing or unknown category, or a malformed on date")}
# Any value is accepted as an item: one that is not {"zip": "…", "category": "…"} with a ZIP
# and a known category is answered with an item-level error, while the others are answered.
CHECK_ITEM = {
    "description": 'An object {"zip": a US ZIP or ZIP+4 code (digits 0-9), "category": one of '
    f"{', '.join(Category.values)}, or left out for all four}}; anything else is answered with "
    "an item-level error.",
    "examples": [{"zip": "92101", "category": "leaf"}, {"zip": "73301-0001"}],
}
CHECK = {
    "post": {
        "summary": "Check up to 1,000 ZIP codes × product categories in one call, answered in "
        "order; a malformed or unknown item gets an error of its own. Read-only: safe to retry.",
        "parameters": [ON_PARAM],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["items"],
                        "properties": {
                            # No maxItems: a longer batch is a 413 (documented below), not
                            # the 400 a schema violation would call for.
                            "items": {
                                "type": "array",
                                "items": CHECK_ITEM,
                                "description": "At most 1,000 items; a longer batch is a 413.",
                            }
                        },
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "One result per item, in order",
                "content": {"application/json": {"schema": _ref("CheckAnswer")}},
            },
            "400": _error("A body that is not JSON or has no items list, or a malformed on date"),
            **BAD_KEY,
            "405": _error("Only POST is supported"),
            "413": _error("More than 1,000 items, or a body too large"),
            "429": RATE_LIMITED,
        },
        "security": SECURITY,
    }
}


MEASURE_CHANGE = {
    "type": "string",
    "enum": ["allowed", "regulated", "banned", "unchanged", "unknown"],
}
MEASURE_FIELDS = {
    "id": {"type": "integer"},
    "jurisdiction": _object(
        {"code": STR, "name": STR, "level": {"type": "string", "enum": Level.values}}
    ),
    "kind": STR,
    "identifier": STR,
    "session": STR,
    "title": STR,
    "stage": STR,
    "stage_label": STR,
    "stage_date": _nullable({"type": "string", "format": "date"}),
    "failed": {"type": "boolean", "description": "Failed, vetoed, expired or withdrawn"},
    "next_date": _nullable({"type": "string", "format": "date"}),
    "next_date_kind": _nullable(
        {"type": "string", "enum": ["hearing", "comment_deadline", "effective", "expires"]}
    ),
    "would_change": _rules(MEASURE_CHANGE),
    "would_change_text": STR,
    "official_url": _nullable(STR),
    "source_url": _nullable(STR),
    "source": STR,
    "as_of": _nullable({"type": "string", "format": "date"}),
    "updated_at": {"type": "string", "format": "date-time"},
    "is_law": {"type": "boolean", "const": False},
    "notice": STR,
    "url": {"type": "string", "format": "uri"},
}
SCHEMAS["Measure"] = _object(MEASURE_FIELDS)
SCHEMAS["MeasureDetail"] = _object(
    {
        **MEASURE_FIELDS,
        "actions": {
            "type": "array",
            "items": _object(
                {
                    "date": _nullable({"type": "string", "format": "date"}),
                    "description": STR,
                    "stage": _nullable(STR),
                }
            ),
        },
    }
)
SCHEMAS["MeasurePage"] = _object(
    {
        "count": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1},
        "notice": STR,
        "results": {"type": "array", "items": _ref("Measure")},
    }
)
# The measures export's flat row: the API's fields with the place and would-change as cells.
_NESTED = ("jurisdiction", "would_change", "notice")
SCHEMAS["MeasureExport"] = _object(
    {
        "columns": {"type": "array", "items": STR},
        "notice": STR,
        "measures": {
            "type": "array",
            "items": _object(
                {
                    "jurisdiction_code": STR,
                    "jurisdiction_name": STR,
                    "jurisdiction_level": {"type": "string", "enum": Level.values},
                    **{f"would_change_{c}": MEASURE_CHANGE for c in Category.values},
                    **{k: v for k, v in MEASURE_FIELDS.items() if k not in _NESTED},
                }
            ),
        },
    }
)
PENDING = {
    **_rules({"type": "array", "items": _ref("Measure")}),
    "description": "Per category: public measures not yet in force that would change this "
    "answer, the soonest next date first. Not law.",
}
SCHEMAS["JurisdictionDetail"]["properties"].update(
    {"pending": PENDING, "scheduled": {"type": "array", "items": _ref("Version")}}
)
SCHEMAS["ZipAnswer"]["properties"].update(
    {
        "pending": PENDING,
        "scheduled": {
            "type": "array",
            "items": _object(
                {"jurisdiction": _ref("JurisdictionLink"), "version": _ref("Version")}
            ),
        },
    }
)
IN_FORCE_ON = {
    "type": "object",
    "description": "Only with ?on=: the date answered for, and how certain the answer is",
    "required": ["date", "label"],
    "properties": {
        "date": {"type": "string", "format": "date"},
        "label": STR,
        "certainty": {"type": "string", "enum": ["known", "uncertain", "unknown"]},
        "between": _nullable({"type": "array", "items": _nullable(_ref("Version"))}),
        "uncertain": {"type": "array", "items": STR},
        "note": STR,
    },
}
for _name in ("JurisdictionDetail", "ZipAnswer", "CheckAnswer", "RestrictedZips", "Place"):
    SCHEMAS[_name]["properties"]["on"] = IN_FORCE_ON
SCHEMAS["CheckRule"]["properties"].update(
    {
        "certainty": {"type": "string", "enum": ["known", "uncertain", "unknown"]},
        "uncertain_in": {"type": "array", "items": STR},
    }
)


@cache
def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Kratom legal status API",
            "version": "1.0.0",
            "description": "The legal status of kratom by jurisdiction, with citations and "
            "history. Information, not legal advice. Errors are "
            '{"error": {"code", "message"}}; reads carry ETag and Cache-Control and answer '
            "304 to If-None-Match; requests are rate-limited per client, or per API key sent as "
            "'Authorization: Bearer <key>' (429; 401 for a bad key). Large bodies are sent "
            "gzip-compressed to clients that accept it. Sellers: see /sellers/ for the batch "
            "check, the restricted-ZIP lists and a free API key.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/jurisdictions": _read(
                "List jurisdictions",
                "JurisdictionPage",
                params=[
                    _query("level", {"type": "string", "enum": Level.values}),
                    _query("parent", {"type": "string", "pattern": CODE_RE.pattern}, "Parent code"),
                    _query("status", STATUS),
                    _query(
                        "category",
                        {"type": "string", "enum": Category.values},
                        "Jurisdictions whose current rule for this product is `rule` (or, "
                        "without rule, is known)",
                    ),
                    _query(
                        "rule",
                        {"type": "string", "enum": Rule.values},
                        "e.g. category=7oh&rule=banned; without category: in any category",
                    ),
                    # The bounds of tracker.public.api (MAX_PAGE, MAX_PER_PAGE).
                    _query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000}),
                    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 200}),
                ],
                errors={
                    "400": _error("A malformed filter or page"),
                    "404": _error("Unknown parent, or a page past the end"),
                },
            ),
            "/api/v1/jurisdictions/{code}": _read(
                "One jurisdiction: current and upcoming status, citations, children",
                "JurisdictionDetail",
                params=[CODE_PARAM, ON_PARAM],
                errors={**NOT_FOUND, **BAD_ON},
            ),
            "/api/v1/jurisdictions/{code}/history": _read(
                "Every confirmed status version, newest first",
                "History",
                params=[CODE_PARAM],
                errors=NOT_FOUND,
            ),
            "/api/v1/lookup": _read(
                "Resolve a US ZIP code to its state, county and city statuses",
                "ZipAnswer",
                params=[
                    {
                        **_query("zip", {"type": "string", "pattern": ZIP_RE.pattern}),
                        "required": True,
                    },
                    ON_PARAM,
                ],
                errors={
                    "400": _error("A malformed ZIP code or on date"),
                    "404": _error("A ZIP code not in the offline data"),
                },
            ),
            "/api/v1/search": _read(
                "What a query names: kind zip (a ZIP code to look up), place (one answer), "
                "choices (several places match: never picked silently), suggestions (close "
                "spellings), or none (with what was tried)",
                "Search",
                params=[
                    {
                        **_query(
                            "q",
                            {"type": "string", "maxLength": 200, "pattern": SEARCH_QUERY},
                            "A place name, a code (TX, US-TX, GB), a place with its state "
                            "(Denver, CO) or a US ZIP code (digits 0-9)",
                        ),
                        "required": True,
                    }
                ],
                errors={"400": _error("No query, or a ZIP code not written in digits 0-9")},
            ),
            "/api/v1/changes": _read(
                "Recorded status versions: without since the latest 200, newest first; with "
                "since up to 200 from then on, oldest first, and next_since to continue",
                "Changes",
                params=[
                    _query(
                        "since",
                        {
                            "anyOf": [
                                {"type": "string", "format": "date"},
                                {"type": "string", "format": "date-time"},
                            ]
                        },
                        "ISO 8601 date or date-time",
                    )
                ],
                errors={"400": _error("A malformed date")},
            ),
            "/api/v1/check": CHECK,
            "/api/v1/restricted-zips.json": _read(
                "Every ZIP code where a product category is banned at any level, by ZIP",
                "RestrictedZips",
                params=[CATEGORY_PARAM, ON_PARAM],
                errors=BAD_CATEGORY,
            ),
            "/api/v1/restricted-zips.csv": _read(
                "The restricted-ZIP list as CSV (a # comment line, then the header row)",
                None,
                params=[CATEGORY_PARAM, ON_PARAM],
                errors=BAD_CATEGORY,
                media="text/csv",
            ),
            "/api/v1/measures": _read(
                "Public measures (bills, rules, notices, ordinances): what the law would "
                "become, never law; newest update first, or with pending=true the measures "
                "still in motion, soonest next date first",
                "MeasurePage",
                params=[
                    _query("jurisdiction", {"type": "string", "pattern": CODE_RE.pattern}),
                    _query("stage", {"type": "string", "enum": MEASURE_STAGES}),
                    _query("category", CATEGORY, "Measures that would change this product"),
                    _query(
                        "updated_since",
                        {
                            "anyOf": [
                                {"type": "string", "format": "date"},
                                {"type": "string", "format": "date-time"},
                            ]
                        },
                    ),
                    _query("pending", {"type": "string", "enum": ["true", "false"]}),
                    _query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000}),
                    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 200}),
                ],
                errors={
                    "400": _error("A malformed filter or page"),
                    "404": _error("Unknown jurisdiction, or a page past the end"),
                },
            ),
            "/api/v1/measures/{id}": _read(
                "One public measure with its dated actions",
                "MeasureDetail",
                params=[
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0},
                    }
                ],
                errors={"404": _error("No public measure with that id")},
            ),
            "/api/v1/export.json": _read("Every jurisdiction's current status", "Export"),
            "/api/v1/export.csv": _read(
                "Every jurisdiction's current status, as CSV", None, media="text/csv"
            ),
            "/api/v1/measures/export.json": _read(
                "Every public measure (never a lead), flat, one row per measure; not law",
                "MeasureExport",
            ),
            "/api/v1/measures/export.csv": _read(
                "Every public measure, as CSV (the JSON export's columns)", None, media="text/csv"
            ),
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
    }
