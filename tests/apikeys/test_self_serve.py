"""A seller gets an API key alone: a request on /sellers/, a signed link by mail (to a local
SMTP server), the key shown once; limited per client and per address, and the same answer
whether or not the address already has a key."""

import datetime
import re

import pytest
import time_machine
from django.test import override_settings

from tests.conftest import free_port
from tracker.apikeys import selectors
from tracker.apikeys.models import ApiKey
from tracker.apikeys.services import apikey_create

pytestmark = pytest.mark.django_db
REQUEST = "/sellers/key/"
LINK = re.compile(r"http://\S+(/sellers/key/confirm/[^/\s]+/)")


def ask(client, email="ops@leaf.example", name="Leaf & Co", **extra):
    return client.post(REQUEST, {"email": email, "name": name, "website": "", **extra})


def link_in(message) -> str:
    return LINK.search(message.get_content()).group(1)


def test_the_sellers_page_has_the_request_form_with_labelled_fields(client):
    page = client.get("/sellers/").content.decode()
    assert f'action="{REQUEST}"' in page
    for field in ("email", "name"):
        assert f'<label for="id_{field}">' in page and f'id="id_{field}"' in page
    assert "ask the curators" not in page.lower()


def test_a_seller_confirms_by_mail_and_sees_the_key_once(client, smtp_inbox, settings):
    response = ask(client)
    assert (response.status_code, response["Location"]) == (302, "/sellers/key/sent/")
    assert "link to your API key is on its way" in client.get(response["Location"]).content.decode()
    (message,) = smtp_inbox.wait_for(1)
    assert message["To"] == "ops@leaf.example" and "confirm" in message["Subject"]
    assert "Leaf & Co" not in message.get_content()  # nothing a stranger typed is mailed
    link = link_in(message)

    # Opening the link makes nothing (mail scanners open links); the button does.
    page = client.get(link)
    assert page.status_code == 200 and "Show my API key" in page.content.decode()
    assert not ApiKey.objects.exists()
    shown = client.post(link)
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    plain = re.search(r'value="(kt_[^"]+)"', shown.content.decode()).group(1)
    key = selectors.apikey_authenticate(f"Bearer {plain}")
    stored = ApiKey.objects.get(pk=key.pk)
    assert (stored.name, stored.contact, stored.created_by) == (
        "Leaf & Co",
        "ops@leaf.example",
        None,
    )
    assert stored.daily_quota == settings.API_KEY_FREE_DAILY_QUOTA and stored.self_serve
    assert plain not in str(ApiKey.objects.filter(pk=key.pk).values().get())

    again = client.post(link)
    assert again.status_code == 410 and plain not in again.content.decode()
    assert ApiKey.objects.count() == 1
    answer = client.get("/api/v1/jurisdictions", headers={"authorization": f"Bearer {plain}"})
    assert answer.status_code == 200


def test_the_answer_is_the_same_whether_or_not_the_address_has_a_key(client, smtp_inbox):
    apikey_create(actor=None, name="Known", contact="known@shop.example")
    known, unknown = ask(client, email="known@shop.example"), ask(client, email="new@shop.example")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    first, second = smtp_inbox.wait_for(2)
    assert first.get_content().replace("known@", "new@") == second.get_content().replace(
        link_in(second), link_in(first)
    ).replace("known@", "new@")


def test_a_new_key_replaces_the_addresss_earlier_self_serve_key_only(client, smtp_inbox):
    operator_made = apikey_create(actor=None, name="Shop", contact="ops@leaf.example")
    ask(client, email="ops@leaf.example")
    ask(client, email="OPS@leaf.example")
    first_link, second_link = (link_in(m) for m in smtp_inbox.wait_for(2))
    client.post(first_link)
    client.post(second_link)
    first, second = ApiKey.objects.filter(request_digest__isnull=False).order_by("pk")
    assert first.revoked and first.revoked_by is None and not second.revoked
    operator_made.key.refresh_from_db()
    assert not operator_made.key.revoked


def test_an_expired_or_altered_link_makes_no_key(client, smtp_inbox, settings):
    start = datetime.datetime(2026, 11, 21, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        ask(client)
        link = link_in(smtp_inbox.wait_for(1)[0])
        altered = link.replace("/confirm/", "/confirm/x")
        assert client.get(altered).status_code == 400
        assert client.post(altered).status_code == 400
        clock.move_to(start + datetime.timedelta(seconds=settings.API_KEY_LINK_MAX_AGE + 1))
        expired = client.post(link)
        assert expired.status_code == 400 and "expired" in expired.content.decode()
    assert not ApiKey.objects.exists()


@override_settings(API_KEY_REQUEST_RATE_LIMIT=3, API_KEY_REQUEST_ADDRESS_LIMIT=2)
def test_requests_are_limited_per_address_silently_and_per_client_openly(client, smtp_inbox):
    answers = [ask(client) for _ in range(3)]
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert len(smtp_inbox.wait_for(2)) == 2
    over = ask(client, email="other@shop.example")
    assert over.status_code == 429 and int(over["Retry-After"]) > 0
    assert "try again in" in over.content.decode()
    assert len(smtp_inbox.messages) == 2  # the third for the address was not sent


def test_a_post_from_another_site_is_refused(client, smtp_inbox):
    form = {"email": "ops@leaf.example", "name": "Leaf & Co"}
    response = client.post(REQUEST, form, headers={"origin": "https://evil.example"})
    assert response.status_code == 403
    assert smtp_inbox.messages == []


def test_a_bot_in_the_trap_gets_the_same_answer_and_no_mail(client, smtp_inbox):
    response = ask(client, website="https://spam.example")
    assert (response.status_code, response["Location"]) == (302, "/sellers/key/sent/")
    assert smtp_inbox.messages == []


def test_a_bad_address_is_an_error_beside_the_field(client, smtp_inbox):
    response = ask(client, email="not an address")
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert smtp_inbox.messages == []


def test_a_mail_that_cannot_be_sent_is_said_so(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    response = ask(client)
    assert response.status_code == 503
    assert "could not send the confirmation mail" in response.content.decode()


def test_the_request_form_lives_on_the_sellers_page(client):
    response = client.get(REQUEST)
    assert (response.status_code, response["Location"]) == (302, "/sellers/#key")


def test_about_and_sellers_say_where_to_write_for_a_webhook(client, settings):
    settings.CONTACT_EMAIL = "operators@tracker.example"
    for path in ("/about/", "/sellers/"):
        page = client.get(path).content.decode()
        assert 'href="mailto:operators@tracker.example"' in page
        assert "ask the curators" not in page.lower() and "ask them" not in page.lower()
