import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_user
from tracker.measures.models import CLOSED_STAGES, Measure, MeasureAction, Provider, Review
from tracker.measures.seeding import MEASURES_CSV

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    with MEASURES_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_row_of_a_known_place_loads_as_a_measure_with_its_stage_action(seeded_db, rows):
    measures = Measure.objects.filter(provider=Provider.REFERENCE)
    # Blue Springs, MO is in no other reference file: skipped, not invented.
    assert measures.count() == len(rows) - 1 == 38
    assert not measures.filter(jurisdiction__code="US-MO-BLUE-SPRINGS").exists()
    tennessee = measures.get(jurisdiction__code="US-TN")
    assert (tennessee.stage, tennessee.stage_date) == ("enacted", datetime.date(2026, 5, 7))
    assert (tennessee.next_date, tennessee.next_date_kind) == (
        datetime.date(2026, 7, 1),
        "effective",
    )
    assert tennessee.changes == {c: "banned" for c in ("leaf", "extract", "7oh", "synthetic")}
    assert tennessee.as_of == datetime.date(2026, 6, 7)
    action = MeasureAction.objects.get(measure=tennessee)
    assert (action.date, action.stage) == (datetime.date(2026, 5, 7), "enacted")


def test_low_confidence_rows_are_leads_never_public(seeded_db, rows):
    low = {(r["jurisdiction_code"], r["identifier"]) for r in rows if r["confidence"] == "low"}
    leads = Measure.objects.filter(review=Review.LEAD)
    assert {(m.jurisdiction.code, m.identifier) for m in leads} == low - {
        ("US-MO-BLUE-SPRINGS", "(ordinance number not found)")
    }
    assert not Measure.objects.public().filter(confidence="low").exists()


def test_open_measures_wait_for_a_curator_and_closed_ones_do_not(seeded_db):
    waiting = Measure.objects.needing_review()
    assert waiting.count() == Measure.objects.exclude(stage__in=CLOSED_STAGES).count() == 30
    assert not waiting.filter(stage__in=CLOSED_STAGES).exists()


def test_seeding_again_changes_nothing(seeded_db):
    out = io.StringIO()
    call_command("seed", stdout=out)
    assert "created: 0\nupdated: 0\n" in out.getvalue()
    assert "leads: 10 (by stage:" in out.getvalue()
    assert MeasureAction.objects.count() == 38


def test_a_reseed_keeps_a_curators_would_change_and_review(seeded_db):
    curator = make_user("curator")
    measure = Measure.objects.get(jurisdiction__code="US-KS", identifier="HB 2365")
    Measure.objects.filter(pk=measure.pk).update(
        change_leaf="allowed",
        changes_confirmed_by=curator,
        changes_confirmed_at=timezone.now(),
        review=Review.RELEVANT,
        reviewed_by=curator,
    )
    call_command("seed", verbosity=0)
    measure.refresh_from_db()
    assert (measure.change_leaf, measure.review) == ("allowed", Review.RELEVANT)


def test_curators_see_the_seeded_measures_in_the_admin_and_in_verify_next(seeded_db, client):
    client.force_login(make_user("curator-admin", is_superuser=True, is_staff=True))
    listing = client.get("/admin/measures/measure/?q=HB+968").content.decode()
    assert "HB 968" in listing and "In committee" in listing
    measure = Measure.objects.get(jurisdiction__code="US-KS", identifier="HB 2365")
    page = client.get(f"/admin/measures/measure/{measure.pk}/change/").content.decode()
    assert "Enacted (reference data as of 2026-06-07)" in page
    worklist = client.get("/admin/monitoring/worklist/").content.decode()
    assert "measure(s) to review" in worklist
