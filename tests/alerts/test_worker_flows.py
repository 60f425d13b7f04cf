"""Flows that cross the broker: a real Celery worker, real Redis, a real receiver.

The fault tests count what the receiver got (distinct subscription paths with the event's
webhook-id) and print the duplicates: at-least-once means a request in flight when a worker
dies may be sent again, never that one is lost.
"""

import collections
import socket
import subprocess
import time

import pytest

from tests.alerts.conftest import Reply, celery_broker, subscribe
from tests.factories import make_jurisdiction, record_status
from tracker.alerts import services
from tracker.alerts.models import Delivery, DeliveryState, Event

pytestmark = pytest.mark.worker

# Short timeouts and leases so a lost send falls due again within seconds.
FAST_WORKER = {
    "WEBHOOK_TIMEOUT_SECONDS": "2",
    "WEBHOOK_LEASE_SECONDS": "5",
    "WEBHOOK_SEND_CONCURRENCY": "4",
    "WEBHOOK_RETRY_SCHEDULE": "1,1,1",
    "WEBHOOK_RETRY_JITTER": "0",
}


def _fan_out(receiver, count: int):
    state = make_jurisdiction("US-FL", name="Florida")
    for number in range(count):
        subscribe(receiver.url(f"/s/{number}"), "US-FL")
    record_status(state, "banned")  # commits: the deliveries go on the broker
    return Event.objects.get()


def _all_delivered(receiver, event, count: int) -> bool:
    with receiver.lock:
        got = {r.path for r in receiver.requests if r.headers["webhook-id"] == event.webhook_id}
    return len(got) == count


def _sweep_until(predicate, timeout: float = 60) -> bool:
    """Run the sweeper (as beat would, faster) until predicate() holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        services.deliveries_sweep()
        time.sleep(0.5)
    return predicate()


def _sweep_until_delivered(receiver, event, count: int, timeout: float = 60) -> None:
    _sweep_until(lambda: _all_delivered(receiver, event, count), timeout)


def _report(receiver, count: int) -> dict:
    per_path = collections.Counter(receiver.paths())
    duplicates = {path: n for path, n in per_path.items() if n > 1}
    print(f"received {len(per_path)} of {count} subscriptions; duplicates: {duplicates or 'none'}")
    return duplicates


def test_500_500_200_through_the_broker_is_delivered_on_the_third_attempt(
    celery_worker_process, receiver
):
    celery_worker_process(extra_env=FAST_WORKER)
    receiver.script = lambda path, n: Reply(status=500 if n <= 2 else 200)
    event = _fan_out(receiver, 1)
    assert receiver.wait_for(lambda: len(receiver.requests) >= 3)
    delivery = Delivery.objects.get()
    assert receiver.wait_for(lambda: Delivery.objects.get().state == DeliveryState.SUCCEEDED)
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert {r.headers["webhook-id"] for r in receiver.requests} == {event.webhook_id}


def _gone_answers_acted_on(requests, gone: set[str]) -> set[str]:
    """The 410 endpoints whose sending thread had moved on (sent another request on the same
    connection) before the kill: their 410 had been recorded, so they must never hear again."""
    acted_on = set()
    for index, request in enumerate(requests):
        if request.path in gone and any(
            later.connection == request.connection for later in requests[index + 1 :]
        ):
            acted_on.add(request.path)
    return acted_on


def test_a_worker_killed_mid_fan_out_resends_only_what_was_in_flight(
    celery_worker_process, receiver, settings
):
    """One SIGKILL mid fan-out: nothing lost, duplicates at most the requests in flight,
    and no second POST to an endpoint whose 410 the worker had already taken in."""
    settings.WEBHOOK_LEASE_SECONDS, settings.WEBHOOK_BATCH_SIZE = 5, 20
    count, in_flight = 120, 4
    gone = {f"/s/{number}" for number in range(0, count, 5)}
    receiver.script = lambda path, n: Reply(status=410) if path in gone else Reply(delay=0.2)
    env = {**FAST_WORKER, "WEBHOOK_SEND_CONCURRENCY": str(in_flight)}
    # Two batches of 20 claimed at a time, 4 requests in flight: before outcomes were
    # recorded per request, every claimed delivery already sent was sent again.
    worker = celery_worker_process(concurrency=2, extra_env=env)
    event = _fan_out(receiver, count)
    assert receiver.wait_for(lambda: len(receiver.requests) >= 50)  # mid-way through batch 3

    worker.kill()  # SIGKILL: no clean-up, requests in flight, messages unacknowledged
    worker.wait()
    with receiver.lock:
        before_kill = list(receiver.requests)
    assert len({r.path for r in before_kill}) < count
    celery_worker_process(concurrency=2, extra_env=env)
    _sweep_until_delivered(receiver, event, count)

    duplicates = _report(receiver, count)
    assert _all_delivered(receiver, event, count)  # 0 lost
    assert receiver.wait_for(lambda: not Delivery.objects.filter(state="pending").exists())
    assert sum(n - 1 for n in duplicates.values()) <= in_flight
    acted_on = _gone_answers_acted_on(before_kill, gone)
    assert acted_on  # the kill came after some 410s were taken in
    assert not acted_on & set(duplicates)
    assert Delivery.objects.filter(state=DeliveryState.SUCCEEDED).count() == count - len(gone)


def test_redis_restarted_mid_flow_the_sweeper_finishes_the_job(
    celery_worker_process, receiver, private_redis, settings
):
    process, url = private_redis
    port = url.rsplit(":", 1)[1].split("/")[0]
    settings.WEBHOOK_LEASE_SECONDS, settings.WEBHOOK_BATCH_SIZE = 5, 5
    count = 30
    receiver.script = lambda path, n: Reply(delay=0.5)
    restarted = worker = None
    with celery_broker(url):
        try:
            worker = celery_worker_process(
                concurrency=2, extra_env={**FAST_WORKER, "REDIS_URL": url}
            )
            event = _fan_out(receiver, count)
            assert receiver.wait_for(lambda: len(receiver.requests) >= 5)

            process.kill()  # Redis goes away with every queued message (no persistence)
            process.wait()
            assert len(set(receiver.paths())) < count
            restarted = subprocess.Popen(
                ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            _sweep_until_delivered(receiver, event, count, timeout=90)
        finally:
            if worker is not None:  # stop it while its Redis is still there
                worker.terminate()
                worker.wait(timeout=30)
            if restarted is not None:
                restarted.kill()
                restarted.wait()
    _report(receiver, count)
    assert _all_delivered(receiver, event, count)


def _redis_start(port: str) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", int(port)), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise AssertionError("redis-server did not start")


# How long Redis stays down at each restart: long enough for the worker to notice and tear
# its connection down while Redis is unreachable (where the old kombu transport crashed).
DOWNTIME = 3


def _worker_answers() -> bool:
    """The worker (the only one on this private Redis) answers a ping: it is consuming."""
    from tracker.celery import app

    try:
        return bool(app.control.ping(timeout=1))
    except Exception:  # this process's own broker connection is still the broken one
        return False


def test_a_worker_survives_ten_redis_restarts_mid_fan_out(
    celery_worker_process, receiver, private_redis, settings
):
    """Redis is restarted ten times while the worker sends: every subscriber gets the event
    (the sweeper re-queues what each restart lost) and the worker is still running."""
    redis, url = private_redis
    port = url.rsplit(":", 1)[1].split("/")[0]
    settings.WEBHOOK_LEASE_SECONDS, settings.WEBHOOK_BATCH_SIZE = 5, 5
    # One request in flight, answered after a second while Redis restarts: the fan-out
    # lasts all ten restarts (about ten requests each); then the receiver answers at once.
    count, slow = 200, [True]
    receiver.script = lambda path, n: Reply(delay=1.0 if slow[0] else 0)
    env = {**FAST_WORKER, "WEBHOOK_SEND_CONCURRENCY": "1", "REDIS_URL": url}
    worker = None
    with celery_broker(url):
        try:
            worker = celery_worker_process(concurrency=4, extra_env=env)
            event = _fan_out(receiver, count)
            for _ in range(10):
                sent = len(receiver.requests)
                # Each restart lands while the worker is back on Redis and sending.
                assert _sweep_until(lambda sent=sent: len(receiver.requests) >= sent + 2)
                redis.kill()  # every queued and unacknowledged message goes with it
                redis.wait()
                time.sleep(DOWNTIME)  # the worker finds Redis gone, not already back
                redis = _redis_start(port)
                assert _sweep_until(lambda: worker.poll() is not None or _worker_answers())
                assert worker.poll() is None, f"the worker exited with {worker.returncode}"
            slow[0] = False
            _sweep_until_delivered(receiver, event, count, timeout=120)
            alive = worker.poll() is None
        finally:
            if worker is not None and worker.poll() is None:  # stop it while Redis is there
                worker.terminate()
                worker.wait(timeout=30)
            redis.kill()
            redis.wait()
    _report(receiver, count)
    assert _all_delivered(receiver, event, count)
    assert alive, f"the worker exited with {worker.returncode}"
