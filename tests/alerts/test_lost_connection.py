"""The database connection is lost while a request is in flight (a terminated backend)."""

import pytest
from django.db import connection

from tests.alerts.conftest import Reply, subscribe
from tests.factories import record_status
from tracker.alerts import services
from tracker.alerts.models import Attempt, Delivery, DeliveryState


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    """From the receiver's thread, on that thread's own connection."""
    from django.db import connection as own

    with own.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    own.close()


@pytest.mark.django_db(transaction=True)
def test_a_backend_terminated_during_the_request_still_gets_the_outcome_recorded(receiver, florida):
    """The outcome is written on a new connection, so the receiver is not sent it again."""
    subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    delivery = Delivery.objects.get()
    pid = _backend_pid()  # the connection that claims, and will record

    def terminate_then_answer(path, count):
        _terminate(pid)
        return Reply()

    receiver.script = terminate_then_answer
    assert services.deliveries_send(delivery_ids=[delivery.pk]) == 1

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SUCCEEDED
    assert Attempt.objects.filter(delivery=delivery, succeeded=True).count() == 1
    assert len(receiver.requests) == 1
    assert _backend_pid() != pid
