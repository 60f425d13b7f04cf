"""The process's outcome writer: a sender returns once its outcome is committed; outcomes
that end during a commit are committed together, at most `group_max` at a time, on the
writer's own thread and connection as in a worker; a database that refuses it for a while
loses nothing. And the kill guarantee through a real worker."""

import logging
import threading
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
    """As one sending thread does once each request is answered 200."""
    sends = Sends(left=len(deliveries))
    for delivery in deliveries:
        writer.hand(sends, [delivery], Outcome(status_code=200, latency_ms=1))


def _hand_concurrently(writer: OutcomeWriter, deliveries: list[Delivery]) -> list[threading.Thread]:
    """As a pool does: one sending thread per delivery, each waiting for its commit."""
    sends = Sends(left=len(deliveries))
    threads = [
        threading.Thread(
            target=writer.hand, args=(sends, [delivery], Outcome(status_code=200, latency_ms=1))
        )
        for delivery in deliveries
    ]
    for thread in threads:
        thread.start()
    return threads


def _joined(threads: list[threading.Thread]) -> bool:
    for thread in threads:
        thread.join(WAIT)
    return not any(thread.is_alive() for thread in threads)


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
def test_outcomes_handed_over_meanwhile_are_committed_together_at_most_group_max_at_once(
    receiver,
):
    deliveries = _deliveries(receiver, 53)
    outcomes = OutcomeWriter(group_max=50)  # its thread not started yet: the outcomes wait
    senders = _hand_concurrently(outcomes, deliveries)
    assert _eventually(lambda: len(outcomes.waiting) == 53)
    assert all(sender.is_alive() for sender in senders)  # none goes on before its commit

    outcomes.start()
    try:
        assert _joined(senders)
    finally:
        outcomes.stop()

    assert _committed_groups() == [50, 3]
    assert set(Delivery.objects.values_list("state", "attempts")) == {(DeliveryState.SUCCEEDED, 1)}


@pytest.mark.django_db(transaction=True)
def test_a_sender_goes_on_only_once_its_outcome_is_committed(receiver, writer):
    deliveries = _deliveries(receiver, 2)
    outcomes = writer(group_max=50)

    _hand(outcomes, deliveries[:1])
    assert Attempt.objects.filter(delivery=deliveries[0]).exists()  # committed on return
    _hand(outcomes, deliveries[1:])

    assert _committed_groups() == [1, 1]  # one sender: nothing waits for a group to fill


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
    outcomes = writer(group_max=50)
    _hand(outcomes, deliveries[:1])  # the writer's thread has its connection open

    _refuse_connections(allow=False)
    try:
        with caplog.at_level(logging.WARNING, logger="tracker.lib.db"):
            senders = _hand_concurrently(outcomes, deliveries[1:])
            failed = _eventually(lambda: len(caplog.records) >= 2)
            assert all(sender.is_alive() for sender in senders)  # waiting for their commit
    finally:
        _refuse_connections(allow=True)
    assert failed  # its connection was ended, and a new one refused
    assert _joined(senders)

    assert sorted(Attempt.objects.values_list("delivery_id", flat=True)) == [
        d.pk for d in deliveries
    ]
    assert set(Delivery.objects.values_list("state", "attempts")) == {(DeliveryState.SUCCEEDED, 1)}


@pytest.mark.worker
def test_a_worker_killed_mid_fan_out_leaves_unrecorded_at_most_the_requests_in_flight(
    celery_worker_process, receiver, settings
):
    """A receiver that answers at once, so outcomes end faster than a group commits: after
    the SIGKILL, duplicates are at most the requests in flight, none goes to an endpoint
    whose 410 was recorded, and none is lost."""
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

    worker.kill()  # SIGKILL: requests in flight, their outcomes handed over or not
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
    assert sum(n - 1 for n in duplicates.values()) <= in_flight
    assert not recorded_gone & set(duplicates)
