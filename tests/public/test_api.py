import csv
import io

import pytest
from django.test import override_settings

from jurisdictions.generation import public_generation_bump
from jurisdictions.models import Jurisdiction, Level
from tests.factories import make_jurisdiction, record_status
from tests.public.public_data import TODAY, publish_sample
from tests.wsgi_client import WsgiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Every request through the WSGI application, as gunicorn sends it: cached public reads
    are answered by the fast path in front of Django (jurisdictions/fastpath.py)."""
    return WsgiClient()


@pytest.fixture
def sample():
    return publish_sample()


def _error_of(response) -> dict:
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]


def test_it_lists_jurisdictions_with_filters_and_pages(client, sample):
    body = client.get("/api/v1/jurisdictions", {"per_page": 2}).json()
    assert body["count"] == 7 and body["pages"] == 4 and len(body["results"]) == 2
    assert [j["code"] for j in body["results"]] == ["TH", "US"]
    states = client.get("/api/v1/jurisdictions", {"level": "state"}).json()
    assert [j["code"] for j in states["results"]] == ["US-CA", "US-TX"]
    texas = states["results"][1]
    assert (texas["effective_date"], texas["effective_date_precision"]) == ("2019", "year")
    children = client.get("/api/v1/jurisdictions", {"parent": "US-CA"}).json()
    assert {j["code"] for j in children["results"]} == {"US-CA-SAN-DIEGO", "US-CA-SAN-DIEGO-COUNTY"}
    banned = client.get("/api/v1/jurisdictions", {"status": "banned"}).json()
    assert [j["code"] for j in banned["results"]] == ["US-CA-SAN-DIEGO"]
    unverified = client.get("/api/v1/jurisdictions", {"status": "unverified"}).json()
    assert {j["code"] for j in unverified["results"]} == {"US", "US-CA-SAN-DIEGO-COUNTY", "US-GU"}


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"level": "planet"}, 400, "invalid_level"),
        ({"status": "maybe"}, 400, "invalid_status"),
        ({"page": "0"}, 400, "invalid_page"),
        ({"page": "two"}, 400, "invalid_page"),
        ({"per_page": "500"}, 400, "invalid_per_page"),
        ({"page": "99"}, 404, "page_not_found"),
        ({"parent": "US-ZZ"}, 404, "not_found"),
        ({"parent": "not a code"}, 404, "not_found"),
    ],
)
def test_it_refuses_a_malformed_list_query_with_a_json_error(client, sample, query, status, code):
    response = client.get("/api/v1/jurisdictions", query)
    assert response.status_code == status
    assert _error_of(response)["code"] == code
    assert response["Cache-Control"] == "no-store"


def test_it_describes_one_jurisdiction_with_current_upcoming_and_citations(client, sample):
    body = client.get("/api/v1/jurisdictions/US-TX").json()
    assert body["code"] == "US-TX" and body["status"] == "regulated"
    assert body["current"]["effective_date"] == "2019"  # a year-only date stays a year
    assert body["current"]["effective_date_precision"] == "year"
    assert body["current"]["min_age"] == 18
    assert body["current"]["citations"][0]["url"] == "https://law.example.gov/kratom"
    assert body["upcoming"]["status"] == "banned"
    assert body["upcoming"]["effective_date"] == "2027-03-01"
    assert body["upcoming_status"] == "banned"
    last_verified = body["last_verified"]
    assert (last_verified["on"], last_verified["by"]) == ("2026-11-01", "curated reference data")
    assert body["baseline"] is None
    assert body["notice"] == "Information, not legal advice."


def test_it_finds_a_jurisdiction_by_lower_case_code_or_ocd_id(client, sample):
    Jurisdiction.objects.filter(code="US-TX").update(ocd_id="ocd-division/country:us/state:tx")
    assert client.get("/api/v1/jurisdictions/us-tx").json()["code"] == "US-TX"
    by_ocd = client.get("/api/v1/jurisdictions/ocd-division/country:us/state:tx")
    assert by_ocd.json()["code"] == "US-TX"


def test_an_unverified_jurisdiction_carries_the_baseline_and_no_status_version(client, sample):
    body = client.get("/api/v1/jurisdictions/US-GU").json()
    assert body["status"] == "unverified" and body["current"] is None
    assert body["baseline"]["paragraphs"]
    assert body["baseline"]["provenance"][0].endswith(".txt")


def test_a_state_lists_its_local_exceptions_most_restrictive_first(client, sample):
    children = client.get("/api/v1/jurisdictions/US-CA").json()["children"]
    assert [(c["code"], c["status"]) for c in children] == [
        ("US-CA-SAN-DIEGO", "banned"),
        ("US-CA-SAN-DIEGO-COUNTY", "unverified"),
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/jurisdictions/US-ZZ",
        "/api/v1/jurisdictions/%00x",
        "/api/v1/jurisdictions/US-ZZ/history",
    ],
)
def test_an_unknown_code_is_a_json_404(client, sample, path):
    response = client.get(path)
    assert response.status_code == 404
    assert _error_of(response)["code"] == "not_found"


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert _error_of(response)["code"] == "not_found"


def test_it_gives_the_history_newest_first(client, sample):
    body = client.get("/api/v1/jurisdictions/US-TX/history").json()
    assert body["jurisdiction"]["code"] == "US-TX"
    assert [v["status"] for v in body["versions"]] == ["banned", "regulated", "legal"]


def test_it_resolves_a_zip_code_to_each_level_and_the_most_restrictive(client, sample):
    body = client.get("/api/v1/lookup", {"zip": "92101"}).json()
    assert body["zip"] == "92101"
    assert body["state"]["jurisdiction"]["code"] == "US-CA"
    assert [c["name"] for c in body["counties"]] == ["San Diego County"]
    assert body["counties"][0]["status"] == "unverified"
    assert body["cities"][0]["jurisdiction"]["code"] == "US-CA-SAN-DIEGO"
    assert body["answer"]["status"] == "banned"
    assert body["answer"]["from"]["level"] == "city"
    assert body["federal"]["code"] == "US"


@pytest.mark.parametrize(
    ("zip_code", "status", "code"),
    [
        ("9210", 400, "invalid_zip"),
        ("abcde", 400, "invalid_zip"),
        ("", 400, "invalid_zip"),
        ("00000", 404, "unknown_zip"),
    ],
)
def test_a_bad_zip_code_is_a_json_error(client, zip_code, status, code):
    response = client.get("/api/v1/lookup", {"zip": zip_code})
    assert response.status_code == status
    assert _error_of(response)["code"] == code


def test_it_lists_changes_since_a_date_with_the_previous_status(client, sample):
    body = client.get("/api/v1/changes", {"since": "2020-01-01"}).json()
    texas = [r for r in body["results"] if r["jurisdiction"]["code"] == "US-TX"]
    assert [(r["previous_status"], r["version"]["status"]) for r in texas] == [
        (None, "legal"),
        ("legal", "regulated"),
        ("regulated", "banned"),
    ]  # with since: oldest first, to poll forward
    assert body["next_since"] is None
    assert client.get("/api/v1/changes", {"since": "2999-01-01"}).json()["results"] == []
    latest = client.get("/api/v1/changes").json()["results"]
    assert latest[0]["version"]["status"] == "legal"  # Thailand, the last recorded
    assert latest[0]["jurisdiction"]["code"] == "TH"


def test_changes_continue_from_next_since(client, sample, monkeypatch):
    from tracker.public import api

    monkeypatch.setattr(api, "CHANGES_LIMIT", 2)
    first = client.get("/api/v1/changes", {"since": "2020-01-01"}).json()
    assert len(first["results"]) == 2 and first["next_since"]
    second = client.get("/api/v1/changes", {"since": first["next_since"]}).json()
    ids = [r["version"]["id"] for r in first["results"] + second["results"]]
    assert second["results"][0]["version"]["id"] == first["results"][-1]["version"]["id"]
    assert len(set(ids)) == 3


def test_a_malformed_since_is_a_json_400(client):
    response = client.get("/api/v1/changes", {"since": "last tuesday"})
    assert response.status_code == 400
    assert _error_of(response)["code"] == "invalid_since"


def test_the_csv_export_has_every_jurisdiction_with_citations_and_verification(client, sample):
    response = client.get("/api/v1/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="kratom-status.csv"'
    assert client.get("/api/v1/export.csv")["Content-Disposition"]  # also from the cache
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == Jurisdiction.objects.count()
    texas = next(row for row in rows if row["code"] == "US-TX")
    assert texas["status"] == "regulated" and texas["effective_date"] == "2019"
    assert texas["citations"] == "Test Code 1-2-3 <https://law.example.gov/kratom>"
    assert texas["last_verified_on"] == "2026-11-01"
    assert texas["upcoming_status"] == "banned"


def test_the_json_export_matches_the_csv_columns(client, sample):
    body = client.get("/api/v1/export.json").json()
    assert len(body["jurisdictions"]) == Jurisdiction.objects.count()
    assert set(body["jurisdictions"][0]) == set(body["columns"])


def test_the_openapi_document_describes_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/jurisdictions",
        "/api/v1/jurisdictions/{code}",
        "/api/v1/jurisdictions/{code}/history",
        "/api/v1/lookup",
        "/api/v1/search",
        "/api/v1/changes",
        "/api/v1/export.json",
        "/api/v1/export.csv",
        "/api/v1/check",
        "/api/v1/restricted-zips.json",
        "/api/v1/restricted-zips.csv",
        "/api/v1/measures",
        "/api/v1/measures/{id}",
        "/api/v1/measures/export.json",
        "/api/v1/measures/export.csv",
    }


def test_every_read_has_an_etag_and_cache_control_and_answers_304(client, sample):
    for path in [
        "/api/v1/jurisdictions",
        "/api/v1/jurisdictions/US-TX",
        "/api/v1/lookup?zip=92101",
        "/api/v1/export.csv",
    ]:
        first = client.get(path)
        assert first.status_code == 200
        assert first["ETag"].startswith('"') and "max-age" in first["Cache-Control"]
        again = client.get(path, headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304, path
        assert again.content == b"" and again["ETag"] == first["ETag"]
        other = client.get(path, headers={"if-none-match": '"something-else"'})
        assert other.status_code == 200


def test_it_allows_cross_origin_gets_and_preflights(client, sample):
    response = client.get("/api/v1/jurisdictions/US-TX", headers={"origin": "https://shop.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/jurisdictions/US-TX")
    assert preflight.status_code == 204
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    # Exactly these: a read is asked for with If-None-Match and an API key, never a body.
    assert {name: value for name, value in preflight.items() if "Access-Control" in name} == {
        "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
        "Access-Control-Allow-Headers": "If-None-Match, Authorization",
        "Access-Control-Max-Age": "86400",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag, Retry-After",
    }


def test_it_refuses_writes_with_a_json_405(client, sample):
    response = client.post("/api/v1/jurisdictions/US-TX")
    assert response.status_code == 405
    assert _error_of(response)["code"] == "method_not_allowed"


@override_settings(API_RATE_LIMIT=3, API_RATE_LIMIT_WINDOW=60)
def test_it_rate_limits_each_client_with_429_and_retry_after(client, sample):
    for _ in range(3):
        assert client.get("/api/v1/jurisdictions/US-TX").status_code == 200
    limited = client.get("/api/v1/jurisdictions/US-TX")
    assert limited.status_code == 429
    assert _error_of(limited)["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    other_client = client.get("/api/v1/jurisdictions/US-TX", REMOTE_ADDR="192.0.2.7")
    assert other_client.status_code == 200


@override_settings(API_RATE_LIMIT=1, API_RATE_LIMIT_WINDOW=60)
def test_a_revalidation_that_ends_in_304_is_not_counted(client, sample):
    first = client.get("/api/v1/jurisdictions/US-TX")
    for _ in range(5):
        response = client.get(
            "/api/v1/jurisdictions/US-TX", headers={"if-none-match": first["ETag"]}
        )
        assert response.status_code == 304


def test_a_confirmed_change_invalidates_the_cached_answer(
    client, sample, django_capture_on_commit_callbacks
):
    first = client.get("/api/v1/jurisdictions/TH")
    assert first.json()["status"] == "legal"
    with django_capture_on_commit_callbacks(execute=True):
        record_status(sample["thailand"], "banned", today=TODAY)
    after = client.get("/api/v1/jurisdictions/TH", headers={"if-none-match": first["ETag"]})
    assert after.status_code == 200
    assert after.json()["status"] == "banned"
    assert after["ETag"] != first["ETag"]


def test_without_the_bump_the_cached_answer_is_served(client, sample):
    """The cache is what answers: a write that bypasses the status service is not seen."""
    client.get("/api/v1/jurisdictions/TH")
    Jurisdiction.objects.filter(code="TH").update(name="Renamed behind the service's back")
    assert client.get("/api/v1/jurisdictions/TH").json()["name"] == "Thailand"


def test_promoting_an_upcoming_version_invalidates_the_cache(
    client, sample, django_capture_on_commit_callbacks
):
    from jurisdictions.services.statuses import statuses_promote_due

    assert client.get("/api/v1/jurisdictions/US-TX").json()["status"] == "regulated"
    with django_capture_on_commit_callbacks(execute=True):
        statuses_promote_due(today=TODAY.replace(year=2027, month=3, day=1))
    assert client.get("/api/v1/jurisdictions/US-TX").json()["status"] == "banned"


def _grow(count: int) -> None:
    us = Jurisdiction.objects.get(code="US")
    for n in range(count):
        state = make_jurisdiction(f"US-Z{n}", name=f"Zstate {n}", parent=us)
        record_status(state, "legal", today=TODAY)
        record_status(state, "regulated", today=TODAY)
        city = make_jurisdiction(f"US-Z{n}-TOWN", name=f"Town {n}", level=Level.CITY, parent=state)
        record_status(city, "banned", today=TODAY)


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/api/v1/jurisdictions", 2),
        ("/api/v1/jurisdictions?category=7oh&rule=banned", 2),
        ("/api/v1/jurisdictions/US-TX", 3),  # and one for the pending measures
        ("/api/v1/jurisdictions/US-TX/history", 2),
        ("/api/v1/changes", 1),
        ("/api/v1/export.json", 1),
        ("/api/v1/export.csv", 1),
        ("/api/v1/lookup?zip=92101", 2),  # and one for the pending measures
    ],
)
def test_api_query_counts_do_not_grow_with_data(
    client, sample, django_assert_num_queries, path, queries
):
    with django_assert_num_queries(queries):
        client.get(path)
    _grow(6)
    public_generation_bump()  # on_commit does not run inside the test's transaction
    with django_assert_num_queries(queries):
        client.get(path)


def test_the_api_still_answers_when_redis_is_down(client, sample, dead_redis):
    response = client.get("/api/v1/jurisdictions/TH")
    assert response.status_code == 200 and response.json()["status"] == "legal"
    assert client.get("/j/TH/").status_code == 200


def test_renaming_a_jurisdiction_in_the_admin_refreshes_the_cached_answer(
    admin_client, client, django_capture_on_commit_callbacks
):
    from tests.factories import make_jurisdiction

    texas = make_jurisdiction("US-TX", name="Texas")
    assert client.get("/api/v1/jurisdictions/US-TX").json()["name"] == "Texas"
    form = {"code": "US-TX", "name": "State of Texas", "level": "state", "parent": texas.parent_id}
    form.update({"versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/jurisdictions/jurisdiction/{texas.pk}/change/", form)
    assert response.status_code == 302
    assert client.get("/api/v1/jurisdictions/US-TX").json()["name"] == "State of Texas"
