"""The process's outcome writer: groups of at most `group_max` outcomes, each committed
within `delay` of its first, on its own thread and connection as in a worker; a database
that refuses it for a while loses nothing. And the kill guarantee through a real worker."""

import logging
import time
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection

from tests.alerts.conftest import Reply, subscribe
from tests.alerts.flows import FAST_WORKER, all_delivered, fan_out, report, sweep_until_delivered
from tests.factories import make_jurisdiction, record_status
from tracker.alerts.channels import Outcome
from tracker.alerts.models import Attempt, Delivery, DeliveryState
from tracker.alerts.services import OutcomeWriter, Sends

WAIT = 30.0  # seconds: a bound for a broken writer, never a measure of a working one


def _deliveries(receiver, count: int) -> list[Delivery]:
    place = make_jurisdiction("US-FL", name="Florida")
    for number in range(count):
        subscribe(receiver.url(f"/s/{number}"), "US-FL")
    record_status(place, "banned")
    return list(Delivery.objects.select_related("subscription").order_by("pk"))


def _hand(writer: OutcomeWriter, deliveries: list[Delivery]) -> None:
    """As the sending threads do once each request is answered 200."""
    sends = Sends(left=len(deliveries))
    for delivery in deliveries:
        writer.hand(sends, [delivery], Outcome(status_code=200, latency_ms=1))


def _committed_groups() -> list[int]:
    """The size of each committed group: a group's attempts share one time."""
    times = Attempt.objects.order_by("attempted_at").values_list("attempted_at", flat=True)
    sizes: dict = {}
    for moment in times:
        sizes[moment] = sizes.get(moment, 0) + 1
    return list(sizes.values())


def _eventually(predicate) -> bool:
    deadline = time.monotonic() + WAIT
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


def _all_written(writer: OutcomeWriter) -> bool:
    return _eventually(lambda: not writer.waiting and not writer.writing)


@pytest.fixture
def writer():
    """A writer on its own thread (as a worker runs it); stopped (drained) after the test."""
    made = []

    def start(**options) -> OutcomeWriter:
        made.append(OutcomeWriter(**options))
        made[-1].start()
        return made[-1]

    yield start
    for each in made:
        each.stop()


@pytest.mark.django_db(transaction=True)
def test_a_group_is_committed_once_it_holds_group_max_outcomes(receiver, writer):
    """An hour's delay: only the group's size can have it written."""
    deliveries = _deliveries(receiver, 53)
    outcomes = writer(group_max=50, delay=3600)

    _hand(outcomes, deliveries[:50])
    assert _all_written(outcomes)
    assert _committed_groups() == [50]
    _hand(outcomes, deliveries[50:])
    outcomes.stop()  # a worker's shutdown writes what waits

    assert _committed_groups() == [50, 3]
    assert set(Delivery.objects.values_list("state", "attempts")) == {(DeliveryState.SUCCEEDED, 1)}


@pytest.mark.django_db(transaction=True)
def test_a_group_smaller_than_group_max_is_committed_after_the_delay(receiver, writer):
    deliveries = _deliveries(receiver, 3)
    outcomes = writer(group_max=50, delay=0.1)

    _hand(outcomes, deliveries)
    assert _all_written(outcomes)

    assert _committed_groups() == [3]  # neither full nor stopped: the delay wrote it
    assert Delivery.objects.filter(state=DeliveryState.SUCCEEDED).count() == 3


def _refuse_connections(allow: bool) -> None:
    """The test database takes no new connection (superusers included), and every other one
    is ended: the writer's own, mid-way. Said from the server's maintenance database (no
    session may refuse connections to its own)."""
    params = connection.get_connection_params()
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        name = connection.settings_dict["NAME"]
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> %s",
                [name, connection.connection.info.backend_pid],
            )


@pytest.mark.django_db(transaction=True)
def test_outcomes_are_kept_while_the_database_refuses_the_writer(receiver, writer, caplog):
    deliveries = _deliveries(receiver, 6)
    outcomes = writer(group_max=50, delay=0.05)
    _hand(outcomes, deliveries[:1])  # the writer's thread has its connection open
    assert _all_written(outcomes)

    _refuse_connections(allow=False)
    try:
        with caplog.at_level(logging.WARNING, logger="tracker.lib.db"):
            _hand(outcomes, deliveries[1:])
            failed = _eventually(lambda: len(caplog.records) >= 2)
    finally:
        _refuse_connections(allow=True)
    assert failed  # its connection was ended, and a new one refused
    assert _all_written(outcomes)

    assert sorted(Attempt.objects.values_list("delivery_id", flat=True)) == [
        d.pk for d in deliveries
    ]
    assert set(Delivery.objects.values_list("state", "attempts")) == {(DeliveryState.SUCCEEDED, 1)}


@pytest.mark.worker
def test_a_worker_killed_mid_fan_out_leaves_unrecorded_at_most_in_flight_plus_one_group(
    celery_worker_process, receiver, settings
):
    """A receiver that answers at once, so outcomes end faster than a group's delay: after
    the SIGKILL, duplicates are at most the requests in flight plus the group not committed,
    none goes to an endpoint whose 410 was recorded, and none is lost."""
    settings.WEBHOOK_LEASE_SECONDS = 5
    count, in_flight, group = 400, 8, 10
    gone = {f"/s/{number}" for number in range(0, count, 10)}
    receiver.script = lambda path, n: Reply(status=410) if path in gone else Reply()
    env = {
        **FAST_WORKER,
        "WEBHOOK_SEND_CONCURRENCY": str(in_flight),
        "WEBHOOK_OUTCOME_GROUP": str(group),
    }
    worker = celery_worker_process(concurrency=2, extra_env=env)
    event = fan_out(receiver, count)
    assert receiver.wait_for(lambda: len(receiver.requests) >= 150)

    worker.kill()  # SIGKILL: requests in flight, outcomes handed over and not committed
    worker.wait()
    recorded_gone = {
        urlsplit(url).path
        for url in Attempt.objects.filter(status_code=410).values_list(
            "subscription__url", flat=True
        )
    }
    assert recorded_gone  # the kill came after some 410s were recorded
    celery_worker_process(concurrency=2, extra_env=env)
    sweep_until_delivered(receiver, event, count)

    duplicates = report(receiver, count)
    assert all_delivered(receiver, event, count)  # 0 lost
    assert sum(n - 1 for n in duplicates.values()) <= in_flight + group
    assert not recorded_gone & set(duplicates)
