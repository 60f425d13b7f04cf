"""Inputs that answered 500: a batch item's fields of the wrong type, text UTF-8 cannot
encode, integers too long to convert; and the correction form's methods and origins."""

import json

import pytest

from jurisdictions.models import Lead
from tests.factories import make_curator
from tests.public.public_data import publish_sample

pytestmark = pytest.mark.django_db

HUGE = "9" * 5000  # Python refuses int() on more than 4,300 digits


@pytest.fixture
def sample():
    return publish_sample()


def _check(client, body: bytes):
    return client.post("/api/v1/check", body, content_type="application/json")


def _json_error(response) -> str:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content.decode("utf-8"))["error"]["code"]


@pytest.mark.parametrize("value", [["leaf"], {"leaf": 1}, 7, 1.5, True])
def test_a_category_of_the_wrong_type_is_the_items_own_error(client, sample, value):
    items = [{"zip": "78701", "category": value}, {"zip": "78701", "category": "leaf"}]
    response = _check(client, json.dumps({"items": items}).encode())
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first["error"]["code"] == "invalid_category"
    assert first["category"] is None  # not echoed: it is not a string
    assert second["rules"]["leaf"]["rule"] == "regulated"


@pytest.mark.parametrize("value", [["78701"], {"zip": "78701"}, 78701, None, False])
def test_a_zip_of_the_wrong_type_is_the_items_own_error(client, sample, value):
    response = _check(client, json.dumps({"items": [{"zip": value}]}).encode())
    assert response.status_code == 200
    assert response.json()["results"][0]["error"]["code"] == "invalid_zip"


@pytest.mark.parametrize(
    "body",
    [
        b'{"items": [{"zip": "\\ud800"}]}',  # an escaped lone surrogate
        b'{"items": [{"zip": "78701", "category": "\\udfff"}]}',
        b'{"items": [{"zip": "\xed\xa0\x80"}]}',  # its raw bytes, which json.loads accepts
        b'{"items": [], "note": "\\ud83d"}',  # half a pair, in a field nobody reads
    ],
)
def test_a_lone_surrogate_is_a_400_in_valid_utf8_json(client, sample, body):
    response = _check(client, body)
    assert response.status_code == 400
    assert _json_error(response) == "invalid_body"


def test_a_surrogate_pair_is_text_like_any_other(client, sample):
    response = _check(client, b'{"items": [{"zip": "\\ud83d\\ude00"}]}')
    assert response.status_code == 200
    assert response.json()["results"][0]["zip"] == "\U0001f600"


@pytest.mark.parametrize(
    "query",
    [f"page={HUGE}", f"per_page={HUGE}", "page=1000001", "per_page=201", "page=0", "page=-1"],
)
def test_an_integer_parameter_out_of_bounds_is_a_json_400(client, sample, query):
    response = client.get(f"/api/v1/jurisdictions?{query}")
    assert response.status_code == 400
    assert _json_error(response) in {"invalid_page", "invalid_per_page"}


def test_a_page_past_the_end_within_the_bounds_is_still_a_404(client, sample):
    response = client.get("/api/v1/jurisdictions?page=999999")
    assert response.status_code == 404 and _json_error(response) == "page_not_found"


@pytest.mark.parametrize("at", [HUGE, "100001", "-1", "x"])
def test_the_worklists_position_out_of_bounds_is_a_400_page(client, sample, at):
    client.force_login(make_curator())
    texas = sample["texas"]
    response = client.get(f"/admin/monitoring/worklist/{texas.pk}/?at={at}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "OPTIONS", "BREW"])
def test_the_report_form_answers_other_methods_405_with_allow(client, sample, method):
    response = client.generic(method, "/j/US-TX/report/")
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "POST"}
    assert not Lead.objects.exists()


REPORT = {"summary": "The age limit is now 21 since HB 1.", "source_url": "https://a.gov/hb1"}


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "cross-site", "origin": "http://testserver"},
        {"referer": "https://evil.example/page"},
    ],
)
def test_the_report_form_refuses_a_cross_site_post_without_origin(client, sample, headers):
    response = client.post("/j/US-TX/report/", REPORT, headers=headers)
    assert response.status_code == 403
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "same-origin", "referer": "http://testserver/j/US-TX/"},
        {"referer": "http://testserver/j/US-TX/"},
        {},  # a client that sends neither (curl): nothing says it is cross-site
    ],
)
def test_the_report_form_accepts_a_post_from_its_own_pages(client, sample, headers):
    response = client.post("/j/US-TX/report/", REPORT, headers=headers)
    assert response.status_code == 302
    assert Lead.objects.count() == 1
