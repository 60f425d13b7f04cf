"""The "Verify next" worklist on a seeded database: its order, its item page, and landing
on the next item after either decision."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jurisdictions.models import Jurisdiction, Lead, Level
from jurisdictions.services.corrections import lead_report_correction
from tests.factories import (
    citations_post,
    make_curator,
    make_jurisdiction,
    make_proposal,
    record_status,
    rules_post,
)
from tracker.monitoring.models import Source
from tracker.monitoring.worklist import REASON_ORDER, Reason, worklist

pytestmark = pytest.mark.django_db
# The seeded measures' dates rank places by how soon they fall (within 30 days comes first):
# the order is checked on one fixed day, whatever the real date.
TODAY = datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def situations(seeded_db, clock):
    """A due upcoming date (TX), a fresh public report (OH), a pending proposal (VT) and a
    flagged source (WY), on top of the seed's stale statuses and review leads."""
    today = timezone.localdate()
    texas = Jurisdiction.objects.get(code="US-TX")
    record_status(
        texas,
        "banned",
        as_of=today,
        effective_date=today + datetime.timedelta(days=10),
        today=today,
    )
    lead_report_correction(
        jurisdiction=Jurisdiction.objects.get(code="US-OH"),
        summary="Ohio's board scheduled kratom.",
        source_url="https://pharmacy.ohio.gov/",
    )
    make_proposal(Jurisdiction.objects.get(code="US-VT"))
    wyoming = Source.objects.filter(jurisdiction__code="US-WY", enabled=True).first()
    Source.objects.filter(pk=wyoming.pk).update(flagged_at=timezone.now(), consecutive_failures=5)
    return today


def _first(items, code):
    return next(i for i, item in enumerate(items) if item.jurisdiction.code == code)


def test_the_order_is_due_dates_leads_proposals_flags_then_stale_states_oldest_first(situations):
    items = worklist()
    reasons = [item.first_reason for item in items]
    assert reasons == sorted(reasons, key=REASON_ORDER.index)
    assert items[0].jurisdiction.code == "US-TX" and reasons[0] == Reason.UPCOMING
    assert items[_first(items, "US-OH")].first_reason == Reason.LEAD
    # Kentucky's coming ban is a review lead newer than its last verification: near the top,
    # before the places that have only the reference data's own low-confidence leads (its
    # measure, HB 757, effective 2027-01-01, may put it higher still).
    kentucky = _first(items, "US-KY")
    assert Reason.LEAD in items[kentucky].reasons and kentucky < 20
    seed_only = [i for i, item in enumerate(items) if item.lead_rank[0] == 2]
    assert seed_only and kentucky < min(seed_only)
    assert items[_first(items, "US-OH")].lead_rank[0] == 0  # a visitor's report leads the block
    assert items[_first(items, "US-IL-NAPERVILLE")].first_reason == Reason.LEAD
    assert items[_first(items, "US-VT")].first_reason == Reason.PROPOSAL
    assert items[_first(items, "US-WY")].first_reason == Reason.FLAGGED
    stale = [item.jurisdiction for item in items if item.first_reason == Reason.STALE]
    assert stale, "the seed's statuses are all older than 90 days"
    local = [j.level in (Level.COUNTY, Level.CITY) for j in stale]
    assert local == sorted(local)  # states before counties and cities
    states = [j for j in stale if j.level == Level.STATE]
    assert [j.last_verified_on for j in states] == sorted(j.last_verified_on for j in states)
    assert all(item.first_reason == Reason.NO_KRATOM_SOURCE for item in items[len(reasons) :])


def test_a_lead_older_than_the_last_verification_does_not_list_its_place(situations):
    massachusetts = Jurisdiction.objects.get(code="US-MA")
    Jurisdiction.objects.filter(pk=massachusetts.pk).update(last_verified_on=situations)
    listed = {item.jurisdiction.code: item.reasons for item in worklist()}
    assert Reason.LEAD not in listed.get("US-MA", {})
    assert Lead.objects.open().filter(jurisdiction=massachusetts).exists()


def test_the_item_page_holds_everything_and_still_correct_lands_on_the_next(situations, client):
    client.force_login(make_curator())
    items = worklist()
    stale_at = next(i for i, item in enumerate(items) if item.first_reason == Reason.STALE)
    florida_like = items[stale_at].jurisdiction
    following = items[stale_at + 1].jurisdiction
    url = f"/admin/monitoring/worklist/{florida_like.pk}/?at={stale_at}"
    html = client.get(url).content.decode()
    for part in ['id="status-panel"', 'id="official-text"', 'id="sources"', 'id="reverify-form"']:
        assert part in html
    assert 'id="record-form"' in html
    response = client.post(
        url, {"action": "reverify", "position": stale_at, "reverify-reason": "Read the statute."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/monitoring/worklist/{following.pk}/?at={stale_at}"
    florida_like.refresh_from_db()
    assert florida_like.last_verified_on == timezone.localdate()
    assert florida_like.pk not in [item.jurisdiction.pk for item in worklist()][: stale_at + 1]


def test_record_a_change_uses_the_normal_confirm_form_and_four_eyes(situations, client):
    client.force_login(make_curator())
    ohio = Jurisdiction.objects.get(code="US-OH")
    position = _first(worklist(), "US-OH")
    data = {
        "action": "record",
        "position": position,
        **rules_post("banned"),
        "summary": "Kratom is a Schedule I substance.",
        "as_of": timezone.localdate().isoformat(),
        "effective_date_precision": "day",
        **citations_post(
            {
                "url": "https://codes.ohio.gov/ohio-administrative-code/rule-4729:9-1-01",
                "text": "Ohio Adm.Code 4729:9-1-01",
            }
        ),
        "seen_version": ohio.current_status_id or "",
    }
    response = client.post(f"/admin/monitoring/worklist/{ohio.pk}/", data)
    assert response.status_code == 302 and "/admin/monitoring/worklist/" in response["Location"]
    # To a ban: a second curator must approve before it is recorded.
    assert ohio.approvals.pending().count() == 1


def test_the_jurisdiction_list_says_which_places_watch_a_kratom_specific_page(situations, client):
    client.force_login(make_curator())
    html = client.get("/admin/jurisdictions/jurisdiction/?q=US-MD").content.decode()
    assert "Kratom-specific source" in html and 'alt="True"' in html


def _places_to_verify(count: int, *, start: int = 0) -> list[Jurisdiction]:
    """Places with a status nobody verified for years: each is a worklist item."""
    places = [make_jurisdiction(f"US-Q{n:02d}") for n in range(start, start + count)]
    for place in places:
        record_status(place, as_of=datetime.date(2024, 1, 2))
    return places


def _item_page_reads(client, place: Jurisdiction) -> tuple[int, int]:
    """(queries, rows they read) of one item page: each SELECT is run again to count its rows."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/admin/monitoring/worklist/{place.pk}/?at=0")
    assert response.status_code == 200
    rows = 0
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if query["sql"].lstrip().upper().startswith("SELECT"):
                cursor.execute(query["sql"])
                rows += len(cursor.fetchall())
    return len(captured), rows


def test_an_item_page_reads_its_own_row_not_the_whole_worklist(client):
    client.force_login(make_curator())
    place = _places_to_verify(3)[0]
    assert "verified 1" in client.get(f"/admin/monitoring/worklist/{place.pk}/").content.decode()
    few, listed = _item_page_reads(client, place), len(worklist())
    _places_to_verify(40, start=3)
    assert len(worklist()) == listed + 40
    assert _item_page_reads(client, place) == few
