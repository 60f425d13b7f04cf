import pytest

from tests.factories import make_jurisdiction, record_status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_home_page_renders_in_chromium(live_server, page):
    texas = make_jurisdiction("US-TX", name="Texas")
    record_status(texas, "regulated")
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text().startswith("Kratom legal status")
    assert "Regulated" in page.locator("table").first.inner_text()
