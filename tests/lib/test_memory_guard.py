"""The threads-pool worker recycles itself when its memory passes WORKER_MAX_RSS_MB."""

import subprocess

import pytest

pytestmark = pytest.mark.worker


def test_a_worker_over_its_memory_ceiling_shuts_down_warmly(celery_worker_process):
    # Any worker is over 10 MB: the guard's first look, 3 s after start, must stop it.
    env = {"WORKER_MAX_RSS_MB": "10", "WORKER_RSS_CHECK_SECONDS": "3"}
    worker = celery_worker_process(concurrency=2, extra_env=env)
    try:
        code = worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the worker went on past its memory ceiling")
    assert code == 0  # a warm shutdown, as SIGTERM asks: the supervisor starts a fresh one


def test_a_worker_under_its_ceiling_keeps_running(celery_worker_process):
    from tracker.celery import app

    worker = celery_worker_process(
        concurrency=2, extra_env={"WORKER_MAX_RSS_MB": "4000", "WORKER_RSS_CHECK_SECONDS": "0.5"}
    )
    with pytest.raises(subprocess.TimeoutExpired):
        worker.wait(timeout=3)
    assert app.control.ping(destination=[worker.hostname], timeout=5)
