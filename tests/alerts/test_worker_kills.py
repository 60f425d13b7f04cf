"""An attempt is a request that was sent: workers killed before a delivery's request was
answered do not move it along the retry schedule."""

import time

import pytest

from tests.alerts.conftest import Reply
from tests.alerts.flows import FAST_WORKER, fan_out, figures, sweep_until
from tracker.alerts import services
from tracker.alerts.models import Attempt, Delivery, DeliveryState, Subscription

pytestmark = pytest.mark.worker

KILLS = 3


def _sweep_until_a_request_arrives(receiver, timeout: float) -> bool:
    """As sweep_until, watching the receiver closely: the kill must land before the request
    times out (and would be recorded as an attempt)."""
    seen, deadline = len(receiver.requests), time.monotonic() + timeout
    while time.monotonic() < deadline:
        services.deliveries_sweep()
        if receiver.wait_for(lambda: len(receiver.requests) > seen, timeout=0.5):
            return True
    return False


def test_three_workers_killed_mid_send_leave_the_first_real_post_at_attempt_1(
    celery_worker_process, receiver, settings
):
    """Two deliveries, one request in flight at a time, each worker SIGKILLed while it holds
    both (one request in flight, the other claimed and waiting). With four attempts allowed
    (three retries), counting claims would have used three of them before anything was
    answered: the flaky endpoint's first 500 would then have been its last attempt."""
    phase = {"kills": 0, "flaky_answers": 0}

    def script(path, count):
        if phase["kills"] < KILLS:
            return Reply(delay=3)  # held until the worker is killed
        if path.endswith("/flaky"):
            phase["flaky_answers"] += 1
            return Reply(status=500 if phase["flaky_answers"] <= 2 else 200)
        return Reply()

    receiver.script = script
    settings.WEBHOOK_LEASE_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS = 5, 2  # as the worker's
    env = {**FAST_WORKER, "WEBHOOK_SEND_CONCURRENCY": "1"}  # retries "1,1,1": four attempts
    worker = celery_worker_process(concurrency=1, extra_env=env)
    event = fan_out(receiver, 2, paths=["/s/flaky", "/s/steady"])
    for kill in range(KILLS):
        assert _sweep_until_a_request_arrives(receiver, timeout=30)
        worker.kill()  # SIGKILL mid-send: one request in flight, one claimed and unsent
        worker.wait()
        last_kill = time.monotonic()
        phase["kills"] = kill + 1
        worker = celery_worker_process(concurrency=1, extra_env=env)

    flaky = Delivery.objects.get(subscription__url__endswith="/flaky")
    assert sweep_until(
        lambda: not Delivery.objects.filter(state=DeliveryState.PENDING).exists(), timeout=60
    )
    result = figures(receiver, event, 2, last_fault=last_kill)
    log = list(Attempt.objects.filter(delivery=flaky).order_by("number"))
    assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 500), (3, 200)]
    flaky.refresh_from_db()
    assert (flaky.state, flaky.attempts) == (DeliveryState.SUCCEEDED, 3)
    assert Subscription.objects.filter(enabled=True).count() == 2
    assert result["lost"] == 0 and result["first attempt numbers"] == {1: 2}
