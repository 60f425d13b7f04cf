"""The webhooks admin: list pages in a fixed number of queries, actions through the services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.alerts.conftest import subscribe
from tests.factories import make_user, record_status
from tracker.alerts import services
from tracker.alerts.models import Delivery, EventType, Subscription

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:alerts_subscription_changelist")


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    return client


def test_the_subscription_list_costs_the_same_queries_for_2_or_12_rows(
    admin_client, florida, receiver, django_assert_num_queries
):
    for number in range(2):
        subscribe(receiver.url(f"/{number}"), "US-FL", "US-FL-SARASOTA-COUNTY")
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(CHANGELIST).status_code == 200
    for number in range(2, 12):
        subscribe(receiver.url(f"/{number}"), "US-FL")
    with django_assert_num_queries(len(small)):
        response = admin_client.get(CHANGELIST)
    assert response.content.count(b"US-FL-SARASOTA-COUNTY") == 2


def test_adding_in_the_admin_shows_the_secret_once(admin_client, florida, receiver):
    state, _county = florida
    response = admin_client.post(
        reverse("admin:alerts_subscription_add"),
        {
            "url": receiver.url(),
            "description": "ops",
            "follows": [state.pk],
            "event_types": [EventType.STATUS_CHANGED],
        },
        follow=True,
    )
    subscription = Subscription.objects.get()
    assert subscription.secret in response.content.decode()
    assert subscription.event_types == [EventType.STATUS_CHANGED]
    assert list(subscription.follows.all()) == [state]
    page = admin_client.get(reverse("admin:alerts_subscription_change", args=[subscription.pk]))
    assert subscription.secret not in page.content.decode()


def test_adding_a_private_endpoint_in_the_admin_is_refused_with_the_reason(
    admin_client, florida, settings
):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    response = admin_client.post(
        reverse("admin:alerts_subscription_add"),
        {"url": "https://10.0.0.1/hook", "follows": [florida[0].pk], "event_types": ["ping"]},
    )
    assert response.status_code == 200
    assert "non-public address" in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_page_shows_the_log_and_resend_and_ping_work(
    admin_client, florida, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    delivery = Delivery.objects.get()
    services.deliveries_send(delivery_ids=[delivery.pk])

    page = admin_client.get(reverse("admin:alerts_subscription_change", args=[subscription.pk]))
    assert "Delivery log" in page.content.decode() and "status.changed" in page.content.decode()
    resend = reverse("admin:alerts_subscription_resend", args=[subscription.pk, delivery.pk])
    assert resend in page.content.decode()

    confirm = admin_client.get(resend)  # a page that asks; only a POST resends
    assert "Resend" in confirm.content.decode()
    delivery.refresh_from_db()
    assert delivery.state == "succeeded"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(resend)
        admin_client.post(
            CHANGELIST, {"action": "send_ping", "_selected_action": [subscription.pk]}
        )
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("pending", 0)
    assert Delivery.objects.filter(event__type=EventType.PING, subscription=subscription).exists()
    assert len(callbacks) == 2


def test_enabling_in_the_admin_offers_to_replay_what_it_missed(admin_client, florida, receiver):
    subscription = subscribe(receiver.url(), "US-FL")
    services.subscription_disable(subscription_id=subscription.pk, reason="410")
    record_status(florida[0], "banned")
    selected = {"action": "enable", "_selected_action": [subscription.pk]}
    offer = admin_client.post(CHANGELIST, selected)
    assert "missed 1 event since" in offer.content.decode()
    subscription.refresh_from_db()
    assert not subscription.enabled  # nothing happens until a choice is made

    response = admin_client.post(CHANGELIST, {**selected, "replay": "yes"}, follow=True)
    subscription.refresh_from_db()
    assert subscription.enabled
    assert "1 missed replayed" in response.content.decode()
    assert Delivery.objects.get().state == "pending"


def test_enabling_only_replays_nothing(admin_client, florida, receiver):
    subscription = subscribe(receiver.url(), "US-FL")
    services.subscription_disable(subscription_id=subscription.pk, reason="410")
    record_status(florida[0], "banned")
    admin_client.post(
        CHANGELIST, {"action": "enable", "_selected_action": [subscription.pk], "replay": "no"}
    )
    subscription.refresh_from_db()
    assert subscription.enabled and not Delivery.objects.exists()
