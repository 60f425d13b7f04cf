"""Which status changes become which events, and who they go to."""

import datetime

import pytest

from jurisdictions.services import statuses
from tests.alerts.conftest import subscribe
from tests.factories import make_jurisdiction, make_user, record_status
from tracker.alerts.models import Delivery, Event, EventType

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)


def _deliveries_to(subscription) -> list[str]:
    return list(
        Delivery.objects.filter(subscription=subscription)
        .order_by("event__created_at")
        .values_list("event__jurisdiction__code", flat=True)
    )


def test_following_a_state_delivers_its_counties_and_cities_changes(florida, receiver):
    state, county = florida
    city = make_jurisdiction("US-FL-SARASOTA", name="Sarasota", level="city", parent=county)
    follows_state = subscribe(receiver.url("/fl"), "US-FL")
    follows_county = subscribe(receiver.url("/county"), "US-FL-SARASOTA-COUNTY")
    follows_us = subscribe(receiver.url("/us"), "US")
    make_jurisdiction("US-TX", name="Texas")
    follows_texas = subscribe(receiver.url("/tx"), "US-TX")

    record_status(county, "banned")
    record_status(city, "banned")
    record_status(state, "regulated")

    codes = ["US-FL-SARASOTA-COUNTY", "US-FL-SARASOTA", "US-FL"]
    assert _deliveries_to(follows_state) == codes
    assert _deliveries_to(follows_us) == codes
    assert _deliveries_to(follows_county) == ["US-FL-SARASOTA-COUNTY", "US-FL-SARASOTA"]
    assert _deliveries_to(follows_texas) == []


def test_a_code_prefix_counts_as_following_even_where_the_tree_is_flat(receiver):
    state = make_jurisdiction("US-CA", name="California")
    # Hung under the country, not the state: its code still puts it under US-CA.
    san_diego = make_jurisdiction(
        "US-CA-SAN-DIEGO", name="San Diego", level="city", parent=state.parent
    )
    subscription = subscribe(receiver.url(), "US-CA")
    record_status(san_diego, "restricted")
    assert _deliveries_to(subscription) == ["US-CA-SAN-DIEGO"]


def test_a_subscription_gets_only_the_event_types_it_chose(florida, receiver):
    changed_only = subscribe(receiver.url("/a"), "US-FL", event_types=["status.changed"])
    scheduled_only = subscribe(receiver.url("/b"), "US-FL", event_types=["status.scheduled"])
    record_status(florida[0], "banned", effective_date=datetime.date(2099, 1, 1))
    assert _deliveries_to(changed_only) == []
    assert _deliveries_to(scheduled_only) == ["US-FL"]


def test_a_disabled_subscription_gets_nothing_but_the_event_is_stored(florida, receiver):
    subscription = subscribe(receiver.url(), "US-FL")
    subscription.enabled, subscription.disabled_reason = False, "testing"
    subscription.save()
    subscribe(receiver.url("/other"), "US-FL-SARASOTA-COUNTY")
    record_status(florida[0], "banned")
    assert Event.objects.count() == 1
    assert _deliveries_to(subscription) == []


def test_a_future_change_is_scheduled_then_changed_on_its_day_exactly_once(florida, receiver):
    state, _county = florida
    subscription = subscribe(receiver.url(), "US-FL")
    current = record_status(state, "legal", today=TODAY)
    upcoming = record_status(
        state, "banned", user=make_user(), effective_date=datetime.date(2026, 12, 1), today=TODAY
    )
    events = list(Event.objects.order_by("created_at"))
    assert [e.type for e in events] == [EventType.STATUS_CHANGED, EventType.STATUS_SCHEDULED]
    assert events[1].data["new"]["id"] == upcoming.pk
    assert events[1].data["previous"]["id"] == current.pk

    statuses.statuses_promote_due(today=datetime.date(2026, 11, 30))
    assert Event.objects.count() == 2
    statuses.statuses_promote_due(today=datetime.date(2026, 12, 1))
    statuses.statuses_promote_due(today=datetime.date(2026, 12, 2))
    promoted = Event.objects.order_by("created_at").last()
    assert Event.objects.count() == 3
    assert promoted.type == EventType.STATUS_CHANGED
    assert (promoted.data["new"]["id"], promoted.data["previous"]["id"]) == (
        upcoming.pk,
        current.pk,
    )
    assert Delivery.objects.filter(subscription=subscription).count() == 3


def test_a_huge_citation_list_keeps_the_body_under_20_kb(florida, receiver):
    from tracker.alerts.services import event_body

    subscribe(receiver.url(), "US-FL")
    citations = [
        {"title": f"Part {n}", "url": f"https://law.example.gov/{n}", "text": "x" * 200}
        for n in range(200)
    ]
    record_status(florida[0], "banned", citations=citations)
    event = Event.objects.get()
    assert len(event_body(event=event)) < 20 * 1024
    assert event.data["new"]["citations_omitted"] is True


def test_an_effective_date_change_is_in_the_events_changes_as_in_the_feed_and_api(
    florida, receiver, client
):
    state, _county = florida
    subscribe(receiver.url(), "US-FL")
    record_status(state, effective_date=datetime.date(2026, 7, 1), today=TODAY)
    record_status(state, user=make_user(), effective_date=datetime.date(2026, 8, 1), today=TODAY)
    event = Event.objects.order_by("created_at").last()
    assert event.data["changes"] == ["effective date 1 July 2026 → 1 August 2026"]
    api = client.get("/api/v1/changes").json()["results"][0]
    assert api["changes"] == event.data["changes"]
    feed = client.get("/feeds/changes.atom").content.decode()
    assert "Florida: effective date 1 July 2026 → 1 August 2026" in feed
