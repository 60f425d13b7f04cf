"""A curator records, in Chromium, the upcoming status an enacted measure brings, from its
"Verify next" item; the version cites the measure."""

import datetime

import pytest
import time_machine

from jurisdictions.models import StatusVersion
from tests.factories import make_curator, make_jurisdiction, record_status
from tests.measures.factories import make_measure
from tracker.measures.models import NextDateKind, Provider, Stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"
BILL_URL = "https://www.revisor.mn.gov/bills/bill.php?b=House&f=HF3453&ssn=0&y=2026"


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)):
        yield


def test_an_enacted_measure_becomes_an_upcoming_version_citing_it(frozen, live_server, page):
    us = make_jurisdiction("US", name="United States (federal)")
    minnesota = make_jurisdiction("US-MN", name="Minnesota", parent=us)
    record_status(minnesota, "legal", as_of=datetime.date(2026, 11, 1))
    make_measure(
        minnesota,
        identifier="HF 3453",
        title="Kratom: legal age for possession and sale raised from 18 to 21",
        provider=Provider.REFERENCE,
        stage=Stage.ENACTED,
        next_date=datetime.date(2027, 8, 1),
        next_date_kind=NextDateKind.EFFECTIVE,
        official_url=BILL_URL,
        change_leaf="regulated",
        change_extract="regulated",
        change_7oh="regulated",
        change_synthetic="unchanged",
        attention_since=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
    )
    make_curator("alice")

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/monitoring/worklist/")
    row = page.locator('#worklist tr[data-code="US-MN"]')
    assert "1 measure(s) to review" in row.inner_text()
    row.locator("a").click()
    page.wait_for_selector("#measures")
    assert "HF 3453" in page.inner_text("#measures")
    page.click("a.record-from-measure")
    page.wait_for_selector("#record-from-measure")
    assert page.input_value("#id_effective_date") == "2027-08-01"
    assert page.input_value("#id_rule_leaf") == "regulated"
    page.fill("#id_summary", "From 2027-08-01 kratom may be sold only to people 21 and older.")
    for category in ("leaf", "extract", "7oh"):
        page.fill(f"#id_min_age_{category}", "21")
    with page.expect_navigation():
        page.click("#record-form input[type=submit]")

    minnesota.refresh_from_db()
    version = StatusVersion.objects.get(pk=minnesota.upcoming_status_id)
    assert version.effective_date == datetime.date(2027, 8, 1) and version.status == "regulated"
    assert any(c["url"] == BILL_URL and "HF 3453" in c["text"] for c in version.citations)
    assert minnesota.current_status.status == "legal"  # until the day it takes effect
