"""What the database fault tests share: a worker whose PostgreSQL backends can be found and
terminated, beat's periodic tasks sent faster than beat would, and the task runs that failed
(from the worker's log)."""

import collections
import re
import time
from pathlib import Path

from django.db import connection

from tests.conftest import database_url_of

APPLICATION_NAME = "tracker-fault-test-worker"
# The Django fix-up's default in production: connections kept across tasks.
WORKER_DATABASE_ENV = {"CELERY_DB_REUSE_MAX": "1000"}
FAILED_RUN = re.compile(r"Task (\S+)\[[0-9a-f-]+\] raised unexpected")


def worker_database_env() -> dict:
    """The worker's DATABASE_URL, naming its connections so a test can find them."""
    url = f"{database_url_of(connection.settings_dict)}?application_name={APPLICATION_NAME}"
    return {**WORKER_DATABASE_ENV, "DATABASE_URL": url}


def terminate_worker_backends() -> int:
    """What a PostgreSQL failover does to a running worker: every one of its connections is
    gone. Returns how many were terminated."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s",
            [APPLICATION_NAME],
        )
        return cursor.fetchone()[0]


def beat_until(predicate, task_names: list[str], timeout: float, every: float = 0.5) -> bool:
    """Send the periodic tasks to the worker, as beat would (faster), until predicate()."""
    from tracker.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        for name in task_names:
            app.send_task(name)
        time.sleep(every)
    return predicate()


def failed_runs(log: Path) -> collections.Counter:
    """Task runs that ended in an exception, per task name."""
    return collections.Counter(FAILED_RUN.findall(log.read_text()))
