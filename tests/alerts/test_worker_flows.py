"""Flows that cross the broker: a real Celery worker, real Redis, a real receiver.

The fault tests count what the receiver got (distinct subscription paths with the event's
webhook-id) and print the duplicates: at-least-once means a request in flight when a worker
dies may be sent again, never that one is lost.
"""

from urllib.parse import urlsplit

import pytest

from tests.alerts.conftest import Reply, celery_broker
from tests.alerts.flows import (
    FAST_WORKER,
    all_delivered,
    fan_out,
    report,
    sweep_until_delivered,
)
from tests.redis_server import redis_start
from tracker.alerts.models import Attempt, Delivery, DeliveryState

pytestmark = pytest.mark.worker


def test_500_500_200_through_the_broker_is_delivered_on_the_third_attempt(
    celery_worker_process, receiver
):
    celery_worker_process(extra_env=FAST_WORKER)
    receiver.script = lambda path, n: Reply(status=500 if n <= 2 else 200)
    event = fan_out(receiver, 1)
    assert receiver.wait_for(lambda: len(receiver.requests) >= 3)
    delivery = Delivery.objects.get()
    assert receiver.wait_for(lambda: Delivery.objects.get().state == DeliveryState.SUCCEEDED)
    delivery.refresh_from_db()
    assert delivery.attempts == 3
    assert {r.headers["webhook-id"] for r in receiver.requests} == {event.webhook_id}


def _recorded_gone() -> set[str]:
    """The paths whose 410 the killed worker had committed: they must never hear again."""
    urls = Attempt.objects.filter(status_code=410).values_list("subscription__url", flat=True)
    return {urlsplit(url).path for url in urls}


def test_a_worker_killed_mid_fan_out_resends_at_most_the_requests_in_flight(
    celery_worker_process, receiver, settings
):
    """One SIGKILL mid fan-out: nothing lost, duplicates at most the requests in flight, and
    no second POST to an endpoint whose 410 was recorded."""
    settings.WEBHOOK_LEASE_SECONDS, settings.WEBHOOK_BATCH_SIZE = 5, 20
    count, in_flight = 120, 4
    gone = {f"/s/{number}" for number in range(0, count, 5)}
    receiver.script = lambda path, n: Reply(status=410) if path in gone else Reply(delay=0.2)
    env = {**FAST_WORKER, "WEBHOOK_SEND_CONCURRENCY": str(in_flight)}
    # Two batches of 20 claimed at a time, 4 requests in flight: before outcomes were
    # recorded per request, every claimed delivery already sent was sent again.
    worker = celery_worker_process(concurrency=2, extra_env=env)
    event = fan_out(receiver, count)
    assert receiver.wait_for(lambda: len(receiver.requests) >= 50)  # mid-way through batch 3

    worker.kill()  # SIGKILL: no clean-up, requests in flight, messages unacknowledged
    worker.wait()
    with receiver.lock:
        before_kill = list(receiver.requests)
    assert len({r.path for r in before_kill}) < count
    recorded_gone = _recorded_gone()
    assert recorded_gone  # the kill came after some 410s were recorded
    celery_worker_process(concurrency=2, extra_env=env)
    sweep_until_delivered(receiver, event, count)

    duplicates = report(receiver, count)
    assert all_delivered(receiver, event, count)  # 0 lost
    assert receiver.wait_for(lambda: not Delivery.objects.filter(state="pending").exists())
    assert sum(n - 1 for n in duplicates.values()) <= in_flight
    assert not recorded_gone & set(duplicates)
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
            event = fan_out(receiver, count)
            assert receiver.wait_for(lambda: len(receiver.requests) >= 5)

            process.kill()  # Redis goes away with every queued message (no persistence)
            process.wait()
            assert len(set(receiver.paths())) < count
            restarted = redis_start(port)
            sweep_until_delivered(receiver, event, count, timeout=90)
        finally:
            if worker is not None:  # stop it while its Redis is still there
                worker.terminate()
                worker.wait(timeout=30)
            if restarted is not None:
                restarted.kill()
                restarted.wait()
    report(receiver, count)
    assert all_delivered(receiver, event, count)
