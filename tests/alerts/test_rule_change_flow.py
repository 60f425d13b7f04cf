"""A curator changes one product rule: one version, one signed status.changed event that
carries both rule sets in the API's shape, through a real worker to a real receiver."""

import json

import pytest
from django.test import Client
from standardwebhooks.webhooks import Webhook

from jurisdictions import selectors
from jurisdictions.models import Category, Rule, Scope, StatusVersion
from jurisdictions.rules import ProductRule
from jurisdictions.serializers import version_data
from jurisdictions.services import decisions
from tests.alerts.conftest import subscribe
from tests.factories import CITATION, make_curator, record_status, rules_for
from tracker.alerts.models import Delivery, DeliveryState, Event

pytestmark = pytest.mark.worker

SEVEN_OH_LIMIT = "Schedule I above 1 mg/g (solid) or 1 mg/mL (liquid)"


def test_a_7oh_change_is_one_version_one_verified_event_and_a_feed_entry_that_names_it(
    celery_worker_process, receiver, florida
):
    celery_worker_process()
    state, _county = florida
    before = rules_for(
        "regulated",
        min_age=21,
        seven_oh=ProductRule(Category.SEVEN_OH, Rule.REGULATED, min_age=21, limit="≤ 1 mg/g"),
    )
    previous = record_status(state, rules=before)
    subscription = subscribe(receiver.url(), "US-FL")
    alice, bob = make_curator("alice"), make_curator("bob")
    after = {
        **before,
        Category.SEVEN_OH: ProductRule(
            Category.SEVEN_OH, Rule.BANNED, Scope.POSSESSION, limit=SEVEN_OH_LIMIT
        ),
    }
    facts = decisions.StatusFacts(
        rules=after,
        summary="Emergency rule: 7-OH above the threshold is Schedule I.",
        citations=[CITATION],
        as_of=previous.as_of,
    )
    # A new ban: four eyes. Alice confirms, Bob approves; only then is a version recorded.
    approval = decisions.status_decide(
        actor=alice,
        jurisdiction=state,
        facts=facts,
        seen_version_id=selectors.jurisdiction_latest_version_id(jurisdiction_id=state.pk),
    )
    assert StatusVersion.objects.filter(jurisdiction=state).count() == 1
    new = decisions.approval_approve(actor=bob, approval_id=approval.pk)
    assert StatusVersion.objects.filter(jurisdiction=state).count() == 2
    assert new.status == "restricted" and new.rules == after

    event = Event.objects.get()
    assert receiver.wait_for(lambda: len(receiver.requests) == 1)
    request = receiver.requests[0]
    payload = Webhook(subscription.secret).verify(request.body, request.headers)
    assert request.headers["webhook-id"] == event.webhook_id
    assert payload["type"] == "status.changed"
    data = payload["data"]
    assert data["previous"]["rules"]["7oh"]["rule"] == "regulated"
    assert data["new"]["rules"]["7oh"] == {
        "category": "7oh",
        "rule": "banned",
        "scope": "possession",
        "min_age": None,
        "limit": SEVEN_OH_LIMIT,
    }
    assert data["new"]["rules"]["leaf"] == data["previous"]["rules"]["leaf"]
    assert "7-OH products: regulated → banned (possession)" in data["changes"]
    # The payload is the API's shape: the same serializer, the same dates and origin.
    api_new = json.loads(json.dumps(version_data(new)))
    assert data["new"] == api_new and data["new"]["origin"] == "curator"
    assert data["url"].endswith("/j/US-FL/")
    assert receiver.wait_for(lambda: Delivery.objects.get().state == DeliveryState.SUCCEEDED)

    feed = Client(HTTP_HOST="localhost").get("/feeds/changes.atom").content.decode()
    assert "<title>Florida: 7-OH products: regulated → banned (possession);" in feed
