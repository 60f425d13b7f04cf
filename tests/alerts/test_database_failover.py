"""A worker whose PostgreSQL connections are all terminated (what a failover or a restart
does) twice while it fans out an event and re-checks sources: nothing is lost, beat's
tasks keep running, everything arrives within a minute of the fault."""

import time

import pytest

from tests.alerts.conftest import Receiver, Reply
from tests.alerts.flows import FAST_WORKER, all_delivered, fan_out, figures
from tests.factories import make_jurisdiction
from tests.worker_faults import (
    beat_until,
    failed_runs,
    terminate_worker_backends,
    worker_database_env,
)
from tracker.alerts.models import Delivery, DeliveryState
from tracker.monitoring.models import Check, Source

pytestmark = pytest.mark.worker

PERIODIC = [
    "tracker.alerts.tasks.deliveries_sweep",
    "tracker.monitoring.tasks.sources_dispatch_due",
]
SOURCES = 30
PAGE = b"<html><body><main><p>Kratom is regulated here.</p></main></body></html>"


@pytest.fixture
def pages():
    """Official pages that take two seconds to answer, so the re-check pass lasts."""
    server = Receiver()
    server.script = lambda path, n: Reply(body=PAGE, headers={"Content-Type": "text/html"}, delay=2)
    yield server
    server.close()


def _checked() -> int:
    return Check.objects.values("source").distinct().count()


def test_a_fan_out_and_a_recheck_survive_the_workers_connections_terminated_twice(
    celery_worker_process, receiver, pages, settings, tmp_path
):
    settings.WEBHOOK_LEASE_SECONDS = 5
    texas = make_jurisdiction("US-TX", name="Texas")
    Source.objects.bulk_create(
        Source(jurisdiction=texas, url=pages.url(f"/law/{n}")) for n in range(SOURCES)
    )
    count = 200
    # About 15 s of fan-out (4 requests in flight) beside 15 s of checks (3 a task).
    receiver.script = lambda path, n: Reply(delay=0.3)
    log = tmp_path / "worker.log"
    env = {
        **FAST_WORKER,
        **worker_database_env(),
        "MONITORING_POLITENESS": "0",
        "MONITORING_CHECKS_PER_TASK": "3",
    }
    # Eight threads: four batches of 50 and, beside them, checks and beat's tasks.
    celery_worker_process(concurrency=8, extra_env=env, log=log)
    event = fan_out(receiver, count)
    # (requests received, sources checked): both faults early, so that on a slow machine the
    # work is still under way when they land (the mid-way assertion below).
    for delivered, checked in ((15, 2), (50, 6)):
        assert beat_until(
            lambda d=delivered, c=checked: len(receiver.requests) >= d and _checked() >= c,
            PERIODIC,
            timeout=60,
        )
        assert len(set(receiver.paths())) < count and _checked() < SOURCES  # mid-way
        assert terminate_worker_backends() >= 1
        last_fault = time.monotonic()
    assert beat_until(
        lambda: (
            all_delivered(receiver, event, count)
            and _checked() == SOURCES
            and not Delivery.objects.filter(state=DeliveryState.PENDING).exists()
        ),
        PERIODIC,
        timeout=60,
    )
    checks_done = time.monotonic() - last_fault

    result = figures(receiver, event, count, last_fault=last_fault)
    failures = failed_runs(log)
    print(f"every source checked {checks_done:.1f} s after the last fault; "
          f"failed task runs: {dict(failures) or 'none'}")  # fmt: skip
    assert result["lost"] == 0
    assert result["seconds from the last fault to the last delivery"] < 60
    for name in PERIODIC:
        assert failures[name] <= 1, f"{name} failed {failures[name]} times"
