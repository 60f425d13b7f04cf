"""The search box in headless Chromium: a name that is two places lists both, never picks one."""

import pytest

from jurisdictions.models import Jurisdiction, Status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
SEARCH_LABEL = "State, country, county, city or US ZIP code"


def _search(page, site, query: str) -> None:
    page.goto(site.url + "/")
    page.get_by_label(SEARCH_LABEL).fill(query)
    page.keyboard.press("Enter")


def test_georgia_lists_the_state_and_the_country_and_each_opens(site, page):
    _search(page, site, "Georgia")
    page.wait_for_url("**/search?q=Georgia")
    assert "2 places match “Georgia”" in page.locator("main").inner_text()
    entries = page.locator("#search-results li")
    assert entries.count() == 2
    country, state = entries.nth(0).inner_text(), entries.nth(1).inner_text()
    assert country.startswith("Georgia (Country)") and "not verified here" in country
    assert state.startswith("Georgia (State in United States, US-GA)")
    entries.nth(0).get_by_role("link", name="Georgia").click()
    page.wait_for_url(site.url + "/countries/GE/")
    assert page.locator("h1").inner_text() == "Kratom in Georgia"
    assert "Not verified here" in page.locator("main").inner_text()
    page.go_back()
    page.locator("#search-results li").nth(1).get_by_role("link", name="Georgia").click()
    page.wait_for_url(site.url + "/j/US-GA/")


def test_a_code_of_a_country_and_a_state_lists_both_with_their_status(site, page):
    _search(page, site, "ca")
    page.wait_for_url("**/search?q=ca")
    entries = page.locator("#search-results li")
    texts = [entries.nth(i).inner_text() for i in range(entries.count())]
    california = Jurisdiction.objects.get(code="US-CA")
    assert texts[0].startswith("Canada (Country, CA)")
    assert texts[1].startswith("California (State in United States, US-CA)")
    assert Status(california.status).label in texts[1]


def test_uk_tx_and_a_place_with_its_state_go_straight_to_their_page(site, page):
    for query, path in [("UK", "/j/GB/"), ("TX", "/j/US-TX/"), ("Denver, CO", "/j/US-CO-DENVER/")]:
        _search(page, site, query)
        page.wait_for_url(site.url + path)
