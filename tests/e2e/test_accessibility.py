"""WCAG 2.1 AA in headless Chromium: axe-core over every public page and the curators' own
pages at 1,280 and 375 px, on the curated reference data."""

import datetime
from collections import Counter

import pytest
import time_machine

from jurisdictions.models import Jurisdiction
from tests.e2e.axe import blocking_violations, nodes_per_rule, violations_report
from tests.factories import make_curator, make_proposal

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
    "not found": "/no-such-page/",
}
CURATOR_PAGES = ["verify next", "worklist item", "proposal review", "record a status"]


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
    return {
        "verify next": "/admin/monitoring/worklist/",
        "worklist item": f"/admin/monitoring/worklist/{florida.pk}/?at=0",
        "proposal review": f"/admin/monitoring/changeproposal/{proposal.pk}/change/",
        "record a status": f"/admin/jurisdictions/jurisdiction/{florida.pk}/record-status/",
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


def _check(page, url: str, tally: dict, view: str) -> None:
    page.goto(url)
    violations = blocking_violations(page)
    tally[view] = nodes_per_rule(violations)
    assert violations == [], violations_report(violations)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_a_public_page_has_no_serious_wcag_violation(site, tabs, tally, name, width):
    _check(tabs[width], site.url + PUBLIC_PAGES[name], tally, f"{name} at {width}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", CURATOR_PAGES)
def test_a_curators_page_has_no_serious_wcag_violation(
    site, tabs, curator_paths, tally, name, width
):
    _check(tabs[width], site.url + curator_paths[name], tally, f"{name} at {width}")
