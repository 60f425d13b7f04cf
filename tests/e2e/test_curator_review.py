"""A curator's day in Chromium: queue → proposal → diff → confirm; a ban needs a second curator."""

import pytest

from jurisdictions.models import Jurisdiction
from tests.e2e.screenshots import screenshot
from tests.factories import make_curator, make_jurisdiction, make_proposal, record_status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-only"

OLD_TEXT = """Texas Health and Safety Code
Chapter 444. Kratom Consumer Protection Act
Sec. 444.001. Definitions.
A dealer may not sell kratom to an individual under 18 years of age.
Sec. 444.002. Labeling.
Each kratom product must be labeled with the amount of mitragynine."""

NEW_TEXT = """Texas Health and Safety Code
Chapter 444. Kratom Consumer Protection Act
Sec. 444.001. Definitions.
A dealer may not sell kratom to an individual under 21 years of age.
A product containing 7-hydroxymitragynine (7-OH) above 2% of total alkaloids is prohibited.
Sec. 444.002. Labeling.
Each kratom product must be labeled with the amount of mitragynine."""


def log_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#curator-summary")


def test_a_curator_reviews_a_change_and_a_ban_takes_a_second_curator(live_server, page):
    texas = make_jurisdiction("US-TX", name="Texas")
    record_status(texas, "regulated", min_age=18)
    make_curator("alice")
    make_curator("bob")
    make_proposal(texas, old_text=OLD_TEXT, new_text=NEW_TEXT, title="Texas KCPA (Ch. 444)")

    # Alice opens the queue and the proposal, and reads the diff.
    log_in(page, live_server.url, "alice")
    assert page.inner_text("#count-pending") == "1"
    page.click("text=Changes to review")
    page.click("#result_list a:text('US-TX')")
    page.wait_for_selector("#diff")
    marks = page.locator("#diff tr.replace td.new mark.term").all_inner_texts()
    assert "7-hydroxymitragynine" in marks and "7-OH" in marks
    assert "under 21 years" in page.inner_text("#diff tr.replace td.new")
    assert "under 18 years" in page.inner_text("#diff tr.replace td.old")
    # The changed words are marked, not the whole line.
    assert page.locator("#diff tr.replace td.old del").first.inner_text() == "18"
    assert page.locator("#diff tr.replace td.new ins").first.inner_text() == "21"
    assert "You are working on this proposal" in page.inner_text("#claim")
    screenshot(page, "proposal.png", full_page=True)

    # She confirms new rules in the grid (pre-filled from the current version): 21+ for the
    # leaf, extracts and 7-OH products, and the 7-OH cap as the law words it. No ban changes,
    # so it is recorded at once.
    assert page.input_value("#confirm-form select[name=rule_leaf]") == "regulated"
    page.fill(
        "#confirm-form input[name=summary]", "Legal for adults 21+; 7-OH capped at 2% of alkaloids."
    )
    for category in ("leaf", "extract", "7oh"):
        page.fill(f"#confirm-form input[name=min_age_{category}]", "21")
    page.fill("#confirm-form input[name=limit_7oh]", "at most 2% of alkaloids")
    page.click("#confirm-form input[type=submit]")
    assert "Recorded: Texas is regulated" in page.inner_text("ul.messagelist")

    # The jurisdiction's status shows it (admin page and model).
    page.goto(f"{live_server.url}/admin/jurisdictions/jurisdiction/{texas.pk}/change/")
    assert "US-TX: regulated" in page.inner_text("#content")
    texas.refresh_from_db()
    assert (texas.status, texas.current_status.min_age) == ("regulated", 21)
    assert texas.current_status.seven_oh_rule == "Regulated: at most 2% of alkaloids"

    # A later leaf ban: Alice's confirmation waits for a second curator.
    make_proposal(
        texas,
        old_text=NEW_TEXT,
        new_text=NEW_TEXT + "\nKratom is a Schedule I controlled substance.",
    )
    page.goto(live_server.url + "/admin/monitoring/changeproposal/next/")
    page.wait_for_selector("#diff")
    page.select_option("#confirm-form select[name=rule_leaf]", "banned")
    page.click("#confirm-form input[type=submit]")
    # A ban needs its scope: the error is beside the field, nothing is recorded.
    assert "Say what the ban covers" in page.inner_text("#rule-grid")
    page.select_option("#confirm-form select[name=scope_leaf]", "possession")
    page.fill("#confirm-form input[name=summary]", "Kratom is a Schedule I controlled substance.")
    page.click("#confirm-form input[type=submit]")
    assert "needs a second curator" in page.inner_text("ul.messagelist")
    assert Jurisdiction.objects.get(pk=texas.pk).status == "regulated"
    page.goto(live_server.url + "/admin/")
    page.click("text=Confirmations waiting for a second curator")
    page.click("#result_list a:text('Texas')")
    assert "your own confirmation" in page.inner_text("#content")
    assert page.locator("#approve-form").count() == 0

    # Bob approves it; now the ban is the status.
    log_in(page, live_server.url, "bob")
    page.goto(live_server.url + "/admin/jurisdictions/statusapproval/")
    page.click("#result_list a:text('Texas')")
    page.click("#approve-form input[type=submit]")
    assert "Recorded: Texas is banned" in page.inner_text("ul.messagelist")
    texas.refresh_from_db()
    assert texas.status == "banned"
    assert texas.current_status.confirmed_by.username == "alice"
