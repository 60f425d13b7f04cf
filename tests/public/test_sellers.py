"""For sellers: the batch check, the restricted-ZIP lists and API keys on the API."""

import csv
import datetime
import gzip
import io
import json

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings

from jurisdictions import zipdata
from jurisdictions.models import Category, Level, Rule, Scope
from jurisdictions.rules import ProductRule
from tests.factories import make_curator, make_user, record_status, rules_for
from tests.public.public_data import TODAY, publish_sample
from tests.wsgi_client import WsgiClient
from tracker.apikeys.models import ApiKeyUsage
from tracker.apikeys.services import apikey_create, apikey_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Every request through the WSGI application, as gunicorn sends it: cached public reads
    are answered by the fast path in front of Django (jurisdictions/fastpath.py)."""
    return WsgiClient()


SAN_DIEGO_ZIP = "92101"


@pytest.fixture
def sample():
    data = publish_sample()
    # The federal order: synthetic alkaloids banned nationwide, the rest not ruled on.
    synthetic_ban = ProductRule(Category.SYNTHETIC, Rule.BANNED, Scope.POSSESSION)
    record_status(data["us"], "unverified", rules=rules_for("unverified", synthetic=synthetic_ban))
    return data


@pytest.fixture
def key():
    return apikey_create(actor=make_user("keeper"), name="Leaf & Co", contact="ops@leaf.example")


def check(client, items, **headers):
    return client.post(
        "/api/v1/check",
        json.dumps({"items": items}),
        content_type="application/json",
        headers=headers,
    )


def error_code(response) -> str:
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]["code"]


def test_a_batch_answers_valid_malformed_and_unknown_items_in_order(client, sample):
    items = [
        {"zip": SAN_DIEGO_ZIP, "category": "leaf"},
        {"zip": "9210"},
        {"zip": "00000", "category": "7oh"},
        {"zip": "73301-0001", "category": "7oh"},
        {"zip": 92101},
        {"zip": "92101", "category": "kratom gummies"},
        "92101",
        {"zip": "10001"},
    ]
    response = check(client, items)
    assert response.status_code == 200
    body = response.json()
    results = body["results"]
    assert [r.get("zip") for r in results] == [
        "92101", "9210", "00000", "73301-0001", None, "92101", None, "10001",
    ]  # fmt: skip
    assert [r.get("error", {}).get("code") for r in results] == [
        None, "invalid_zip", "unknown_zip", None, "invalid_zip", "invalid_category",
        "invalid_item", None,
    ]  # fmt: skip
    assert (body["count"], body["answered"], body["errors"]) == (8, 3, 5)
    texas = results[3]
    assert texas["zip5"] == "73301" and texas["place"]["state"] == "TX"
    assert set(texas["rules"]) == {"7oh"}
    assert texas["rules"]["7oh"]["rule"] == "regulated"
    assert texas["rules"]["7oh"]["limit"] == "capped at 2% of alkaloids"
    assert texas["rules"]["7oh"]["decided_by"]["code"] == "US-TX"
    assert texas["rules"]["7oh"]["citations"][0]["url"] == "https://law.example.gov/kratom"
    assert set(results[7]["rules"]) == set(Category.values)  # no category: all four
    assert "county" in body["zip_placement"] and "not legal advice" in body["notice"]


def test_san_diego_answers_banned_for_the_leaf_decided_by_the_city(client, sample):
    result = check(client, [{"zip": SAN_DIEGO_ZIP, "category": "leaf"}]).json()["results"][0]
    leaf = result["rules"]["leaf"]
    assert leaf["rule"] == "banned" and leaf["scope"] == "possession"
    # The lookup's link (schema JurisdictionLink).
    assert leaf["decided_by"] == {
        "code": "US-CA-SAN-DIEGO",
        "name": "San Diego (city)",
        "level": "city",
        "status": "banned",
        "url": f"{settings.SITE_URL}/j/US-CA-SAN-DIEGO/",
        "api_url": f"{settings.SITE_URL}/api/v1/jurisdictions/US-CA-SAN-DIEGO",
    }
    assert leaf["last_verified"]["by"] == "curated reference data"
    assert set(leaf["last_verified"]) == {"on", "by", "age_days", "stale"}


def test_the_federal_level_decides_synthetic_alkaloids_everywhere(client, sample):
    zips = [SAN_DIEGO_ZIP, "73301", "10001", "99501", "00601"]
    results = check(client, [{"zip": z, "category": "synthetic"} for z in zips]).json()["results"]
    for result in results:
        synthetic = result["rules"]["synthetic"]
        assert synthetic["rule"] == "banned", result["zip"]
        assert (
            synthetic["decided_by"]["code"] == "US"
            and synthetic["decided_by"]["level"] == "country"
        )


def test_the_batch_agrees_with_the_per_zip_lookup(client, sample):
    zips = [SAN_DIEGO_ZIP, "92037", "73301", "10001", "96910"]
    answers = check(client, [{"zip": z} for z in zips]).json()["results"]
    for zip_code, answer in zip(zips, answers, strict=True):
        lookup = client.get(f"/api/v1/lookup?zip={zip_code}").json()["rules"]
        for category, rule in lookup.items():
            mine = answer["rules"][category]
            assert (mine["rule"], mine["scope"], mine["min_age"], mine["limit"]) == (
                rule["rule"], rule["scope"], rule["min_age"], rule["limit"],
            ), (zip_code, category)  # fmt: skip
            by = rule["decided_by"]["code"] if rule["decided_by"] else None
            assert (mine["decided_by"] or {}).get("code") == by, (zip_code, category)


def test_a_batch_of_1001_items_is_413(client, sample, key):
    bearer = {"authorization": f"Bearer {key.plain}"}
    response = check(client, [{"zip": "10001"}] * 1001, **bearer)
    assert response.status_code == 413 and error_code(response) == "too_many_items"
    assert check(client, [{"zip": "10001"}] * 1000, **bearer).status_code == 200


@pytest.mark.parametrize(
    "body", ["not json", "[]", '{"zip": "92101"}', '{"items": "92101"}', "[" * 100_000, ""]
)
def test_a_malformed_body_is_a_json_400(client, sample, body):
    response = client.post("/api/v1/check", body, content_type="application/json")
    assert response.status_code == 400 and error_code(response) == "invalid_body"


def test_the_check_takes_posts_only(client, sample):
    response = client.get("/api/v1/check")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"


SHOP = {"origin": "https://shop.example"}
CHECK_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Retry-After",
}


def cors_of(response) -> dict:
    return {name: value for name, value in response.items() if name.startswith("Access-Control")}


def listed(header: str) -> set[str]:
    return {name.strip().lower() for name in header.split(",")}


@pytest.mark.parametrize("asked", ["content-type", "authorization,content-type"])
def test_the_check_answers_a_cors_preflight_for_a_json_body_and_a_key(client, asked):
    preflight = client.options(
        "/api/v1/check",
        headers={**SHOP, "access-control-request-method": "POST",
                 "access-control-request-headers": asked},
    )  # fmt: skip
    assert preflight.status_code == 204 and preflight.content == b""
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert listed(preflight["Access-Control-Allow-Methods"]) == {"post", "options"}
    assert listed(asked) <= listed(preflight["Access-Control-Allow-Headers"])
    assert int(preflight["Access-Control-Max-Age"]) > 0


@pytest.mark.parametrize("keyed", [False, True], ids=["anonymous", "api-key"])
def test_the_checks_answer_is_open_to_cors_with_and_without_a_key(client, sample, key, keyed):
    bearer = {"authorization": f"Bearer {key.plain}"} if keyed else {}
    response = check(client, [{"zip": SAN_DIEGO_ZIP, "category": "leaf"}], **SHOP, **bearer)
    assert response.status_code == 200
    assert response.json()["results"][0]["rules"]["leaf"]["rule"] == "banned"
    assert cors_of(response) == CHECK_CORS
    assert response["Cache-Control"] == "no-store"


def test_the_checks_refusals_are_open_to_cors(client, sample):
    """A page on another origin can read why it was refused."""
    bad_key = check(client, [{"zip": SAN_DIEGO_ZIP}], **SHOP, authorization="Bearer kt_unknown")
    assert bad_key.status_code == 401 and error_code(bad_key) == "invalid_api_key"
    bad_body = client.post("/api/v1/check", "[]", content_type="application/json", headers=SHOP)
    assert bad_body.status_code == 400 and error_code(bad_body) == "invalid_body"
    get = client.get("/api/v1/check", headers=SHOP)
    assert get.status_code == 405 and listed(get["Allow"]) == {"post", "options"}
    for response in (bad_key, bad_body, get):
        assert cors_of(response) == CHECK_CORS


@override_settings(API_CHECK_ANONYMOUS_LIMIT=1, API_CHECK_ANONYMOUS_WINDOW=60)
def test_the_checks_429_is_open_to_cors(client, sample):
    assert check(client, [{"zip": SAN_DIEGO_ZIP}], **SHOP).status_code == 200
    limited = check(client, [{"zip": SAN_DIEGO_ZIP}], **SHOP)
    assert limited.status_code == 429 and limited["Retry-After"]
    assert cors_of(limited) == CHECK_CORS


@override_settings(
    API_RATE_LIMIT=3,
    API_CHECK_ANONYMOUS_LIMIT=4,
    API_KEY_RATE_LIMIT=10,
    API_RATE_LIMIT_WINDOW=60,
    API_CHECK_ANONYMOUS_WINDOW=3600,
)
def test_keyed_and_unkeyed_callers_have_their_own_limits_and_items_count(client, sample, key):
    bearer = {"authorization": f"Bearer {key.plain}"}
    # Without a key the batch has a budget of its own, in items, apart from other requests.
    assert check(client, [{"zip": "10001"}] * 4).status_code == 200
    unkeyed = check(client, [{"zip": "10001"}])
    assert unkeyed.status_code == 429 and error_code(unkeyed) == "rate_limited"
    assert 1 <= int(unkeyed["Retry-After"]) <= 3600
    assert "/sellers/#key" in unkeyed.json()["error"]["message"]
    for _ in range(3):
        assert client.get("/api/v1/lookup?zip=10001").status_code == 200
    assert client.get("/api/v1/lookup?zip=10001").status_code == 429
    # The key has its own, higher limit, untouched by the address's.
    assert check(client, [{"zip": "10001"}] * 8, **bearer).status_code == 200
    assert client.get("/api/v1/lookup?zip=10001", headers=bearer).status_code == 200
    assert check(client, [{"zip": "10001"}], **bearer).status_code == 200
    keyed = check(client, [{"zip": "10001"}], **bearer)
    assert keyed.status_code == 429 and 1 <= int(keyed["Retry-After"]) <= 60
    assert client.get("/api/v1/lookup?zip=10001", headers=bearer).status_code == 429
    # Every answered item and request was counted for the key; refusals were not.
    assert ApiKeyUsage.objects.get(key=key.key).requests == 10


def test_a_whole_batch_fits_the_documented_anonymous_limit(client, sample):
    assert settings.API_CHECK_ANONYMOUS_LIMIT >= 1000  # what /sellers/ and the README say
    response = check(client, [{"zip": "10001"}] * 1000)
    assert response.status_code == 200 and len(response.json()["results"]) == 1000


@override_settings(API_CHECK_ANONYMOUS_LIMIT=5)
def test_a_batch_larger_than_the_whole_limit_says_a_key_is_needed_and_not_to_wait(client, sample):
    response = check(client, [{"zip": "10001"}] * 6)
    assert response.status_code == 429 and "Retry-After" not in response
    assert "free API key" in response.json()["error"]["message"]


def test_a_key_over_its_daily_quota_waits_for_midnight_utc(client, sample):
    late = datetime.datetime(2026, 11, 21, 23, 0, tzinfo=datetime.UTC)
    with time_machine.travel(late, tick=False) as clock:
        created = apikey_create(actor=None, name="Shop", contact="a@shop.example", daily_quota=5)
        bearer = {"authorization": f"Bearer {created.plain}"}
        assert check(client, [{"zip": "10001"}] * 3, **bearer).status_code == 200
        over = check(client, [{"zip": "10001"}] * 3, **bearer)
        assert over.status_code == 429 and over["Retry-After"] == "3600"
        assert "daily quota of 5" in over.json()["error"]["message"]
        assert check(client, [{"zip": "10001"}] * 2, **bearer).status_code == 200
        too_big = check(client, [{"zip": "10001"}] * 6, **bearer)
        assert too_big.status_code == 429 and "Retry-After" not in too_big
        assert ApiKeyUsage.objects.get(key=created.key).requests == 5
        clock.move_to(late + datetime.timedelta(minutes=61))
        assert check(client, [{"zip": "10001"}] * 5, **bearer).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/lookup?zip=10001", "/api/v1/jurisdictions/US-TX"])
def test_a_revoked_or_unknown_key_is_401_never_a_silent_downgrade(client, sample, key, path):
    apikey_revoke(actor=make_user("revoker"), key_id=key.key.pk)
    for header in [f"Bearer {key.plain}", "Bearer kt_unknown", "Token abc"]:
        for response in [
            client.get(path, headers={"authorization": header}),
            check(client, [{"zip": "10001"}], authorization=header),
        ]:
            assert response.status_code == 401 and error_code(response) == "invalid_api_key"
            assert response["WWW-Authenticate"].startswith("Bearer")
    # Even a revalidation that would be a 304 without the header.
    etag = client.get(path)["ETag"]
    revalidation = client.get(
        path, headers={"authorization": f"Bearer {key.plain}", "if-none-match": etag}
    )
    assert revalidation.status_code == 401


def restricted(client, category: str, fmt: str = "json", **headers):
    return client.get(f"/api/v1/restricted-zips.{fmt}?category={category}", headers=headers)


def restricted_rows(response) -> dict[str, dict]:
    """The JSON list's rows by ZIP, each joined with its deciding jurisdiction."""
    body = response.json()
    rows = {}
    for row in body["zips"]:
        data = dict(zip(body["columns"], row, strict=True))
        rows[data["zip"]] = {**data, **body["jurisdictions"][data["jurisdiction"]]}
    assert list(rows) == sorted(rows) and len(rows) == body["count"]
    return rows


def test_the_restricted_list_names_each_banned_zip_with_who_decided_it(client, sample):
    response = restricted(client, "leaf")
    rows = restricted_rows(response)
    assert rows and {row["jurisdiction"] for row in rows.values()} == {"US-CA-SAN-DIEGO"}
    san_diego = rows[SAN_DIEGO_ZIP]
    assert (san_diego["level"], san_diego["scope"], san_diego["verified_on"]) == (
        "city", "possession", "2026-11-01",
    )  # fmt: skip
    assert "law.example.gov" in san_diego["citation"]
    assert "partial overlaps are not known" in response.json()["zip_placement"]
    # 7-OH: California bans the sale everywhere in the state.
    seven_oh = restricted_rows(restricted(client, "7oh"))
    assert {(row["jurisdiction"], row["scope"]) for row in seven_oh.values()} == {("US-CA", "sale")}
    assert {zipdata.zip_record(zip5).state for zip5 in seven_oh} == {"CA"}


def test_the_restricted_csv_starts_with_the_placement_comment(client, sample):
    response = restricted(client, "leaf", "csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    comment, rest = text.split("\n", 1)
    assert comment.startswith("# ") and "one county" in comment
    rows = list(csv.DictReader(io.StringIO(rest)))
    places = {
        zip5: zipdata.zip_record(zip5) for zip5 in restricted_rows(restricted(client, "leaf"))
    }
    assert rows == [
        {**row, "category": "leaf", "rule": "banned", "state": places[row["zip"]].state,
         "county": places[row["zip"]].county, "city": places[row["zip"]].city}
        for row in restricted_rows(restricted(client, "leaf")).values()
    ]  # fmt: skip
    assert rows[0]["county"] == "San Diego County"


@pytest.mark.parametrize("query", ["", "?category=kratom"])
def test_the_restricted_list_needs_a_category(client, sample, query):
    response = client.get(f"/api/v1/restricted-zips.json{query}")
    assert response.status_code == 400


def test_a_county_ban_reaches_the_restricted_list_in_the_next_request(
    client, sample, django_capture_on_commit_callbacks
):
    before = restricted(client, "leaf")
    assert restricted(client, "leaf", **{"if-none-match": before["ETag"]}).status_code == 304
    county_zips = {"92037", "92020"}  # La Jolla, El Cajon: San Diego County, not the city
    assert not county_zips & set(restricted_rows(before))
    with django_capture_on_commit_callbacks(execute=True):
        record_status(sample["san_diego_county"], "banned", user=make_curator(), today=TODAY)
    after = restricted(client, "leaf", **{"if-none-match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    rows = restricted_rows(after)
    assert county_zips <= set(rows)
    assert rows["92037"]["jurisdiction"] == "US-CA-SAN-DIEGO-COUNTY"
    assert rows["92037"]["level"] == Level.COUNTY
    # The county applies to the whole county: it decides the city's ZIPs too (broader wins a tie).
    assert rows[SAN_DIEGO_ZIP]["jurisdiction"] == "US-CA-SAN-DIEGO-COUNTY"


def test_the_check_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/check"]
    assert {"/api/v1/restricted-zips.csv", "/api/v1/restricted-zips.json"} <= set(paths)


def test_the_sellers_page_is_linked_from_the_footer_and_the_api_docs(client, sample):
    page = client.get("/sellers/").content.decode()
    assert "/api/v1/check" in page and "restricted-zips.csv" in page and "not legal advice" in page
    assert 'href="/sellers/"' in client.get("/about/").content.decode()
    assert "/sellers/" in client.get("/api/v1/openapi.json").json()["info"]["description"]


def test_the_batch_check_answers_when_redis_is_down(client, sample, dead_redis):
    # The Redis client is kept per REDIS_URL, so this test's dead server is a client of its own.
    response = check(client, [{"zip": SAN_DIEGO_ZIP, "category": "leaf"}])
    assert response.status_code == 200
    assert response.json()["results"][0]["rules"]["leaf"]["rule"] == "banned"


def test_a_large_list_is_sent_gzipped_to_a_client_that_accepts_it_with_its_etag(client, sample):
    plain = restricted(client, "synthetic", "csv")
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    zipped = client.get(
        "/api/v1/restricted-zips.csv?category=synthetic", headers={"accept-encoding": "gzip, br"}
    )
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) * 5 < len(plain.content)
    assert zipped["ETag"] == f"W/{plain['ETag']}"
    for etag in (plain["ETag"], zipped["ETag"]):
        again = client.get(
            "/api/v1/restricted-zips.csv?category=synthetic",
            headers={"accept-encoding": "gzip", "if-none-match": etag},
        )
        assert again.status_code == 304 and again["ETag"] == zipped["ETag"]
    refused = client.get(
        "/api/v1/restricted-zips.csv?category=synthetic", headers={"accept-encoding": "gzip;q=0"}
    )
    assert "Content-Encoding" not in refused and refused.content == plain.content


def test_a_short_answer_is_sent_as_it_is(client, sample):
    response = client.get("/api/v1/jurisdictions/US-TX", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and "Content-Encoding" not in response
    assert "Vary" not in response or "Accept-Encoding" not in response["Vary"]
