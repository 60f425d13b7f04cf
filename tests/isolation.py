"""Give each pytest-xdist worker a Redis database of its own, before Django reads REDIS_URL.

Loaded with `-p tests.isolation` (pyproject's addopts), so it runs before pytest-django
loads the settings. pytest-django already gives each worker its own test database
(test_<name>_gw0, _gw1, …). Worker N uses Redis db (REDIS_URL's db + N) mod 16: the
autouse cache.clear() and the Celery broker of one worker never touch another's.
"""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

REDIS_DATABASES = 16


def worker_redis_url(url: str, worker: str) -> str:
    """REDIS_URL for xdist worker "gwN": the same server, db (base + N) mod 16."""
    index = int(worker.removeprefix("gw"))
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    path = f"/{(base + index) % REDIS_DATABASES}"
    return urlunsplit(parts._replace(path=path))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("REDIS_URL")
    if worker and url and not url.startswith("unix://"):
        os.environ["REDIS_URL"] = worker_redis_url(url, worker)
