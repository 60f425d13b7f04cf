"""Sending a batch reads the same queries whatever its size: the claim leaves out the owners'
columns no message reads (OWNER_FIELDS_NOT_SENT), and a channel that read one of them would
load it once per delivery, which these tests would count. (Writes are not counted: how many
groups the outcomes are committed in depends on when their requests end.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.alerts.conftest import subscribe
from tests.alerts.email_flows import subscribed
from tests.factories import record_status
from tracker.alerts import services
from tracker.alerts.models import Delivery

pytestmark = pytest.mark.django_db


def _send_queries() -> tuple[int, int]:
    """(deliveries sent, SELECTs it took) for every pending delivery."""
    ids = list(Delivery.objects.filter(state="pending").values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        sent = services.deliveries_send(delivery_ids=ids)
    return sent, sum(query["sql"].startswith("SELECT") for query in queries.captured_queries)


def test_webhooks_take_the_same_queries_for_two_deliveries_as_for_twelve(receiver, florida):
    for number in range(2):
        subscribe(receiver.url(f"/a/{number}"), "US-FL")
    record_status(florida[0], "banned")
    sent, few = _send_queries()
    assert sent == 2

    for number in range(10):
        subscribe(receiver.url(f"/b/{number}"), "US-FL")
    record_status(florida[0], "legal")
    sent, many = _send_queries()
    assert sent == 12 and many == few


def test_mail_takes_the_same_queries_for_two_subscribers_as_for_twelve(
    smtp_inbox, florida, settings
):
    for number in range(2):
        subscribed(f"a{number}@example.org", "US-FL")
    record_status(florida[0], "banned")
    sent, few = _send_queries()
    assert sent == 2

    for number in range(10):
        subscribed(f"b{number}@example.org", "US-FL")
    record_status(florida[0], "legal")
    sent, many = _send_queries()
    assert sent == 12 and many == few
    assert len(smtp_inbox.wait_for(14)) == 14
