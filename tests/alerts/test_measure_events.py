"""measure.created and measure.stage_changed: sent through the outbox to a real receiver,
signed (verified with the standardwebhooks library), only to subscriptions that opt in."""

import pytest
from standardwebhooks.webhooks import Webhook

from tests.alerts.conftest import subscribe
from tracker.alerts import services
from tracker.alerts.models import DEFAULT_EVENTS, Delivery, Event, EventType
from tracker.measures.models import Provider, Stage
from tracker.measures.services import MeasureFacts, measure_upsert

pytestmark = pytest.mark.django_db
MEASURE_EVENTS = [EventType.MEASURE_CREATED, EventType.MEASURE_STAGE_CHANGED]


def _upsert(florida_state, stage, confidence="medium"):
    return measure_upsert(
        provider=Provider.OPENSTATES,
        provider_key="ocd-bill/fl-hb-1",
        facts=MeasureFacts(
            jurisdiction_id=florida_state.pk, kind="bill", identifier="HB 1",
            title="Relating to kratom", stage=stage, confidence=confidence,
        ),
    ).measure  # fmt: skip


def _send_all():
    return services.deliveries_send(
        delivery_ids=list(Delivery.objects.values_list("pk", flat=True))
    )


def test_a_stage_change_reaches_an_opted_in_receiver_signed_and_not_the_others(receiver, florida):
    state, _county = florida
    opted_in = subscribe(receiver.url("/measures"), "US", event_types=MEASURE_EVENTS)
    subscribe(receiver.url("/status-only"), "US-FL")  # the default: status events only
    measure = _upsert(state, Stage.INTRODUCED)
    _upsert(state, Stage.PASSED_ONE_CHAMBER)
    assert _send_all() == 2
    assert receiver.paths() == ["/measures", "/measures"]
    payloads = [
        Webhook(opted_in.secret).verify(request.body, request.headers)
        for request in receiver.requests
    ]
    created, moved = sorted(payloads, key=lambda p: p["type"])
    assert created["type"] == "measure.created" and created["data"]["previous_stage"] is None
    assert moved["type"] == "measure.stage_changed"
    assert moved["data"]["previous_stage"] == "introduced"
    assert moved["data"]["measure"]["id"] == measure.pk
    assert moved["data"]["measure"]["stage"] == "passed_one_chamber"
    assert moved["data"]["measure"]["is_law"] is False
    assert moved["data"]["jurisdiction"]["code"] == "US-FL"


def test_a_lead_sends_nothing(receiver, florida):
    state, _county = florida
    subscribe(receiver.url(), "US-FL", event_types=MEASURE_EVENTS)
    _upsert(state, Stage.INTRODUCED, confidence="low")
    assert not Event.objects.exists()


def test_a_new_subscription_gets_status_events_unless_it_chooses():
    assert EventType.MEASURE_CREATED not in DEFAULT_EVENTS
