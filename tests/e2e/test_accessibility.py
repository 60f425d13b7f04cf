"""WCAG 2.1 AA in headless Chromium: axe-core over every public page and the curators' own
pages at 1,280 and 375 px, on the curated reference data."""

import datetime
import re
from collections import Counter

import pytest
import time_machine
from django.core import signing
from django.utils import timezone
from playwright.sync_api import expect

from jurisdictions.models import Jurisdiction, Lead
from tests.e2e.axe import blocking_violations, nodes_per_rule, violations_report
from tests.factories import make_curator, make_proposal
from tracker.alerts.email_services import LINK_SALT
from tracker.alerts.models import EmailSubscription, Frequency, all_categories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
PASSWORD = "pw-for-tests-only"
WIDTHS = [1280, 375]
# Florida was verified (reference data) on 2026-06-25: stale on this day, so the pages show
# their "may be out of date" state beside current and unverified ones.
TODAY = datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)

PUBLIC_PAGES = {
    "home": "/",
    "map: extracts": "/?map=extract",
    "map: 7-OH products": "/?map=7oh",
    "map: synthetic alkaloids": "/?map=synthetic",
    "state": "/j/US-FL/",
    "unverified state": "/j/US-ID/",
    "county": "/j/US-FL-SARASOTA-COUNTY/",
    "city": "/j/US-CA-SAN-DIEGO/",
    "country": "/j/TH/",
    "federal": "/j/US/",
    "unlisted country": "/countries/BR/",
    "ZIP answer": "/lookup?zip=92101",
    "ZIP error": "/lookup?zip=9210",
    "search results": "/search?q=ca",
    "ambiguity": "/search?q=Georgia",
    "nothing found": "/search?q=zzzzqx",
    "about": "/about/",
    "sellers": "/sellers/",
    "report form": "/j/US-FL/report/",
    "report thanks": "/j/US-FL/report/thanks/",
    "pending measures": "/pending/",
    "not found": "/no-such-page/",
}
# The email alert pages a person reaches from a mail: their paths carry a link's secret.
ALERT_PAGES = [
    "alerts: check your mail",
    "alerts: confirm",
    "alerts: manage",
    "alerts: unsubscribe",
]
CURATOR_PAGES = [
    "curators' home",
    "verify next",
    "worklist item",
    "proposal review",
    "record a status",
    "lead review",
]


@pytest.fixture(scope="module", autouse=True)
def clock():
    # Autouse and module-wide: set before the seed, so every date the pages show is fixed.
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture(scope="module")
def curator_paths(site, django_db_blocker) -> dict[str, str]:
    with django_db_blocker.unblock():
        make_curator("alice")
        florida = Jurisdiction.objects.get(code="US-FL")
        proposal = make_proposal(
            florida,
            old_text="Kratom products may be sold to adults.",
            new_text="Products with 7-hydroxymitragynine above 1 mg/g are prohibited.",
        )
        lead = Lead.objects.filter(state=Lead.State.OPEN).order_by("pk").first()
    return {
        "curators' home": "/admin/",
        "verify next": "/admin/monitoring/worklist/",
        "worklist item": f"/admin/monitoring/worklist/{florida.pk}/?at=0",
        "proposal review": f"/admin/monitoring/changeproposal/{proposal.pk}/change/",
        "record a status": f"/admin/jurisdictions/jurisdiction/{florida.pk}/record-status/",
        "lead review": f"/admin/jurisdictions/lead/{lead.pk}/change/",
    }


@pytest.fixture(scope="module")
def alert_paths(site, django_db_blocker) -> dict[str, str]:
    with django_db_blocker.unblock():
        subscription = EmailSubscription.objects.create(
            email="reader@example.org", confirmed_at=timezone.now()
        )
        subscription.follows.add(Jurisdiction.objects.get(code="US-FL"))
    request = {
        "email": "new-reader@example.org",
        "codes": ["US-FL"],
        "zip_code": "",
        "categories": all_categories(),
        "frequency": Frequency.IMMEDIATE,
    }
    return {
        "alerts: check your mail": "/alerts/sent/",
        "alerts: confirm": f"/alerts/confirm/{signing.dumps(request, salt=LINK_SALT)}/",
        "alerts: manage": f"/alerts/manage/{subscription.key}/",
        "alerts: unsubscribe": f"/alerts/unsubscribe/{subscription.key}/",
    }


@pytest.fixture(scope="module")
def tally():
    """Nodes per rule on each page, printed at the module's end (shown with `-s`)."""
    pages: dict[str, Counter] = {}
    yield pages
    print("\naxe-core serious/critical WCAG 2.1 A/AA violations (nodes):")
    for page, counts in pages.items():
        if counts:
            print(f"  {page}: {dict(counts.most_common())}")
    totals = sum(pages.values(), Counter())
    print(f"  per rule, {len(pages)} page views: {dict(totals.most_common())}")
    print(f"  total: {totals.total()}")


@pytest.fixture(scope="module")
def tabs(browser, site, curator_paths):
    """One browser context per width, logged in as a curator (public pages ignore it)."""
    contexts = {}
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(site.url + "/admin/login/")
        page.fill("#id_username", "alice")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_selector("#curator-summary")
        contexts[width] = page
    yield contexts
    for page in contexts.values():
        page.context.close()


def _check(page, url: str, tally: dict, view: str) -> int:
    """Assert no serious violation on the page at url; its HTTP status."""
    response = page.goto(url)
    violations = blocking_violations(page)
    tally[view] = nodes_per_rule(violations)
    assert violations == [], violations_report(violations)
    return response.status


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_a_public_page_has_no_serious_wcag_violation(site, tabs, tally, name, width):
    _check(tabs[width], site.url + PUBLIC_PAGES[name], tally, f"{name} at {width}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ALERT_PAGES)
def test_an_email_alert_page_has_no_serious_wcag_violation(
    site, tabs, alert_paths, tally, name, width
):
    assert _check(tabs[width], site.url + alert_paths[name], tally, f"{name} at {width}") == 200


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", CURATOR_PAGES)
def test_a_curators_page_has_no_serious_wcag_violation(
    site, tabs, curator_paths, tally, name, width
):
    _check(tabs[width], site.url + curator_paths[name], tally, f"{name} at {width}")


def test_the_pages_checked_show_the_stale_and_the_unverified_states(site, tabs):
    # The palette is checked in every state a page can be in: "may be out of date" and
    # "unverified" too, not only the current, verified answer.
    page = tabs[1280]
    page.goto(site.url + PUBLIC_PAGES["state"])
    assert page.locator(".stale-notice").is_visible()
    page.goto(site.url + PUBLIC_PAGES["unverified state"])
    assert page.locator("#status-title .status-unverified").is_visible()


def test_a_curators_form_with_errors_focuses_the_first_and_passes_axe(site, tabs, curator_paths):
    page = tabs[1280]
    page.goto(site.url + curator_paths["record a status"])
    page.select_option("#record-form select[name=rule_leaf]", "banned")
    page.click("#record-form input[type=submit]")
    page.wait_for_selector("#record-form .errorlist")
    # The focus is on the first field marked invalid, which names its error. The browser
    # moves it to an `autofocus` field at its next rendering step, after the page has loaded:
    # `expect` waits for it (CI once read the focus before that step).
    first_invalid = page.locator("#record-form [aria-invalid=true]").first
    expect(first_invalid).to_be_focused()
    error_id = first_invalid.get_attribute("aria-describedby").split()[-1]
    error = page.locator(f"#{error_id}")
    assert "errorlist" in error.get_attribute("class") and error.inner_text().strip()
    assert first_invalid.get_attribute("name") == "scope_leaf"  # a ban needs its scope
    violations = blocking_violations(page)
    assert violations == [], violations_report(violations)


def _accessible_name_and_description(page, selector: str) -> tuple[str, str]:
    """What Chromium's accessibility tree gives a screen reader for the element."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})
    own = ax["nodes"][0]
    return own["name"]["value"], own.get("description", {}).get("value", "")


def _tab_to(page, selector: str, limit: int = 80) -> list[str]:
    """Press Tab until `selector` has the focus; the data-code of each map state passed on the way."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return passed
        code = page.evaluate("document.activeElement.dataset.code")
        if code:
            passed.append(code)
    raise AssertionError(f"{selector} not reached in {limit} presses of Tab")


def test_the_keyboard_alone_reaches_florida_on_the_7oh_map_and_reads_its_7oh_answer(site, tabs):
    page = tabs[1280]
    page.goto(site.url + "/")
    _tab_to(page, "nav.map-views a[href='?map=7oh#map-title']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?map=7oh#map-title")
    # Tab goes on from the heading the link jumped to: the states, in the order of their names.
    passed = _tab_to(page, '.map a[data-code="US-FL"]')
    names = [Jurisdiction.objects.get(code=code).name for code in passed]
    assert names[0] == "Alabama" and names == sorted(names) and len(names) == 9
    florida = page.locator('.map a[data-code="US-FL"]')
    # Its name starts with what it shows ("FL ✕*") and says its rule for 7-OH products.
    assert florida.locator("text").text_content().startswith("FL")
    name, description = _accessible_name_and_description(page, '.map a[data-code="US-FL"]')
    assert re.match(r"FL, Florida \(\w+\): 7-OH products banned", name)
    assert "may be out of date" in name
    # Its tooltip (<title>) says the same words, so a screen reader does not say them twice.
    assert florida.locator("title").text_content() == name and description == ""
    # The focused state is outlined in the focus colour, thicker than its neighbours.
    outline = florida.locator("path").evaluate(
        "p => [getComputedStyle(p).stroke, getComputedStyle(p).strokeWidth]"
    )
    assert outline == ["rgb(27, 27, 27)", "3px"]

    page.keyboard.press("Enter")
    page.wait_for_url(site.url + "/j/US-FL/")
    answers = page.get_by_role("table", name="The answer for each kind of product")
    row = answers.get_by_role("row").filter(has=page.get_by_role("rowheader", name="7-OH products"))
    # What a screen reader reads: the symbol is hidden from it, the words are not.
    assert row.get_by_role("cell").first.inner_text().endswith("Banned (possession)")


def test_a_report_with_errors_focuses_the_first_and_says_what_is_wrong(site, tabs):
    page = tabs[1280]
    page.goto(site.url + "/j/US-FL/report/")
    # The honeypot is in the page for bots, not in the accessibility tree.
    assert page.locator("#id_website").count() == 1
    assert page.get_by_role("textbox", name="Leave this field empty").count() == 0
    page.get_by_role("textbox", name="Link to the official text").fill("not a link")
    page.get_by_role("button", name="Send to the curators").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").first.inner_text() == "Please fix the fields marked below."
    summary = page.get_by_role("textbox", name="What has changed?")
    expect(summary).to_be_focused()  # autofocus, applied at the next rendering step
    assert summary.get_attribute("id") == "id_summary"
    assert summary.get_attribute("aria-invalid") == "true"
    described = summary.get_attribute("aria-describedby").split()
    assert described == ["id_summary_helptext", "id_summary_error"]
    assert page.locator("#id_summary_error").inner_text() == "This field is required."
    assert "Enter a valid URL." in page.locator("#id_source_url_error").inner_text()
    violations = blocking_violations(page)
    assert violations == [], violations_report(violations)


@pytest.mark.parametrize(("motion", "behaviour"), [("reduce", "auto"), ("no-preference", "smooth")])
def test_in_page_jumps_glide_only_without_a_reduced_motion_preference(
    site, browser, motion, behaviour
):
    context = browser.new_context(reduced_motion=motion)
    page = context.new_page()
    try:
        page.goto(site.url + "/")
        style = "getComputedStyle(document.documentElement).scrollBehavior"
        assert page.evaluate(style) == behaviour
    finally:
        context.close()


def test_at_200_percent_zoom_no_page_scrolls_sideways(site, browser):
    # A 1,280-px window zoomed to 200% lays pages out 640 CSS px wide, text twice the size.
    context = browser.new_context(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    try:
        for path in PUBLIC_PAGES.values():
            page.goto(site.url + path)
            assert page.evaluate("document.documentElement.lang") == "en"
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= 640, f"{path} scrolls sideways at 200% ({scroll_width} px)"
    finally:
        context.close()
