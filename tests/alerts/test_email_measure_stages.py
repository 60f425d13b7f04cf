"""Bills and rules as they move, by email, against a real SMTP server on 127.0.0.1 (aiosmtpd):
only subscribers who chose them get a measure's stages, for their own places, once; the
weekly digest carries them; the choice is made in the confirmed opt-in and changed on
"manage my alerts". Sending calls the services directly (what a task does)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from tests.alerts.email_flows import (
    confirm_path,
    html_part,
    recipients,
    send_due,
    subscribe_post,
    subscribed,
    text_part,
)
from tests.factories import make_curator, record_status
from tracker.alerts import email_services
from tracker.alerts.models import Delivery, EmailSubscription, Event, Frequency
from tracker.measures.models import Provider, Stage
from tracker.measures.services import MeasureFacts, measure_upsert

pytestmark = pytest.mark.django_db

# What the bill would do: ban 7-OH products, leave leaf and extracts alone, synthetics unread.
WOULD_CHANGE = {
    "leaf": "unchanged",
    "extract": "unchanged",
    "7oh": "banned",
    "synthetic": "unknown",
}


@pytest.fixture(autouse=True)
def _frozen(frozen_on_a_wednesday):
    yield


def _bill(state, stage, key="ocd-bill/fl-hb-1", identifier="HB 1"):
    return measure_upsert(
        provider=Provider.OPENSTATES,
        provider_key=key,
        facts=MeasureFacts(
            jurisdiction_id=state.pk, kind="bill", identifier=identifier,
            title="Relating to kratom products", stage=stage, confidence="medium",
            stage_date=datetime.date(2026, 11, 2), next_date=datetime.date(2026, 11, 18),
            next_date_kind="hearing", official_url="https://flsenate.gov/Session/Bill/2027/1",
            as_of=datetime.date(2026, 11, 3), changes=WOULD_CHANGE,
        ),
    ).measure  # fmt: skip


# Who is mailed ----------------------------------------------------------------------------


def test_a_stage_reaches_the_opted_in_subscribers_of_that_place_only_once(places, smtp_inbox):
    florida, _ = places
    subscribed("stages@example.org", "US-FL", measure_stages=True)
    subscribed("sevenoh@example.org", "US-FL", categories=["7oh"], measure_stages=True)
    subscribed("unread@example.org", "US-FL", categories=["synthetic"], measure_stages=True)
    subscribed("leaf@example.org", "US-FL", categories=["leaf"], measure_stages=True)
    subscribed("status-only@example.org", "US-FL")  # the default: no bills or rules
    subscribed("georgia@example.org", "US-GA", measure_stages=True)
    subscribed("weekly@example.org", "US-FL", frequency=Frequency.WEEKLY, measure_stages=True)

    _bill(florida, Stage.INTRODUCED)
    assert send_due() == 3
    _bill(florida, Stage.PASSED_ONE_CHAMBER)
    assert send_due() == 3

    smtp_inbox.wait_for(6)
    expected = ["sevenoh@example.org", "stages@example.org", "unread@example.org"]
    assert recipients(smtp_inbox.messages) == sorted(expected * 2)
    assert send_due() == 0  # each once
    assert Delivery.objects.filter(email_subscription__email="weekly@example.org").count() == 2


def test_nobody_opted_in_and_no_webhook_stores_no_measure_event(places, smtp_inbox):
    subscribed("status-only@example.org", "US-FL")

    _bill(places[0], Stage.INTRODUCED)

    assert not Event.objects.exists()
    assert smtp_inbox.messages == []


def test_the_mail_says_the_measure_its_new_stage_what_it_would_change_and_links_the_page(
    places, smtp_inbox, settings
):
    florida, _ = places
    subscription = subscribed(
        "ann@example.org", "US-FL", categories=["leaf", "7oh"], measure_stages=True
    )
    _bill(florida, Stage.INTRODUCED)
    send_due()
    _bill(florida, Stage.PASSED_ONE_CHAMBER)
    send_due()

    created, moved = smtp_inbox.wait_for(2)
    assert created["Subject"] == "Kratom bill HB 1 in Florida: introduced"
    assert "Florida: new bill HB 1, introduced (2026-11-02)" in text_part(created)
    assert moved["Subject"] == "Kratom bill HB 1 in Florida: passed one chamber"
    text, html = text_part(moved), html_part(moved)
    assert "Florida: bill HB 1 moved from introduced to passed one chamber" in text
    assert "Relating to kratom products" in text
    assert "A measure is not law" in text
    assert "- 7-OH products: would be banned" in text
    assert "Leaf" not in text and "Synthetic" not in text  # unchanged; not chosen
    assert "Next: Hearing 2026-11-18" in text
    assert "Official text: https://flsenate.gov/Session/Bill/2027/1" in text
    assert "Source: Open States, as of 2026-11-03." in text
    assert "Details: http://127.0.0.1:8000/j/US-FL/" in text
    assert "a change now in force" not in text  # a measure is not a status
    assert f"/alerts/manage/{subscription.key}/" in text
    assert "<li>7-OH products: would be banned</li>" in html
    assert '<a href="https://flsenate.gov/Session/Bill/2027/1">Official text</a>' in html
    assert moved["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/alerts/unsubscribe/{subscription.key}/" in moved["List-Unsubscribe"]


def test_the_weekly_digest_carries_stages_for_those_who_chose_them(places, smtp_inbox):
    florida, _ = places
    subscribed("stages@example.org", "US-FL", frequency=Frequency.WEEKLY, measure_stages=True)
    subscribed("status@example.org", "US-FL", frequency=Frequency.WEEKLY)
    record_status(florida, "banned", user=make_curator())
    _bill(florida, Stage.INTRODUCED)
    assert send_due() == 0  # nothing before Monday

    monday = datetime.datetime(2026, 11, 9, 8, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(monday, tick=True):
        assert email_services.email_digests_send() == 2
        assert send_due() == 3
    smtp_inbox.wait_for(2)
    by_address = {message["To"]: message for message in smtp_inbox.messages}
    digest = by_address["stages@example.org"]
    assert digest["Subject"] == "Kratom law: 2 changes in Florida"
    text = text_part(digest)
    assert text.index("Florida: a change now in force") < text.index("new bill HB 1")
    status_only = by_address["status@example.org"]
    assert status_only["Subject"] == "Kratom law: a change in Florida"
    assert "HB 1" not in text_part(status_only)


# Choosing ---------------------------------------------------------------------------------


def test_the_confirmed_opt_in_carries_the_choice(client, places, smtp_inbox):
    subscribe_post(client, email="stages@example.org", measure_stages="on")
    subscribe_post(client, email="status@example.org")
    stages_link, status_link = (confirm_path(m) for m in smtp_inbox.wait_for(2))

    assert b"with bills and rules as they move" in client.get(stages_link).content
    assert b"bills and rules" not in client.get(status_link).content
    client.post(stages_link)
    client.post(status_link)
    chosen = dict(EmailSubscription.objects.values_list("email", "measure_stages"))
    assert chosen == {"stages@example.org": True, "status@example.org": False}


def test_manage_turns_stages_on_and_off(client, places):
    subscription = subscribed("ann@example.org", "US-FL")
    path = f"/alerts/manage/{subscription.key}/"
    page = client.get(path).content.decode()
    assert 'name="measure_stages"' in page and "Also bills and rules as they move" in page
    preferences = {"places": ["US-FL"], "frequency": "immediate"}

    client.post(path, {**preferences, "measure_stages": "on"})
    subscription.refresh_from_db()
    assert subscription.measure_stages is True
    assert 'id="id_measure_stages" checked' in client.get(path).content.decode()
    client.post(path, preferences)
    subscription.refresh_from_db()
    assert subscription.measure_stages is False


def test_the_unsubscribe_page_offers_to_stop_only_bills_and_rules(client, places):
    stages = subscribed("stages@example.org", "US-FL", measure_stages=True)
    status = subscribed("status@example.org", "US-FL")

    page = client.get(f"/alerts/unsubscribe/{stages.key}/").content.decode()
    assert "To stop only the mails about bills and rules" in page
    assert f'href="/alerts/manage/{stages.key}/"' in page
    assert b"bills and rules" not in client.get(f"/alerts/unsubscribe/{status.key}/").content
