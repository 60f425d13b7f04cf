"""Standard Webhooks signatures: the spec's known answer, and an off-the-shelf verifier."""

import datetime
import json

import pytest
import time_machine
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.alerts.conftest import subscribe
from tests.factories import record_status
from tracker.alerts import services, signing
from tracker.alerts.models import Delivery

pytestmark = pytest.mark.django_db


def test_it_matches_the_known_answer_from_the_standard_webhooks_test_suite():
    # The vector of test_sign_function in the standard-webhooks Python library's tests.
    assert (
        signing.signature(
            secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            webhook_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp=1614265330,
            body=b'{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def _send_all():
    return services.deliveries_send(
        delivery_ids=list(Delivery.objects.values_list("pk", flat=True))
    )


def test_a_delivery_verifies_with_the_standardwebhooks_library_as_a_subscriber_would(
    receiver, florida
):
    state, _county = florida
    subscription = subscribe(receiver.url(), "US-FL")
    version = record_status(state, "regulated", min_age=21)
    assert _send_all() == 1

    request = receiver.requests[0]
    payload = Webhook(subscription.secret).verify(request.body, request.headers)
    assert payload["type"] == "status.changed"
    assert payload["data"]["jurisdiction"] == {"code": "US-FL", "name": "Florida", "level": "state"}
    assert payload["data"]["new"]["id"] == version.pk
    assert payload["data"]["new"]["status"] == "regulated"
    assert payload["data"]["previous"] is None
    assert payload["data"]["url"].endswith("/j/US-FL/")
    assert datetime.datetime.fromisoformat(payload["timestamp"])
    assert set(json.loads(request.body)) == {"type", "timestamp", "data"}
    assert request.headers["webhook-id"].startswith("msg_")
    assert len(request.body) < 20 * 1024
    with pytest.raises(WebhookVerificationError):
        Webhook(services.secret_generate()).verify(request.body, request.headers)


def test_during_a_rotation_both_secrets_verify_and_after_24_hours_only_the_new_one(
    receiver, florida
):
    state, _county = florida
    subscription = subscribe(receiver.url(), "US-FL")
    old = subscription.secret
    new = services.subscription_rotate_secret(subscription=subscription)
    assert new != old and new.startswith("whsec_")

    record_status(state, "legal")
    _send_all()
    first = receiver.requests[-1]
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(first.body, first.headers)

    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=25)
    with time_machine.travel(later, tick=True):
        record_status(state, "banned")
        _send_all()
        second = receiver.requests[-1]
        assert len(second.headers["webhook-signature"].split(" ")) == 1
        Webhook(new).verify(second.body, second.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(second.body, second.headers)
