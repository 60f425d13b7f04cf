"""python manage.py webhooks …: the command-line shell over the alerts services."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from standardwebhooks.webhooks import Webhook

from tests.alerts.conftest import subscribe
from tests.factories import record_status
from tracker.alerts import services
from tracker.alerts.models import Delivery, DeliveryState, EventType, Subscription

pytestmark = pytest.mark.django_db


def webhooks(*args) -> str:
    out = io.StringIO()
    call_command("webhooks", *args, stdout=out)
    return out.getvalue()


def test_add_prints_the_id_and_the_secret_once(florida, receiver):
    out = webhooks(
        "add", receiver.url(), "--follow", "US-FL", "--follow", "US-FL-SARASOTA-COUNTY",
        "--events", "status.changed",
    )  # fmt: skip
    subscription = Subscription.objects.get()
    assert f"id: {subscription.pk}" in out
    assert f"secret: {subscription.secret}" in out
    assert subscription.event_types == [EventType.STATUS_CHANGED]
    assert {j.code for j in subscription.follows.all()} == {"US-FL", "US-FL-SARASOTA-COUNTY"}
    assert subscription.secret not in webhooks("list")


def test_add_refuses_bad_input_clearly_and_stores_nothing(florida, receiver, settings):
    with pytest.raises(CommandError, match="Unknown jurisdiction codes: US-XX"):
        webhooks("add", receiver.url(), "--follow", "US-XX")
    settings.OUTBOUND_ALLOW_HTTP = False
    with pytest.raises(CommandError, match="must be https"):
        webhooks("add", receiver.url(), "--follow", "US-FL")
    assert not Subscription.objects.exists()


def test_list_shows_state_follows_and_counts(florida, receiver):
    subscription = subscribe(receiver.url(), "US-FL")
    services.subscription_disable(
        subscription_id=subscription.pk, reason="endpoint answered 410 Gone"
    )
    out = webhooks("list")
    assert receiver.url() in out and "follows US-FL" in out
    assert "DISABLED (endpoint answered 410 Gone)" in out


def test_ping_sends_a_verifiable_ping(florida, receiver):
    subscription = subscribe(receiver.url(), "US-FL")
    out = webhooks("ping", str(subscription.pk))
    delivery = Delivery.objects.get()
    assert delivery.event.webhook_id in out
    services.deliveries_send(delivery_ids=[delivery.pk])
    request = receiver.requests[0]
    assert Webhook(subscription.secret).verify(request.body, request.headers)["type"] == "ping"


def test_rotate_secret_prints_the_new_secret(florida, receiver):
    subscription = subscribe(receiver.url(), "US-FL")
    out = webhooks("rotate-secret", str(subscription.pk))
    subscription.refresh_from_db()
    assert re.search(r"secret: (whsec_\S+)", out).group(1) == subscription.secret
    assert subscription.previous_secret and subscription.previous_secret != subscription.secret


def test_enable_then_replay_sends_what_it_missed(florida, receiver):
    state, county = florida
    subscription = subscribe(receiver.url(), "US-FL")
    record_status(state, "banned")
    first = Delivery.objects.get()
    services.subscription_disable(subscription_id=subscription.pk, reason="all attempts failed")
    record_status(county, "banned")  # happens while it is disabled: no delivery
    assert Delivery.objects.count() == 1

    out = webhooks("enable", str(subscription.pk))
    assert "It missed events since" in out
    day = re.search(r"--since (\S+)", out).group(1)
    assert "2 deliveries queued" in webhooks("replay", str(subscription.pk), "--since", day)
    assert "0 deliveries queued" in webhooks("replay", str(subscription.pk), "--since", day)

    services.deliveries_send(delivery_ids=list(Delivery.objects.values_list("pk", flat=True)))
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SUCCEEDED}
    first.refresh_from_db()
    assert first.attempts == 1  # the replay starts its schedule again
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert first.event.webhook_id in ids and len(ids) == 2


def test_replay_refuses_a_disabled_subscription_and_a_bad_date(florida, receiver):
    subscription = subscribe(receiver.url(), "US-FL")
    services.subscription_disable(subscription_id=subscription.pk, reason="testing")
    with pytest.raises(CommandError, match="Enable the subscription"):
        webhooks("replay", str(subscription.pk), "--since", datetime.date.today().isoformat())
    with pytest.raises(CommandError, match="--since must be a date"):
        webhooks("replay", str(subscription.pk), "--since", "yesterday")
    with pytest.raises(CommandError, match="No subscription 999"):
        webhooks("ping", "999")
