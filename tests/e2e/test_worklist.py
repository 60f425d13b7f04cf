"""A curator re-verifies five states in a row from "Verify next" in Chromium, and the test
counts what each re-verification costs: form submits and page loads."""

import datetime
import re

import pytest
from django.utils import timezone

from jurisdictions.models import Decision, DecisionAction, Jurisdiction
from tests.factories import make_curator, make_jurisdiction, record_status
from tracker.monitoring.models import Source

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"
STATES = {"US-AL": "Alabama", "US-AK": "Alaska", "US-AZ": "Arizona", "US-AR": "Arkansas",
          "US-CA": "California"}  # fmt: skip


def test_five_states_re_verified_in_a_row_one_submit_and_one_page_load_each(live_server, page):
    us = make_jurisdiction("US", name="United States (federal)")
    today = timezone.localdate()
    for age, (code, name) in enumerate(STATES.items()):
        # Stale, the oldest first: verified 200, 199, … days ago.
        as_of = today - datetime.timedelta(days=200 - age)
        state = make_jurisdiction(code, name=name, parent=us)
        record_status(state, "regulated", as_of=as_of)
        # Watched by a kratom-specific page: once re-verified, nothing keeps it listed.
        Source.objects.create(
            jurisdiction=state, url=f"https://law.example.gov/{code}", kratom_specific=True
        )
    make_curator("alice")

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.click("#verify-next")
    page.wait_for_selector("#worklist")
    assert page.locator("#worklist tbody tr").count() == len(STATES)
    page.click("#start")
    page.wait_for_selector("#worklist-item")

    loads, submits = [], []
    page.on("load", lambda _page: loads.append(page.url))
    page.on("request", lambda r: submits.append(r.url) if r.method == "POST" else None)
    seen = []
    for _ in STATES:
        code = page.get_attribute("#worklist-item", "data-code")
        seen.append(code)
        assert re.search(r"verified (19[6-9]|200) days ago", page.inner_text("#reasons"))
        assert page.locator("#official-text a").count() >= 1  # the official text is linked
        loads.clear(), submits.clear()
        page.fill("#id_reverify-reason", f"Read the statute of {STATES[code]}.")
        with page.expect_navigation():
            page.click("#reverify-form input[type=submit]")
        page.wait_for_load_state("load")
        print(f"{code}: {len(submits)} form submit(s), {len(loads)} page load(s)")
        assert (len(submits), len(loads)) == (1, 1)

    assert seen == list(STATES)  # oldest verification first
    page.wait_for_selector("#worklist")  # the list is empty now: back on it
    assert "Nothing waits" in page.inner_text("#worklist")
    verified = Jurisdiction.objects.filter(code__in=STATES, last_verified_on=today)
    assert verified.count() == len(STATES)
    assert Decision.objects.filter(action=DecisionAction.REVERIFY).count() == len(STATES)
