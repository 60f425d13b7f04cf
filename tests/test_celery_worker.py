import time

import pytest

from tracker.health import BEAT_KEY
from tracker.lib.redis import redis_client
from tracker.tasks import beat_heartbeat


@pytest.mark.worker
def test_a_task_sent_through_the_broker_runs_on_a_real_worker(celery_worker_process):
    celery_worker_process()
    redis_client().delete(BEAT_KEY)
    beat_heartbeat.delay()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and redis_client().get(BEAT_KEY) is None:
        time.sleep(0.1)
    assert redis_client().get(BEAT_KEY) is not None
