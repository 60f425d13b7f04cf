"""A visitor subscribes to Florida's alerts in Chromium, confirms from the mail a local SMTP
server (aiosmtpd) caught, changes products on "manage my alerts", and unsubscribes; another
subscribes from /pending/ to bills and rules too, and turns them off."""

import pytest
from playwright.sync_api import expect

from tests.alerts.email_flows import confirm_path
from tests.factories import make_jurisdiction, record_status
from tracker.alerts.models import EmailSubscription

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_subscribe_confirm_manage_and_unsubscribe_from_floridas_page(
    live_server, page, smtp_inbox, settings
):
    settings.SITE_URL = live_server.url  # the links in the mails point at this server
    record_status(make_jurisdiction("US-FL", name="Florida"), "regulated")

    page.goto(live_server.url + "/j/US-FL/")
    form = page.locator("section.alerts-subscribe")
    assert "in Florida" in form.inner_text()
    form.get_by_label("Your email address").fill("ann@example.org")
    form.get_by_label("A weekly digest").check()
    form.get_by_role("button", name="Email me a link to confirm").click()
    # expect() waits for the page the click loads; a plain assert would read the old page
    expect(page.locator("main")).to_contain_text("confirmation link is on its way")

    (message,) = smtp_inbox.wait_for(1)
    assert message["To"] == "ann@example.org"
    page.goto(live_server.url + confirm_path(message))
    page.get_by_role("button", name="Turn on my alerts").click()
    expect(page.get_by_role("heading", name="Manage my alerts")).to_be_visible()
    subscription = EmailSubscription.objects.get()
    assert subscription.frequency == "weekly" and len(subscription.categories) == 4

    page.get_by_label("Leaf").uncheck()
    page.get_by_label("Synthetic alkaloids").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#alerts-saved")).to_be_visible()
    subscription.refresh_from_db()
    assert subscription.categories == ["extract", "7oh"]

    page.get_by_role("button", name="Unsubscribe and delete my address").click()
    expect(page.locator("main")).to_contain_text("your address is deleted")
    assert not EmailSubscription.objects.exists()


def test_subscribe_from_pending_with_bills_and_rules_then_turn_them_off(
    live_server, page, smtp_inbox, settings
):
    settings.SITE_URL = live_server.url
    record_status(make_jurisdiction("US-FL", name="Florida"), "regulated")

    page.goto(live_server.url + "/pending/?state=US-FL")
    form = page.locator("section.alerts-subscribe")
    expect(form.get_by_label("Place")).to_have_value("US-FL")  # the state filtered by
    form.get_by_label("Your email address").fill("ann@example.org")
    form.get_by_label("Also bills and rules as they move").check()
    form.get_by_role("button", name="Email me a link to confirm").click()
    expect(page.locator("main")).to_contain_text("confirmation link is on its way")

    (message,) = smtp_inbox.wait_for(1)
    page.goto(live_server.url + confirm_path(message))
    expect(page.locator("main")).to_contain_text("with bills and rules as they move")
    page.get_by_role("button", name="Turn on my alerts").click()
    stages = page.get_by_label("Also bills and rules as they move")
    expect(stages).to_be_checked()
    subscription = EmailSubscription.objects.get()
    assert subscription.measure_stages is True
    assert list(subscription.follows.values_list("code", flat=True)) == ["US-FL"]

    stages.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#alerts-saved")).to_be_visible()
    subscription.refresh_from_db()
    assert subscription.measure_stages is False
