"""The same bill from two sources (the reference data and Open States, or Open States and
LegiScan) is shown to the public once: the second record waits for a curator."""

import pytest

from tests.factories import make_curator, make_jurisdiction
from tests.measures.factories import make_measure
from tests.measures.provider_routes import legiscan_serve
from tracker.alerts.models import Event
from tracker.measures.identity import bill_numbers, may_be_the_same
from tracker.measures.models import Measure, Provider, Review, Stage
from tracker.measures.public import measures_pending
from tracker.measures.services import MeasureFacts, measure_review, measure_upsert
from tracker.measures.sync import provider_run

pytestmark = pytest.mark.django_db


def test_a_bill_number_is_spelled_one_way():
    assert bill_numbers("S 432") == bill_numbers("SB 432") == bill_numbers("s.b. 0432") == {"SB432"}
    assert bill_numbers("HB 1649 / SB 1656") == {"HB1649", "SB1656"}
    assert bill_numbers("SB 154 (Act 41 of 2025)") == {"SB154"}
    assert bill_numbers("FR 2026-13580 (Docket DEA-1570; 91 FR 40917)") == {"FR2026-13580"}
    assert bill_numbers("AG emergency rule of 2025-12-08 (rule number not found)") == set()
    assert bill_numbers("HR 21") != bill_numbers("HB 21")  # a resolution is not a bill


def test_numbers_start_again_each_session():
    assert may_be_the_same("SB 432", "2026", "S 432", "2025-2026 (2026)")
    assert not may_be_the_same("SB 432", "2024", "S 432", "2026")
    assert may_be_the_same("HR 21", "119th Congress", "H.R. 21", "2025")  # no year to compare
    assert not may_be_the_same("SB 433", "2026", "SB 432", "2026")


def _upsert(jurisdiction, identifier, session="2026", *, key="ocd-bill/fl-sb-432", stage=None):
    return measure_upsert(
        provider=Provider.OPENSTATES,
        provider_key=key,
        facts=MeasureFacts(
            jurisdiction_id=jurisdiction.pk, kind="bill", identifier=identifier, session=session,
            title="Relating to kratom", stage=stage or Stage.INTRODUCED,
        ),
    ).measure  # fmt: skip


@pytest.fixture
def seeded_bill():
    """Florida's S 432 as the reference data keeps it: public."""
    return make_measure(
        provider=Provider.REFERENCE, provider_key="US-FL|S 432", identifier="S 432",
        session="2026", jurisdiction=make_jurisdiction("US-FL", name="Florida"),
    )  # fmt: skip


def test_a_second_record_of_a_public_bill_waits_for_a_curator_and_is_shown_once(seeded_bill):
    found = _upsert(seeded_bill.jurisdiction, "SB 432")
    assert found.review == Review.LEAD and found.attention_since is not None
    assert found.attention_reason == f"may be the same as Reference data S 432 (#{seeded_bill.pk})"
    assert list(measures_pending()) == [seeded_bill]
    assert not Event.objects.exists()  # subscribers were told of S 432 once, not again
    assert found in Measure.objects.needing_review()


def test_another_session_or_number_is_a_measure_of_its_own(seeded_bill):
    assert _upsert(seeded_bill.jurisdiction, "SB 432", "2024").review == Review.RELEVANT
    other = _upsert(seeded_bill.jurisdiction, "SB 433", key="ocd-bill/fl-sb-433")
    assert other.review == Review.RELEVANT and other.attention_reason == "new measure"


def test_the_curator_says_which_record_the_public_sees_and_still_hears_of_the_other(
    seeded_bill,
):
    curator = make_curator()
    found = _upsert(seeded_bill.jurisdiction, "SB 432")
    review = {"actor": curator, "changes": seeded_bill.changes}
    measure_review(measure_id=found.pk, review=Review.RELEVANT, **review)
    measure_review(measure_id=seeded_bill.pk, review=Review.SAME_AS, **review)
    assert list(measures_pending()) == [found]
    # The record no longer shown still moves: its stage change is a curator's item again.
    seeded_bill.refresh_from_db()
    assert seeded_bill.attention_since is None
    moved = measure_upsert(
        provider=Provider.REFERENCE, provider_key="US-FL|S 432",
        facts=MeasureFacts(
            jurisdiction_id=seeded_bill.jurisdiction_id, kind="bill", identifier="S 432",
            session="2026", title="Relating to kratom", stage=Stage.PASSED_ONE_CHAMBER,
        ),
    ).measure  # fmt: skip
    assert moved.review == Review.SAME_AS and moved.attention_since is not None
    assert list(measures_pending()) == [found]


def test_legiscan_finding_a_bill_open_states_has_shown_keeps_it_as_a_lead(legiscan, places):
    _us, texas = places
    shown = make_measure(texas, identifier="HB 1044", session="2012")
    legiscan_serve(legiscan, [[(396373, "hash-1")]])
    assert provider_run(provider=Provider.LEGISCAN).measures_created == 1
    found = Measure.objects.get(provider=Provider.LEGISCAN)
    assert (found.identifier, found.review) == ("HB1044", Review.LEAD)
    assert found.attention_reason == f"may be the same as Open States HB 1044 (#{shown.pk})"


def test_the_worklist_item_names_the_other_record_and_offers_the_choice(seeded_bill, client):
    client.force_login(make_curator())
    found = _upsert(seeded_bill.jurisdiction, "SB 432")
    page = f"/admin/monitoring/worklist/{seeded_bill.jurisdiction_id}/"
    html = client.get(page).content.decode()
    assert f"waits: may be the same as Reference data S 432 (#{seeded_bill.pk})" in html
    prefix = f"measure-{found.pk}"
    assert f'name="{prefix}-review" value="same_as"' in html
    changes = {f"{prefix}-change_{c}": "unknown" for c in ("leaf", "extract", "7oh", "synthetic")}
    posted = {"action": "measure_review", "measure": found.pk, "position": 0, **changes}
    response = client.post(page, {**posted, f"{prefix}-review": Review.SAME_AS})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.review == Review.SAME_AS and found.attention_since is None
    assert "not shown: the same as another record" in client.get(page).content.decode()
