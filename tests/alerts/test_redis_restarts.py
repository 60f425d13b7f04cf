"""A worker on a Redis that restarts ten times mid fan-out (its own module: it is the
suite's longest test, and xdist runs a module on one worker)."""

import re
import time

import pytest

from tests.alerts.conftest import Reply, celery_broker
from tests.alerts.flows import FAST_WORKER, all_delivered, fan_out, figures, sweep_until
from tests.redis_server import redis_start

pytestmark = pytest.mark.worker

# How long Redis stays down at each restart: the worker notices at once (its socket closes)
# and its first reconnect fails while Redis is unreachable (where the old kombu transport
# crashed); under Celery's 2 s retry interval, so the second attempt finds Redis back.
DOWNTIME = 1
RESTARTS = 10
# Production's lease: what the broker lost must come back long before it runs out.
LEASE = 300
# Gossip and heartbeat on, as in production (their restart errors are among those checked).
PRODUCTION_WORKER = ("--without-mingle",)
ALARMING = re.compile(r"^\[[^]]*: (ERROR|CRITICAL)/", re.MULTILINE)


def _worker_answers() -> bool:
    """The worker (the only one on this private Redis) answers a ping: it is consuming.

    limit=1: return at its answer rather than wait out the timeout for others."""
    from tracker.celery import app

    try:
        return bool(app.control.ping(timeout=1, limit=1))
    except Exception:  # this process's own broker connection is still the broken one
        return False


def test_a_worker_survives_ten_redis_restarts_midfan_out(
    celery_worker_process, receiver, private_redis, settings, tmp_path
):
    """Redis is restarted ten times while the worker sends: every subscriber gets the event
    within a minute of the last restart (the worker has the sweeper put back what each
    restart lost, not a lease later), the worker is still running, and its log says each
    reconnection once, with nothing above WARNING."""
    redis, url = private_redis
    port = url.rsplit(":", 1)[1].split("/")[0]
    settings.WEBHOOK_LEASE_SECONDS, settings.WEBHOOK_BATCH_SIZE = LEASE, 5
    # One request in flight, answered after a second while Redis restarts: the fan-out
    # lasts all ten restarts (about ten requests each); then the receiver answers at once.
    count, slow = 200, [True]
    receiver.script = lambda path, n: Reply(delay=1.0 if slow[0] else 0)
    env = {
        **FAST_WORKER,
        "WEBHOOK_LEASE_SECONDS": str(LEASE),
        "WEBHOOK_SEND_CONCURRENCY": "1",
        "REDIS_URL": url,
    }
    log = tmp_path / "worker.log"
    worker = None
    with celery_broker(url):
        try:
            worker = celery_worker_process(
                concurrency=4, extra_env=env, log=log, options=PRODUCTION_WORKER
            )
            event = fan_out(receiver, count)
            for _ in range(RESTARTS):
                sent = len(receiver.requests)
                # Each restart lands while the worker is back on Redis and sending.
                assert sweep_until(lambda sent=sent: len(receiver.requests) >= sent + 2)
                redis.kill()  # every queued and unacknowledged message goes with it
                redis.wait()
                time.sleep(DOWNTIME)  # the worker finds Redis gone, not already back
                redis = redis_start(port)
                last_restart = time.monotonic()
                assert sweep_until(lambda: worker.poll() is not None or _worker_answers())
                assert worker.poll() is None, f"the worker exited with {worker.returncode}"
            slow[0] = False
            sweep_until(lambda: all_delivered(receiver, event, count), timeout=120)
            alive = worker.poll() is None
        finally:
            if worker is not None and worker.poll() is None:  # stop it while Redis is there
                worker.terminate()
                worker.wait(timeout=30)
            redis.kill()
            redis.wait()
    result = figures(receiver, event, count, last_fault=last_restart)
    assert result["lost"] == 0
    assert result["seconds from the last fault to the last delivery"] < 60
    assert alive, f"the worker exited with {worker.returncode}"
    text = log.read_text()
    assert ALARMING.findall(text) == [], text
    assert text.count("Reconnected to the broker") == RESTARTS
