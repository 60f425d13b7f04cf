"""`?on=YYYY-MM-DD`: the law in force on a date, over the API, the batch check, the
restricted-ZIP lists and the pages."""

import datetime
import json

import pytest
import time_machine

from jurisdictions.models import DatePrecision
from tests.factories import make_jurisdiction, record_status
from tests.public.public_data import TODAY

pytestmark = pytest.mark.django_db

BIRMINGHAM_AL = "35203"
LOUISVILLE_KY = "40202"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 21, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def places():
    """Alabama: banned from 10 May 2016, regulated from 25 March 2026, legal scheduled from
    1 January 2027. Kentucky: regulated from some day of 2019 (year only)."""
    us = make_jurisdiction("US", name="United States (federal)")
    alabama = make_jurisdiction("US-AL", name="Alabama", parent=us)
    day = DatePrecision.DAY
    banned = record_status(
        alabama, "banned", summary="Schedule I (Act 2016-279)",
        effective_date=datetime.date(2016, 5, 10), effective_date_precision=day, today=TODAY,
    )  # fmt: skip
    regulated = record_status(
        alabama, "regulated", effective_date=datetime.date(2026, 3, 25), today=TODAY
    )
    legal = record_status(alabama, "legal", effective_date=datetime.date(2027, 1, 1), today=TODAY)
    kentucky = make_jurisdiction("US-KY", name="Kentucky", parent=us)
    yearly = record_status(
        kentucky, "regulated", effective_date=datetime.date(2019, 1, 1),
        effective_date_precision=DatePrecision.YEAR, today=TODAY,
    )  # fmt: skip
    return {"banned": banned, "regulated": regulated, "legal": legal, "yearly": yearly}


# (place, date, certainty, the version in force (a key of `places`) or None, its status)
CASES = [
    ("US-AL", "2016-05-10", "known", "banned", "banned"),  # the day the ban took effect
    ("US-AL", "2020-01-01", "known", "banned", "banned"),  # between two: the earlier
    ("US-AL", "2026-03-25", "known", "regulated", "regulated"),
    ("US-AL", "2026-12-31", "known", "regulated", "regulated"),  # the day before the scheduled
    ("US-AL", "2027-01-01", "known", "legal", "legal"),  # scheduled: on its date
    ("US-AL", "2030-06-01", "known", "legal", "legal"),  # and after
    ("US-AL", "2016-05-09", "unknown", None, "unverified"),  # before any version
    ("US-KY", "2019-06-01", "uncertain", None, "unverified"),  # within the year-only date
    ("US-KY", "2019-12-31", "known", "yearly", "regulated"),  # the year's last day: in force
    ("US-KY", "2018-12-31", "unknown", None, "unverified"),
]


@pytest.mark.parametrize(("code", "on", "certainty", "version", "status"), CASES)
def test_the_detail_answers_as_in_force_on_a_date(
    client, places, code, on, certainty, version, status
):
    body = client.get(f"/api/v1/jurisdictions/{code}", {"on": on}).json()
    assert body["on"]["date"] == on and body["on"]["label"] == f"as in force on {on}"
    assert body["on"]["certainty"] == certainty
    assert body["status"] == status
    assert body["current"] == (
        None if version is None else {**body["current"], "id": places[version].pk}
    )
    assert body["upcoming"] is None
    # Never an invented status: unknown and uncertain answer with the baseline.
    assert (body["baseline"] is not None) == (version is None)
    if certainty == "uncertain":
        assert [v and v["id"] for v in body["on"]["between"]] == [None, places["yearly"].pk]
    else:
        assert body["on"]["between"] is None


# (ZIP, date, the leaf's rule, certainty)
BATCH_CASES = [
    (BIRMINGHAM_AL, "2016-05-10", "banned", "known"),
    (BIRMINGHAM_AL, "2020-01-01", "banned", "known"),
    (BIRMINGHAM_AL, "2027-01-01", "allowed", "known"),
    (BIRMINGHAM_AL, "2016-05-09", "unknown", "unknown"),
    (LOUISVILLE_KY, "2019-06-01", "unknown", "uncertain"),
    (LOUISVILLE_KY, "2020-06-01", "regulated", "known"),
]


@pytest.mark.parametrize(("zip_code", "on", "rule", "certainty"), BATCH_CASES)
def test_the_batch_check_and_the_zip_lookup_answer_as_on_a_date(
    client, places, zip_code, on, rule, certainty
):
    items = json.dumps({"items": [{"zip": zip_code, "category": "leaf"}]})
    response = client.post(f"/api/v1/check?on={on}", items, content_type="application/json")
    body = response.json()
    assert body["on"] == {"date": on, "label": f"as in force on {on}"}
    answer = body["results"][0]["rules"]["leaf"]
    assert (answer["rule"], answer["certainty"]) == (rule, certainty)
    assert answer["uncertain_in"] == (["US-KY"] if certainty == "uncertain" else [])
    lookup = client.get("/api/v1/lookup", {"zip": zip_code, "on": on}).json()
    assert lookup["on"]["date"] == on and lookup["rules"]["leaf"]["rule"] == rule
    assert lookup["state"]["on"]["certainty"] == certainty


def test_the_restricted_list_as_on_a_date(client, places):
    then = client.get("/api/v1/restricted-zips.json", {"category": "leaf", "on": "2020-01-01"})
    now = client.get("/api/v1/restricted-zips.json", {"category": "leaf"}).json()
    assert then.json()["on"]["label"] == "as in force on 2020-01-01"
    assert BIRMINGHAM_AL in {row[0] for row in then.json()["zips"]}
    assert BIRMINGHAM_AL not in {row[0] for row in now["zips"]} and "on" not in now
    uncertain = client.get(
        "/api/v1/restricted-zips.json", {"category": "leaf", "on": "2019-06-01"}
    ).json()
    assert uncertain["on"]["uncertain"] == ["US-KY"]
    csv = client.get("/api/v1/restricted-zips.csv", {"category": "leaf", "on": "2020-01-01"})
    assert csv.content.decode().startswith("# As in force on 2020-01-01.")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/jurisdictions/US-AL", "/api/v1/lookup?zip=35203", "/api/v1/check"],
)
@pytest.mark.parametrize("on", ["2016-5-10", "2016-02-30", "yesterday", "", "20160510"])
def test_a_malformed_date_is_a_400(client, places, path, on):
    separator = "&" if "?" in path else "?"
    url = f"{path}{separator}on={on}"
    if path.endswith("check"):
        response = client.post(url, '{"items": []}', content_type="application/json")
    else:
        response = client.get(url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_on"


@pytest.mark.parametrize("path", ["/j/US-AL/", "/lookup?zip=35203"])
def test_a_malformed_date_on_a_page_is_a_400(client, places, path):
    separator = "&" if "?" in path else "?"
    assert client.get(f"{path}{separator}on=someday").status_code == 400


def test_the_etag_without_on_is_the_one_of_the_plain_read_and_on_is_its_own_key(client, places):
    plain = client.get("/api/v1/jurisdictions/US-AL")
    junk = client.get("/api/v1/jurisdictions/US-AL", {"cb": "1"})
    dated = client.get("/api/v1/jurisdictions/US-AL", {"on": "2020-01-01"})
    assert plain["ETag"] == junk["ETag"] != dated["ETag"]
    assert "on" not in plain.json() and plain.json()["status"] == "regulated"
    assert dated.json()["status"] == "banned"


def test_the_page_says_as_in_force_on_the_date(client, places):
    page = client.get("/j/US-AL/", {"on": "2016-05-10"}).content.decode()
    assert "As in force on" in page and "2016-05-10" in page
    assert "Schedule I (Act 2016-279)" in page and 'class="answer answer-banned"' in page
    before = client.get("/j/US-AL/", {"on": "2016-05-09"}).content.decode()
    assert "Unknown." in before and 'id="baseline-title"' in before
    uncertain = client.get("/j/US-KY/", {"on": "2019-06-01"}).content.decode()
    assert "Uncertain." in uncertain and "2019" in uncertain
    zip_page = client.get("/lookup", {"zip": BIRMINGHAM_AL, "on": "2020-01-01"}).content.decode()
    assert "As in force on" in zip_page and 'class="answer answer-banned"' in zip_page
