"""The timeline on a place's page and /pending/ with its feed (seeded data, Django's client)."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jurisdictions.generation import public_generation_bump
from tests.measures.factories import make_measure
from tracker.measures.models import Measure, Provider, Review


@pytest.fixture
def seeded(seeded_db, db):
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _timeline(html: str) -> str:
    return html[html.index('id="timeline"') : html.index('id="history-title"')]


def test_georgias_page_shows_hb_968_its_stage_and_what_it_would_do(client, seeded):
    timeline = _timeline(client.get("/j/US-GA/").content.decode())
    entry = timeline[timeline.index('data-measure="HB 968"') :]
    entry = entry[: entry.index("</li>\n")]
    assert "Pending, not law" in entry and "In committee" in entry
    assert re.search(r'data-category="leaf">Leaf: would be banned', entry)
    assert re.search(r'data-category="7oh">7-OH products: would be banned', entry)
    assert "A measure is not law" in entry and "as of 2026-03-31" in entry
    # The version in force is on the same line.
    assert 'data-kind="in_force"' in timeline


def test_a_state_page_lists_its_places_and_the_federal_measures(client, seeded):
    georgia = Measure.objects.get(identifier="HB 968").jurisdiction
    county = georgia.children.first() or georgia
    make_measure(county, identifier="ORD 7", provider=Provider.REFERENCE,
                 provider_key="local-ord-7", title="County kratom ordinance")  # fmt: skip
    public_generation_bump()
    timeline = _timeline(client.get("/j/US-GA/").content.decode())
    assert 'data-measure="ORD 7"' in timeline
    federal = (
        Measure.objects.public()
        .filter(jurisdiction__code="US")
        .exclude(stage__in=["failed", "vetoed", "expired", "withdrawn", "in_force"])
    )
    assert all(f'data-measure="{m.identifier}"' in timeline for m in federal)


def test_pending_lists_the_seeded_measures_soonest_first_and_filters(client, seeded):
    html = client.get("/pending/").content.decode()
    shown = re.findall(r'<li data-measure="([^"]+)"', html)
    expected = list(
        Measure.objects.public()
        .exclude(stage__in=["failed", "vetoed", "expired", "withdrawn", "in_force"])
        .order_by("next_date", "-stage_date", "id")
        .values_list("identifier", flat=True)
    )
    assert shown == expected and "HB 968" in shown and "HB 757" not in shown
    georgia = client.get("/pending/", {"state": "US-GA"}).content.decode()
    assert re.findall(r'<li data-measure="([^"]+)"', georgia) == ["HB 968"]
    federal = client.get("/pending/", {"state": "US"}).content.decode()
    assert "HB 968" not in re.findall(r'<li data-measure="([^"]+)"', federal)
    synthetic = client.get("/pending/", {"category": "synthetic", "stage": "in_committee"})
    assert synthetic.status_code == 200
    assert client.get("/pending/", {"stage": "dead"}).status_code == 400
    feed = client.get("/pending/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "Georgia HB 968: In committee" in feed.content.decode()


def _queries(client, url) -> int:
    public_generation_bump()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_page_query_counts_do_not_grow_with_the_number_of_measures(client, seeded):
    georgia = Measure.objects.get(identifier="HB 968").jurisdiction
    urls = [
        "/j/US-GA/",
        "/pending/",
        "/pending/feed.atom",
        "/j/US-GA/feed.atom",
        "/lookup?zip=30303",
    ]
    before = [_queries(client, url) for url in urls]
    for n in range(25):
        make_measure(georgia, identifier=f"SB {100 + n}", review=Review.RELEVANT,
                     change_leaf="banned")  # fmt: skip
    assert [_queries(client, url) for url in urls] == before


def test_a_places_feed_names_its_measures_stage_changes(client, seeded):
    feed = client.get("/j/US-GA/feed.atom").content.decode()
    assert "Georgia HB 968: stage in committee (a measure, not law)" in feed
    # The versions are still there, with their ids as before.
    assert "/j/US-GA/#v" in feed


def test_a_places_feed_never_names_a_leads_stage_changes(client, seeded):
    Measure.objects.filter(identifier="HB 968").update(review=Review.LEAD)
    public_generation_bump()
    feed = client.get("/j/US-GA/feed.atom").content.decode()
    assert "Georgia HB 968: stage" not in feed and "/j/US-GA/#v" in feed


def test_a_stage_change_reaches_the_cached_feed(client, seeded):
    from tracker.measures.services import ActionFacts, MeasureFacts, measure_upsert

    client.get("/j/US-GA/feed.atom")
    hb968 = Measure.objects.get(identifier="HB 968")
    measure_upsert(
        provider=hb968.provider,
        provider_key=hb968.provider_key,
        facts=MeasureFacts(
            jurisdiction_id=hb968.jurisdiction_id, kind=hb968.kind, identifier="HB 968",
            title=hb968.title, stage="failed",
            actions=[ActionFacts(datetime.date(2026, 4, 6), "Sine die: died in committee", "failed")],
        ),
    )  # fmt: skip
    public_generation_bump()  # on commit in production; the test's transaction never commits
    feed = client.get("/j/US-GA/feed.atom").content.decode()
    assert "Georgia HB 968: stage failed (a measure, not law)" in feed


def test_a_georgia_zip_answer_names_hb_968_per_product(client, seeded):
    html = client.get("/lookup", {"zip": "30303"}).content.decode()
    section = html[html.index('id="pending-by-product"') :]
    for category in ("leaf", "7oh"):
        row = section[section.index(f'data-category="{category}"') :]
        row = row[: row.index("</li>")]
        assert 'data-measure="HB 968"' in row and "would make it banned" in row


def test_the_map_marks_states_with_a_measure_that_would_change_that_product(client, seeded):
    leaf = client.get("/", {"map": "leaf"}).content.decode()
    assert 'data-pending="US-GA"' in leaf and "legend-pending" in leaf
    marked = set(re.findall(r'data-pending="([^"]+)"', leaf))
    for code in marked:  # each mark stands for a public measure of that state
        assert Measure.objects.public().filter(jurisdiction__code=code).exists()
    georgia_row = leaf[leaf.index('href="/j/US-GA/">Georgia</a></th>') :]
    georgia_row = georgia_row[: georgia_row.index("</tr>")]
    assert 'data-label="Pending"><span data-measure="HB 968">HB 968 (in committee)' in georgia_row
