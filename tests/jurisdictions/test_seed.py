import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from jurisdictions.baseline import baseline_paragraphs
from jurisdictions.models import Jurisdiction, Lead, Origin, Status
from tests.factories import make_user, record_status

pytestmark = pytest.mark.django_db

STATES_DC_TERRITORIES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP"
).split()


def _seed(capsys) -> str:
    call_command("seed")
    return capsys.readouterr().out


@pytest.fixture(scope="class")
def reference_data(django_db_setup, django_db_blocker):
    """The reference data, seeded once for the tests that only read it; rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.usefixtures("reference_data")
class TestTheSeededReferenceData:
    def test_seed_loads_every_state_dc_territory_and_the_federal_level(self):
        codes = set(Jurisdiction.objects.values_list("code", flat=True))
        assert {f"US-{code}" for code in STATES_DC_TERRITORIES} | {"US"} <= codes
        assert Jurisdiction.objects.get(code="US-TX").ocd_id == "ocd-division/country:us/state:tx"
        assert (
            Jurisdiction.objects.get(code="US-DC").ocd_id == "ocd-division/country:us/district:dc"
        )
        assert (
            Jurisdiction.objects.get(code="US-GU").ocd_id == "ocd-division/country:us/territory:gu"
        )
        sarasota = Jurisdiction.objects.get(code="US-FL-SARASOTA-COUNTY")
        assert sarasota.ocd_id == "ocd-division/country:us/state:fl/county:sarasota"
        assert sarasota.parent.code == "US-FL"
        assert Jurisdiction.objects.get(code="TH").level == "country"

    def test_high_rows_load_as_verified_as_of_their_date_with_citations(self):
        alabama = Jurisdiction.objects.with_status().get(code="US-AL")
        assert alabama.status == Status.BANNED
        assert alabama.current_status.origin == Origin.SEED
        assert alabama.last_verified_on == datetime.date(2026, 6, 12)  # as_of, not the load date
        citation = alabama.current_status.citations[0]
        assert citation["text"].startswith("Ala. Code 20-2-23")
        assert citation["url"].startswith("https://www.alabamaag.gov/")

    def test_low_rows_stay_unverified_and_become_leads(self):
        kansas = Jurisdiction.objects.get(code="US-KS")
        assert kansas.status == Status.UNVERIFIED
        assert kansas.current_status is None
        lead = Lead.objects.get(jurisdiction=kansas, origin=Lead.Origin.SEED)
        assert lead.confidence == "low" and lead.summary.startswith("CONTESTED")
        unknown_row = Lead.objects.filter(jurisdiction__code="US-GU")
        assert not unknown_row.exists()  # unknown: the baseline only

    def test_a_row_without_any_source_is_not_confirmed(self):
        alaska = Jurisdiction.objects.get(code="US-AK")  # medium, but no citation and no URL
        assert alaska.status == Status.UNVERIFIED
        assert Lead.objects.filter(jurisdiction=alaska).exists()


def test_seeding_twice_changes_nothing_and_says_so(capsys):
    first = _seed(capsys)
    assert "created: 0" not in first
    versions = list(Jurisdiction.objects.values_list("code", "current_status_id"))
    second = _seed(capsys)
    assert "created: 0" in second and "updated: 0" in second
    assert "Nothing to change" in second
    assert list(Jurisdiction.objects.values_list("code", "current_status_id")) == versions


def test_seeding_after_a_curator_confirmation_keeps_the_confirmation(capsys):
    _seed(capsys)
    texas = Jurisdiction.objects.get(code="US-TX")
    confirmed = record_status(texas, "banned", user=make_user("curator"))
    out = _seed(capsys)
    texas.refresh_from_db()
    assert texas.current_status == confirmed
    assert "status US-TX (a curator confirmed a later status)" in out


def test_the_baseline_says_what_the_seed_articles_say():
    text = " ".join(baseline_paragraphs())
    assert "state by state" in text
    assert "Food and Drug Administration" in text
    assert "not legal advice" in text
