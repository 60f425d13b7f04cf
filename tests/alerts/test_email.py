"""Email alerts against a real SMTP server on 127.0.0.1 (aiosmtpd): confirmed opt-in, who is
mailed about a change, RFC 8058's one-click unsubscribe, retries and suppression, the
weekly digest, and bad input. Sending calls the services directly (what a task does);
tests/alerts/test_email_worker.py runs it through the broker and a real worker."""

import datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.utils import timezone

from tests.alerts.email_flows import (
    confirm_path,
    html_part,
    recipients,
    send_due,
    seven_oh_banned,
    subscribe_post,
    subscribed,
    text_part,
)
from tests.factories import make_curator, record_status
from tracker.alerts import email_services
from tracker.alerts.models import Delivery, DeliveryState, EmailSubscription, Frequency

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(frozen_on_a_wednesday):
    yield


def _curator():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username="curator").first() or make_curator()


def _later(seconds: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=True)


# Confirmed opt-in --------------------------------------------------------------------------


def test_a_subscribe_request_sends_exactly_one_confirmation_mail_and_stores_nothing(
    client, places, smtp_inbox
):
    response = subscribe_post(client)

    assert response.status_code == 302 and response["Location"] == "/alerts/sent/"
    [message] = smtp_inbox.wait_for(1)
    assert message["To"] == "ann@example.org"
    assert confirm_path(message).startswith("/alerts/confirm/")
    assert not EmailSubscription.objects.exists()


def test_the_answer_is_the_same_whether_or_not_the_address_is_subscribed(
    client, places, smtp_inbox
):
    first = subscribe_post(client)
    subscribed("ann@example.org", "US-FL")
    second = subscribe_post(client)

    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    smtp_inbox.wait_for(2)
    assert [m["Subject"] for m in smtp_inbox.messages] == ["Confirm your kratom law alerts"] * 2


def test_opening_the_link_asks_first_then_confirms_once(client, places, smtp_inbox):
    subscribe_post(client, categories=["leaf", "7oh"], frequency="weekly")
    path = confirm_path(smtp_inbox.wait_for(1)[0])

    page = client.get(path)
    assert page.status_code == 200 and b"Turn on my alerts" in page.content
    assert not EmailSubscription.objects.exists()  # a link scanner's GET confirms nothing

    response = client.post(path)
    subscription = EmailSubscription.objects.get()
    assert response["Location"] == f"/alerts/manage/{subscription.key}/"
    assert (subscription.email, subscription.frequency) == ("ann@example.org", "weekly")
    assert subscription.categories == ["leaf", "7oh"]
    assert list(subscription.follows.values_list("code", flat=True)) == ["US-FL"]

    again = client.post(path)
    assert again.status_code == 410 and b"already used" in again.content
    assert EmailSubscription.objects.count() == 1


def test_an_altered_or_expired_link_answers_a_clear_page(client, places, smtp_inbox):
    subscribe_post(client)
    path = confirm_path(smtp_inbox.wait_for(1)[0])

    altered = client.post(path[:-3] + "xx/")
    assert altered.status_code == 400 and b"expired or incomplete" in altered.content
    with _later(49 * 3600):
        expired = client.post(path)
    assert expired.status_code == 400 and b"expired or incomplete" in expired.content
    assert not EmailSubscription.objects.exists()


def test_an_unconfirmed_address_gets_nothing_but_the_confirmation(client, places, smtp_inbox):
    subscribe_post(client, email="unconfirmed@example.org")
    subscribed("bob@example.org", "US-FL")
    record_status(places[0], "banned", user=_curator())

    assert send_due() == 1
    smtp_inbox.wait_for(2)
    assert recipients(smtp_inbox.messages) == ["bob@example.org", "unconfirmed@example.org"]
    assert smtp_inbox.messages[0]["Subject"] == "Confirm your kratom law alerts"


def test_the_honeypot_thanks_a_bot_and_sends_nothing(client, places, smtp_inbox):
    response = subscribe_post(client, website="http://spam.example")

    assert response["Location"] == "/alerts/sent/"
    assert smtp_inbox.messages == [] and not EmailSubscription.objects.exists()


def test_requests_are_limited_per_address_silently_and_per_client_openly(
    client, places, smtp_inbox, settings
):
    settings.EMAIL_ALERT_ADDRESS_LIMIT, settings.EMAIL_ALERT_RATE_LIMIT = 2, 4
    answers = [subscribe_post(client).status_code for _ in range(3)]
    answers.append(subscribe_post(client, email="other@example.org").status_code)
    over = subscribe_post(client, email="third@example.org")

    assert answers == [302, 302, 302, 302]
    assert over.status_code == 429 and over["Retry-After"]
    smtp_inbox.wait_for(3)
    assert recipients(smtp_inbox.messages) == [
        "ann@example.org",
        "ann@example.org",
        "other@example.org",
    ]


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"email": "not-an-address"}, b"Enter a valid email address"),
        ({"place": "US-ZZ"}, b"not one this site covers"),
        ({"place": "", "zip_code": "00000"}, b"not a ZIP code"),
        ({"place": ""}, b"Choose a place or a ZIP code"),
        ({"frequency": "hourly"}, b"Select a valid choice"),
        ({"categories": ["beer"]}, b"Select a valid choice"),
        ({"website": "", "place": "US-FL" * 3000}, b"too large"),
    ],
)
def test_bad_input_answers_a_clear_400(client, places, smtp_inbox, fields, says):
    response = subscribe_post(client, **fields)

    assert response.status_code == 400
    assert says in response.content
    assert smtp_inbox.messages == []


def test_a_post_from_another_site_is_refused(client, places, smtp_inbox):
    response = client.post(
        "/alerts/subscribe/",
        {"email": "ann@example.org", "place": "US-FL", "frequency": "immediate"},
        HTTP_ORIGIN="https://elsewhere.example",
    )
    assert response.status_code == 403 and smtp_inbox.messages == []


def test_place_pages_and_zip_answers_carry_the_labelled_form(client, places):
    page = client.get("/j/US-FL/").content.decode()
    assert 'action="/alerts/subscribe/"' in page and 'name="place" value="US-FL"' in page
    assert '<label for="id_email">Your email address</label>' in page
    answer = client.get("/lookup", {"zip": "33101"}).content.decode()
    assert 'name="zip_code" value="33101"' in answer


def test_pending_offers_the_places_with_the_filtered_state_chosen(client, places, smtp_inbox):
    unfiltered = client.get("/pending/").content.decode()
    assert '<label for="id_place">Place</label>' in unfiltered
    assert '<option value="" selected>Choose a place</option>' in unfiltered
    assert '<option value="US-GA">Georgia</option>' in unfiltered
    assert '<option value="US">US</option>' in unfiltered  # the federal level
    filtered = client.get("/pending/", {"state": "US-FL"}).content.decode()
    assert '<option value="US-FL" selected>Florida</option>' in filtered

    assert subscribe_post(client, place="US-GA")["Location"] == "/alerts/sent/"  # its choice
    [message] = smtp_inbox.wait_for(1)
    assert "US-GA" in client.get(confirm_path(message)).content.decode()


# Who is mailed ----------------------------------------------------------------------------


def test_a_confirmed_change_mails_each_subscriber_it_touches_once_and_nobody_else(
    places, smtp_inbox
):
    florida, _ = places
    subscribed("all@example.org", "US-FL")
    subscribed("sevenoh@example.org", "US-FL", categories=["7oh"])
    subscribed("leaf@example.org", "US-FL", categories=["leaf"])  # 7-OH only changes
    subscribed("georgia@example.org", "US-GA")
    subscribed("weekly@example.org", "US-FL", frequency=Frequency.WEEKLY)

    seven_oh_banned(florida, user=_curator())

    assert send_due() == 2
    smtp_inbox.wait_for(2)
    assert recipients(smtp_inbox.messages) == ["all@example.org", "sevenoh@example.org"]
    assert send_due() == 0  # each once


def test_a_zip_subscription_hears_of_its_state_and_of_the_federal_level(places, smtp_inbox):
    florida, georgia = places
    federal = florida.parent
    subscribed("zip@example.org", zip_code="33101")

    record_status(federal, "legal", user=_curator())
    record_status(georgia, "banned", user=_curator())
    record_status(florida, "banned", user=_curator())

    assert send_due() == 2  # federal and Florida, claimed together: one mail
    [message] = smtp_inbox.wait_for(1)
    assert message["To"] == "zip@example.org"
    text = text_part(message)
    assert "US: a change now in force" in text and "Florida: a change now in force" in text
    assert "Georgia" not in text


def test_the_mail_says_per_product_what_changed_with_citations_and_link(places, smtp_inbox):
    florida, _ = places
    subscription = subscribed("ann@example.org", "US-FL", categories=["7oh", "leaf"])
    seven_oh_banned(florida, effective_date=datetime.date(2026, 12, 1), user=_curator())

    send_due()
    [message] = smtp_inbox.wait_for(1)
    text, html = text_part(message), html_part(message)
    assert message["Subject"] == "Kratom law: a change in Florida"
    assert "7-OH products: regulated → banned (sale)" in text
    assert "- Leaf: Regulated" in text and "- 7-OH products: Banned (sale)" in text
    assert "Extracts" not in text  # not a product this subscriber chose
    assert "effective 2026-12-01" in text
    assert "Test statute (Test Code 1-2-3): https://law.example.gov/kratom" in text
    assert "http://127.0.0.1:8000/j/US-FL/" in text
    assert f"/alerts/manage/{subscription.key}/" in text
    assert '<a href="https://law.example.gov/kratom">Test statute</a>' in html


def test_every_alert_carries_rfc_8058_headers_exactly(places, smtp_inbox, settings):
    subscription = subscribed("ann@example.org", "US-FL")
    record_status(places[0], "banned", user=_curator())

    send_due()
    [message] = smtp_inbox.wait_for(1)
    # The long header is folded after its colon; unfolded, it is exactly this.
    assert message["List-Unsubscribe"].strip() == (
        f"<http://127.0.0.1:8000/alerts/unsubscribe/{subscription.key}/>, "
        f"<{settings.EMAIL_UNSUBSCRIBE_ADDRESS}?subject=unsubscribe%20{subscription.key}>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"


# Unsubscribe and manage --------------------------------------------------------------------


def test_a_one_click_post_unsubscribes_without_a_cookie_and_a_get_does_not(client, places):
    subscription = subscribed("ann@example.org", "US-FL")
    path = urlsplit(f"http://127.0.0.1:8000/alerts/unsubscribe/{subscription.key}/").path

    page = client.get(path)
    assert page.status_code == 200 and b'id="unsubscribe"' in page.content
    assert EmailSubscription.objects.filter(pk=subscription.pk).exists()

    client.cookies.clear()
    response = client.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        HTTP_ORIGIN="https://mail.example",  # a mail provider posts from elsewhere
    )
    assert response.status_code == 200 and b"Unsubscribed" in response.content
    assert not EmailSubscription.objects.filter(email="ann@example.org").exists()
    assert client.post(path).status_code == 200  # a second click is harmless


def test_manage_changes_categories_and_frequency_and_drops_a_place(client, places):
    subscription = subscribed("ann@example.org", "US-FL", "US-GA")
    path = f"/alerts/manage/{subscription.key}/"

    page = client.get(path)
    assert page.status_code == 200 and b"ann@example.org" in page.content
    response = client.post(
        path, {"places": ["US-GA"], "categories": ["extract"], "frequency": "weekly"}
    )

    assert response.status_code == 200 and b'id="alerts-saved"' in response.content
    subscription.refresh_from_db()
    assert (subscription.categories, subscription.frequency) == (["extract"], "weekly")
    assert list(subscription.follows.values_list("code", flat=True)) == ["US-GA"]
    assert client.post(path, {"places": [], "frequency": "weekly"}).status_code == 400


def test_an_unknown_manage_link_is_a_404(client, db):
    assert client.get("/alerts/manage/00000000-0000-0000-0000-000000000000/").status_code == 404


# Retries and suppression -------------------------------------------------------------------


def test_a_4xx_is_retried_on_the_schedule(places, smtp_inbox, settings):
    settings.WEBHOOK_RETRY_SCHEDULE, settings.WEBHOOK_RETRY_JITTER = [10, 100], 0
    smtp_inbox.rcpt_replies["ann@example.org"] = ["451 4.7.1 Try again later"]
    subscribed("ann@example.org", "US-FL")
    record_status(places[0], "banned", user=_curator())

    assert send_due() == 1
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("pending", 1, 451)
    assert send_due() == 0
    with _later(11):
        assert send_due() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SUCCEEDED, 2)
    assert len(smtp_inbox.wait_for(1)) == 1
    log = list(delivery.log.order_by("number").values_list("number", "status_code"))
    assert log == [(1, 451), (2, 250)]


def test_a_5xx_suppresses_the_address_and_stops_what_waits(places, smtp_inbox, settings):
    smtp_inbox.rcpt_replies["gone@example.org"] = ["550 5.1.1 No such user"]
    subscription = subscribed("gone@example.org", "US-FL")
    record_status(places[0], "banned", user=_curator())

    assert send_due() == 1
    subscription.refresh_from_db()
    assert subscription.suppressed_at is not None
    assert "SMTP 550" in subscription.suppressed_reason
    assert Delivery.objects.get().state == DeliveryState.FAILED

    record_status(places[0], "legal", user=_curator())
    assert not Delivery.objects.filter(state="pending").exists()
    assert not email_services.email_subscribe_request(
        request=email_services.AlertRequest("gone@example.org", ["US-FL"], "", ["leaf"], "weekly")
    )
    assert smtp_inbox.messages == []


# The weekly digest -----------------------------------------------------------------------


def test_the_weekly_digest_gathers_a_weeks_changes_into_one_mail(places, smtp_inbox):
    florida, georgia = places
    subscribed("weekly@example.org", "US-FL", "US-GA", frequency=Frequency.WEEKLY)
    record_status(florida, "banned", user=_curator())
    with _later(86400):
        record_status(georgia, "banned", user=_curator())
        assert send_due() == 0  # nothing before Monday

    monday = datetime.datetime(2026, 11, 9, 8, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(monday, tick=True):
        assert email_services.email_digests_send() == 1
        assert send_due() == 2
    [message] = smtp_inbox.wait_for(1)
    assert message["Subject"] == "Kratom law: 2 changes in Florida, Georgia"
    text = text_part(message)
    assert text.index("Florida: a change") < text.index("Georgia: a change")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
