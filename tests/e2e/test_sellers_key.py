"""A seller gets an API key from /sellers/ in Chromium, the confirmation mail caught by a local
SMTP server (aiosmtpd) that Django's SMTP backend sends to, and uses it on the API."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.apikeys.test_self_serve import link_in
from tracker.apikeys.models import ApiKey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_seller_gets_a_key_from_the_sellers_page(live_server, page, smtp_inbox, settings):
    settings.SITE_URL = live_server.url  # the link in the mail points at this server
    page.goto(live_server.url + "/sellers/")
    page.get_by_label("Your email address").fill("ops@leaf.example")
    page.get_by_label("Shop or project name").fill("Leaf & Co")
    page.get_by_role("button", name="Email me a link to my key").click()
    assert "on its way" in page.inner_text("#key-request-sent")

    (message,) = smtp_inbox.wait_for(1)
    assert message["To"] == "ops@leaf.example"
    page.goto(live_server.url + link_in(message))
    assert "Leaf & Co" in page.inner_text("main")
    page.get_by_role("button", name="Show my API key").click()
    plain = page.get_by_label("API key for Leaf & Co").input_value()
    assert re.fullmatch(r"kt_[\w-]{43}", plain)
    assert "shown only this once" in page.inner_text("main")

    answer = requests.post(
        live_server.url + "/api/v1/check",
        json={"items": [{"zip": "10001", "category": "leaf"}]},
        headers={"Authorization": f"Bearer {plain}"},
        timeout=120,  # a process's first batch indexes the ZIP data (seconds on a busy machine)
    )
    assert answer.status_code == 200 and answer.json()["results"][0]["zip5"] == "10001"
    assert ApiKey.objects.get().usage.get().requests == 1

    # The link is spent: opening it again shows no key.
    page.goto(live_server.url + link_in(message))
    page.get_by_role("button", name="Show my API key").click()
    expect(page.locator("main")).to_contain_text("has been used")  # waits for the new page
    assert plain not in page.content()
