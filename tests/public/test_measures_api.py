"""The public side of measures over the API: /api/v1/measures, its detail, and the pending
and scheduled blocks of a jurisdiction's detail and a ZIP's answer (seeded data)."""

import csv
import datetime
import gzip
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jurisdictions.generation import public_generation_bump
from tests.measures.factories import make_measure
from tracker.measures.models import Measure, Provider, Review, Stage
from tracker.public.openapi import MEASURE_STAGES

ATLANTA = "30303"


@pytest.fixture
def seeded(seeded_db, db):
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _hb968() -> Measure:
    return Measure.objects.get(jurisdiction__code="US-GA", identifier="HB 968")


def test_the_list_holds_public_measures_only_each_saying_it_is_not_law(client, seeded):
    body = client.get("/api/v1/measures", {"per_page": 200}).json()
    identifiers = {(m["jurisdiction"]["code"], m["identifier"]) for m in body["results"]}
    assert body["count"] == Measure.objects.public().count() == len(body["results"])
    assert ("US-GA", "HB 968") in identifiers
    # Kentucky's HB 757 rests on one secondary source: a lead, never shown as a fact.
    assert ("US-KY", "HB 757") not in identifiers
    for measure in body["results"]:
        assert measure["is_law"] is False and "not law" in measure["notice"]
        assert measure["source"] and "as_of" in measure
    withdrawn = next(m for m in body["results"] if m["stage"] == "withdrawn")
    assert withdrawn["failed"] is True


def test_the_filters(client, seeded):
    georgia = client.get("/api/v1/measures", {"jurisdiction": "US-GA"}).json()["results"]
    assert [m["identifier"] for m in georgia] == ["HB 968"]
    hb968 = georgia[0]
    assert hb968["stage"] == "in_committee" and hb968["would_change"]["leaf"] == "banned"
    in_committee = client.get("/api/v1/measures", {"stage": "in_committee"}).json()["results"]
    assert in_committee and {m["stage"] for m in in_committee} == {"in_committee"}
    synthetic = client.get("/api/v1/measures", {"category": "synthetic"}).json()["results"]
    assert synthetic and all(
        m["would_change"]["synthetic"] not in ("unchanged", "unknown") for m in synthetic
    )
    pending = client.get("/api/v1/measures", {"pending": "true", "per_page": 200}).json()
    stages = {m["stage"] for m in pending["results"]}
    assert not stages & {"failed", "vetoed", "expired", "withdrawn", "in_force"}
    dated = [m["next_date"] for m in pending["results"] if m["next_date"]]
    assert dated == sorted(dated)
    later = client.get("/api/v1/measures", {"updated_since": "2999-01-01"}).json()
    assert later["count"] == 0
    for bad in ({"stage": "dead"}, {"pending": "yes"}, {"updated_since": "soon"}):
        assert client.get("/api/v1/measures", bad).status_code == 400
    assert client.get("/api/v1/measures", {"jurisdiction": "US-ZZ"}).status_code == 404


def test_the_detail_has_its_actions_and_a_lead_is_not_found(client, seeded):
    hb968 = _hb968()
    body = client.get(f"/api/v1/measures/{hb968.pk}").json()
    assert body["identifier"] == "HB 968" and isinstance(body["actions"], list)
    lead = Measure.objects.get(jurisdiction__code="US-KY", identifier="HB 757")
    assert client.get(f"/api/v1/measures/{lead.pk}").status_code == 404
    assert client.get("/api/v1/measures/99999999999").status_code == 404


def test_the_georgia_detail_and_zip_answer_name_hb_968_per_product(client, seeded):
    detail = client.get("/api/v1/jurisdictions/US-GA").json()
    for category in ("leaf", "7oh"):
        assert "HB 968" in [m["identifier"] for m in detail["pending"][category]]
    assert detail["scheduled"] == []
    answer = client.get("/api/v1/lookup", {"zip": ATLANTA}).json()
    assert "HB 968" in [m["identifier"] for m in answer["pending"]["leaf"]]
    assert answer["scheduled"] == []


def test_a_measure_that_changes_nothing_is_not_pending_for_that_product(client, seeded):
    detail = client.get("/api/v1/jurisdictions/US-GA").json()
    federal_synthetic_only = [
        m for m in detail["pending"]["leaf"] if m["would_change"]["leaf"] in ("unchanged",)
    ]
    assert federal_synthetic_only == []


def test_a_new_measure_reaches_the_cached_detail(client, seeded):
    client.get("/api/v1/jurisdictions/US-GA")  # cached now
    georgia = _hb968().jurisdiction
    from tracker.measures.services import MeasureFacts, measure_upsert

    measure_upsert(
        provider=Provider.OPENSTATES,
        provider_key="ocd-bill/ga-sb-1",
        facts=MeasureFacts(
            jurisdiction_id=georgia.pk, kind="bill", identifier="SB 1", title="Kratom",
            stage=Stage.INTRODUCED, changes={"leaf": "banned", "extract": "unknown",
                                             "7oh": "unknown", "synthetic": "unknown"},
        ),
    )  # fmt: skip
    public_generation_bump()  # the bump runs on commit; the test's transaction never commits
    detail = client.get("/api/v1/jurisdictions/US-GA").json()
    assert "SB 1" in [m["identifier"] for m in detail["pending"]["leaf"]]


def _queries(client, url) -> int:
    public_generation_bump()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_number_of_measures(client, seeded):
    georgia = _hb968().jurisdiction
    urls = [
        "/api/v1/measures?per_page=200",
        "/api/v1/jurisdictions/US-GA",
        "/api/v1/lookup?zip=30303",
        "/api/v1/measures/export.json",
        "/api/v1/measures/export.csv",
    ]
    before = [_queries(client, url) for url in urls]
    for n in range(25):
        make_measure(georgia, identifier=f"HB {2000 + n}", provider=Provider.OPENSTATES,
                     review=Review.RELEVANT, change_leaf="banned")  # fmt: skip
    after = [_queries(client, url) for url in urls]
    assert after == before


def test_the_csv_export_has_every_public_measure_and_no_lead(client, seeded):
    response = client.get("/api/v1/measures/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="kratom-measures.csv"'
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    assert reader.fieldnames[:6] == [
        "id", "jurisdiction_code", "jurisdiction_name", "jurisdiction_level", "kind", "identifier"
    ]  # fmt: skip
    rows = list(reader)
    assert len(rows) == Measure.objects.public().count()
    assert ("US-KY", "HB 757") not in {(r["jurisdiction_code"], r["identifier"]) for r in rows}
    hb968 = _hb968()
    row = next(r for r in rows if r["id"] == str(hb968.pk))
    assert row["jurisdiction_code"] == "US-GA" and row["identifier"] == "HB 968"
    assert row["stage"] == "in_committee" and row["session"] == hb968.session
    assert row["would_change_leaf"] == "banned" == hb968.change_leaf
    assert row["would_change_7oh"] == hb968.change_7oh
    assert row["official_url"] == hb968.official_url
    assert row["source"] == hb968.get_provider_display() and row["source"]
    assert row["as_of"] == (hb968.as_of.isoformat() if hb968.as_of else "")
    assert row["is_law"] == "false" and row["failed"] == "false"


def test_the_json_export_rows_have_the_csv_columns_and_say_not_law(client, seeded):
    body = client.get("/api/v1/measures/export.json").json()
    csv_header = client.get("/api/v1/measures/export.csv").content.decode().splitlines()[0]
    assert body["columns"] == csv_header.split(",")
    assert "not law" in body["notice"]
    assert len(body["measures"]) == Measure.objects.public().count()
    for row in body["measures"]:
        assert set(row) == set(body["columns"])
        assert row["is_law"] is False
    identifiers = {(row["jurisdiction_code"], row["identifier"]) for row in body["measures"]}
    assert ("US-GA", "HB 968") in identifiers and ("US-KY", "HB 757") not in identifiers
    withdrawn = next(row for row in body["measures"] if row["stage"] == "withdrawn")
    assert withdrawn["failed"] is True


@pytest.mark.parametrize("path", ["/api/v1/measures/export.csv", "/api/v1/measures/export.json"])
def test_the_exports_answer_304_and_are_gzipped_when_large(client, seeded, path):
    first = client.get(path)
    assert first["ETag"].startswith('"') and "max-age" in first["Cache-Control"]
    again = client.get(path, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    georgia = _hb968().jurisdiction
    for n in range(60):  # past the 16 KB over which a public read is sent gzipped
        make_measure(georgia, identifier=f"SB {3000 + n}", title="Relating to kratom " * 8)
    public_generation_bump()
    grown = client.get(path, headers={"accept-encoding": "gzip"})
    assert grown["ETag"] != first["ETag"]
    assert grown["Content-Encoding"] == "gzip"
    assert b"SB 3059" in gzip.decompress(grown.content)


def test_the_about_page_links_the_measures_exports(client, seeded):
    page = client.get("/about/").content.decode()
    assert 'href="/api/v1/measures/export.csv"' in page
    assert 'href="/api/v1/measures/export.json"' in page


def test_the_openapi_stages_are_the_models():
    assert MEASURE_STAGES == Stage.values
