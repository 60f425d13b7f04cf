"""The email alerts admin: counts for curators, addresses only with their own permission."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from tests.alerts.email_flows import subscribed
from tests.factories import make_curator, make_jurisdiction, record_status
from tracker.alerts import services
from tracker.alerts.models import Delivery, DeliveryState, EmailSubscription

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:alerts_emailsubscription_changelist")


@pytest.fixture
def subscribers(db):
    florida = make_jurisdiction("US-FL", name="Florida")
    make_jurisdiction("US-GA", name="Georgia")
    record_status(florida, "regulated")
    subscribed("ann@example.org", "US-FL", categories=["leaf"])
    subscribed("bob@example.org", "US-FL", "US-GA", measure_stages=True)
    return florida


def test_a_curator_sees_counts_per_place_and_product_but_no_address(client, subscribers):
    client.force_login(make_curator())
    page = client.get(CHANGELIST).content.decode()

    assert "2 subscribers, 0 suppressed, 1 (not suppressed) also getting bills and rules" in page
    assert '<th scope="row">Florida (US-FL)</th><td>2</td>' in page
    assert '<th scope="row">Georgia (US-GA)</th><td>1</td>' in page
    assert '<th scope="row">Leaf</th><td>2</td>' in page
    assert '<th scope="row">Extracts</th><td>1</td>' in page
    assert "@example.org" not in page


def test_the_address_permission_shows_addresses(client, subscribers):
    curator = make_curator()
    curator.user_permissions.add(Permission.objects.get(codename="view_email_address"))
    client.force_login(curator)

    assert "ann@example.org" in client.get(CHANGELIST).content.decode()


def test_the_last_sends_and_the_confirmation_rate_are_shown(client, subscribers, smtp_inbox):
    record_status(subscribers, "banned")
    ids = list(Delivery.objects.values_list("pk", flat=True))
    services.deliveries_send(delivery_ids=ids)
    client.force_login(make_curator())
    page = client.get(CHANGELIST).content.decode()

    assert "Alert mails: 2 sent, 0 refused for good (0%)" in page
    assert "<td>Florida</td><td>Delivered</td><td>1</td>" in page


def test_suppressed_addresses_and_refused_mails_are_counted_apart(client, subscribers):
    record_status(subscribers, "banned")
    Delivery.objects.update(attempts=1)
    Delivery.objects.filter(pk=Delivery.objects.order_by("pk").first().pk).update(
        state=DeliveryState.FAILED
    )
    EmailSubscription.objects.filter(email="ann@example.org").update(
        suppressed_at=timezone.now(), suppressed_reason="550 no such user"
    )
    client.force_login(make_curator())
    page = client.get(CHANGELIST).content.decode()

    assert "2 subscribers, 1 suppressed, 1 (not suppressed) also getting bills and rules" in page
    assert '<th scope="row">Leaf</th><td>1</td>' in page  # live subscribers only
    assert "Alert mails: 2 sent, 1 refused for good (50%)" in page
