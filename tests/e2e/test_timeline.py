"""In Chromium at a phone's and a desktop's width: Georgia's timeline shows HB 968's stage and
what it would do to leaf and 7-OH, /pending/ lists the seeded measures, and a Georgia ZIP's
answer names HB 968 per product; nothing runs off the side of the page."""

import pytest
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
WIDTHS = [375, 1280]
# The page may not scroll sideways: every line of the new sections fits the viewport.
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def seeded_site(django_db_setup, django_db_blocker):
    """A live server on `manage.py seed` (jurisdictions, sources and the measures)."""
    with django_db_blocker.unblock():
        call_command("seed", verbosity=0)
        server = LiveServer("localhost")
        try:
            yield server
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def sized_page(browser, request):
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_georgias_page_shows_hb_968_below_the_status_in_force(seeded_site, sized_page):
    page = sized_page
    page.goto(seeded_site.url + "/j/US-GA/")
    entry = page.locator('#timeline li[data-measure="HB 968"]')
    assert entry.is_visible()
    assert entry.locator(".measure-stage").inner_text() == "In committee"
    assert entry.locator('[data-category="leaf"]').inner_text() == "Leaf: would be banned"
    assert entry.locator('[data-category="7oh"]').inner_text() == "7-OH products: would be banned"
    status_box = page.locator("#status-title").bounding_box()
    assert entry.bounding_box()["y"] > status_box["y"]
    assert page.evaluate(OVERFLOW) <= 0


def test_pending_lists_the_seeded_measures(seeded_site, sized_page):
    page = sized_page
    page.goto(seeded_site.url + "/pending/")
    assert page.locator('#pending-list li[data-measure="HB 968"]').is_visible()
    page.select_option("#f-state", "US-GA")
    page.click(".pending-filters button")
    page.wait_for_url("**/pending/?state=US-GA*")
    assert page.locator("#pending-list > li").count() == 1
    assert page.evaluate(OVERFLOW) <= 0


def test_a_georgia_zip_names_hb_968_per_product(seeded_site, sized_page):
    page = sized_page
    page.goto(seeded_site.url + "/lookup?zip=30303")
    for category in ("leaf", "7oh"):
        row = page.locator(f'#pending-by-product li[data-category="{category}"]')
        assert row.locator('[data-measure="HB 968"]').is_visible()
    assert page.evaluate(OVERFLOW) <= 0
