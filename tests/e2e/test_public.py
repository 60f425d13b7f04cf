"""The public pages in headless Chromium, on the curated reference data; screenshots for the README."""

import re

import pytest

from tests.e2e.screenshots import screenshot

# django_db: without a test that asks for the database, pytest-django would not create it.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

# Element widths measured in the browser: tables and their boxes against the viewport, each
# cell's content against the cell.
CLIPPED_TABLE_PARTS = """() => {
  const width = document.documentElement.clientWidth;
  const bad = [];
  for (const wrap of document.querySelectorAll('.table-wrap')) {
    if (wrap.scrollWidth > wrap.clientWidth) bad.push('box scrolls: ' + wrap.scrollWidth);
  }
  for (const table of document.querySelectorAll('table')) {
    if (table.getBoundingClientRect().right > width) bad.push('table: ' + table.getBoundingClientRect().right);
  }
  for (const cell of document.querySelectorAll('th, td')) {
    if (cell.scrollWidth > cell.clientWidth + 1) bad.push(cell.tagName + ': ' + cell.innerText.slice(0, 30));
  }
  return bad;
}"""

# Every element a phone lays out must fit the screen: none starts left of it or ends right of
# it. Elements moved wholly off-screen on purpose (the skip link until focused, a stacked
# table's header row, the honeypot) are left out: they end left of the screen.
OVERFLOWING_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= 0) continue;
    if (box.left < -0.5 || box.right > width + 0.5) bad.push(el.tagName + '.' + el.className + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
  }
  return bad;
}"""
# Each cell of the per-product table as a phone shows it: the column it belongs to (its
# label), its text, and whether all of it is on the screen and uncut.
ANSWER_CELLS = """() => {
  const width = document.documentElement.clientWidth;
  const headers = [...document.querySelectorAll('#rules thead th')].map(th => th.innerText.trim());
  return [...document.querySelectorAll('#rules tbody tr')].map(row => ({
    display: getComputedStyle(row).display,
    product: row.querySelector('th').innerText.trim(),
    cells: [...row.querySelectorAll('td')].map((td, i) => {
      const box = td.getBoundingClientRect();
      return {
        column: headers[i + 1],
        label: getComputedStyle(td, '::before').content,
        text: td.innerText.trim(),
        shown: td.checkVisibility() && box.left >= 0 && box.right <= width && td.scrollWidth <= td.clientWidth + 1,
      };
    }),
  }));
}"""


def test_typing_texas_reaches_its_page(site, page):
    page.goto(site.url + "/")
    screenshot(page, "home.png")
    page.get_by_label("State, country, county, city or US ZIP code").fill("Texas")
    page.keyboard.press("Enter")
    page.wait_for_url(site.url + "/j/US-TX/")
    assert page.locator("h1").inner_text() == "Kratom in Texas"
    assert "Not legal advice." in page.locator("main").inner_text()
    screenshot(page, "jurisdiction.png")


def test_a_zip_code_shows_the_answer(site, page):
    page.goto(site.url + "/")
    page.get_by_label("State, country, county, city or US ZIP code").fill("92101")
    page.get_by_role("button", name="Look up").click()
    page.wait_for_url("**/lookup?zip=92101")
    answer = page.locator("#answer-title").inner_text()
    assert answer.startswith("Answer:") and "Banned" in answer  # San Diego's city ban
    assert "San Diego (city)" in page.get_by_role("table", name="Each level's status").inner_text()
    rules = page.locator("#rules").inner_text()
    assert "Synthetic alkaloids\t✕ Banned (possession)\tUnited States (federal)" in rules
    screenshot(page, "zip-lookup.png")


def test_the_7oh_map_view_shows_florida_banned(site, page):
    page.goto(site.url + "/")
    florida = page.locator('.map a[data-code="US-FL"]')
    # The seed verified Florida on 2026-06-25: more than 90 days ago, so it is marked stale.
    assert re.match(
        r"FL, Florida \(\w+\): Leaf regulated; not verified for more than 90 days",
        florida.locator("title").text_content(),  # its accessible name
    )
    # A plain link switches the view: the page is rendered again by the server.
    page.get_by_role("link", name="7-OH products").click()
    page.wait_for_url("**/?map=7oh#map-title")
    label = florida.locator("title").text_content()
    assert re.match(r"FL, Florida \(\w+\): 7-OH products banned \(possession\)", label)
    assert "shape-banned" in florida.locator("path").get_attribute("class")
    assert "✕" in florida.text_content()
    assert "Legend: 7-OH products" == page.locator("ul.legend").get_attribute("aria-label")
    page.locator("#map-title").scroll_into_view_if_needed()
    screenshot(page, "map-7oh.png")
    page.goto(site.url + "/j/US-FL/")
    rules = page.locator("#rules").inner_text()
    assert "7-OH products\t✕ Banned (possession)" in rules
    screenshot(page, "florida.png")


def test_clicking_a_state_on_the_map_opens_it(site, page):
    page.goto(site.url + "/")
    page.locator('.map a[data-code="US-CA"]').click()
    page.wait_for_url(site.url + "/j/US-CA/")
    assert page.locator("h1").inner_text() == "Kratom in California"
    assert "Local exceptions" in page.locator("main").inner_text()


def test_the_pages_are_usable_375_px_wide(site, browser):
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    page = context.new_page()
    try:
        for path in ["/", "/j/US-CA/", "/lookup?zip=92101", "/about/", "/pending/"]:
            page.goto(site.url + path)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= 375, f"{path} scrolls sideways ({scroll_width} px)"
        page.goto(site.url + "/")
        # No table wider than the screen or scrolling inside its box, and no cell whose text
        # is cut (wider than the cell shows).
        clipped = page.evaluate(CLIPPED_TABLE_PARTS)
        assert clipped == [], f"clipped at 375 px: {clipped[:5]}"
        first_label = page.evaluate(
            "getComputedStyle(document.querySelector('table.stack td[data-label]'), '::before')"
            ".content"
        )
        assert first_label == '"Status: "'  # each stacked cell names its column
        labels = page.locator("svg .label").first
        assert not labels.is_visible()  # the map's labels give way to the stacked table
        page.goto(site.url + "/")
        screenshot(page, "home-mobile.png")
        search = page.get_by_label("State, country, county, city or US ZIP code")
        assert search.is_visible() and search.bounding_box()["width"] > 150
        search.fill("Alabama")
        page.keyboard.press("Enter")
        page.wait_for_url(site.url + "/j/US-AL/")
        assert "Banned" in page.locator("#status-title").inner_text()
        screenshot(page, "jurisdiction-mobile.png")
    finally:
        context.close()


def test_the_keyboard_reaches_the_search_box_and_the_map(site, page):
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.locator('.map a[data-code="US-TX"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url(site.url + "/j/US-TX/")


def test_the_map_states_are_links_for_assistive_technology(site, page):
    page.goto(site.url + "/")
    link = page.get_by_role("link", name="TX, Texas (regulated): Leaf regulated")
    assert link.get_attribute("href") == "/j/US-TX/"


@pytest.mark.parametrize(
    ("path", "columns", "shot"),
    [
        ("/j/US-FL/", ["Answer", "Minimum age", "Limit", "United States (federal)"], None),
        (
            "/lookup?zip=92101",
            ["Answer", "Decided by", "Minimum age", "Limit"],
            "zip-lookup-mobile.png",
        ),
    ],
)
def test_a_phone_sees_the_whole_answer_one_card_per_product(site, browser, path, columns, shot):
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(site.url + path)
        overflowing = page.evaluate(OVERFLOWING_ELEMENTS)
        assert overflowing == [], "\n".join(overflowing)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        rows = page.evaluate(ANSWER_CELLS)
        products = [row["product"] for row in rows]
        assert products == ["Leaf", "Extracts", "7-OH products", "Synthetic alkaloids"]
        for row in rows:
            assert row["display"] == "block", f"{row['product']} is not a card"
            assert [cell["column"] for cell in row["cells"]] == columns
            for cell in row["cells"]:
                # Each cell names its column and shows all of its content on the screen.
                assert cell["label"] == f'"{cell["column"]}: "', cell
                assert cell["text"] and cell["shown"], (row["product"], cell)
        if shot:
            page.locator("#answer-title").scroll_into_view_if_needed()
            screenshot(page, shot)
    finally:
        context.close()
