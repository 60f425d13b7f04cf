import contextlib
import os
import socket
import subprocess
import sys
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from tests.redis_server import redis_start

# Longest files first, so that under xdist (with --no-loadscope-reorder, see the Makefile)
# none of them is left to run alone at the end: those that start a real Celery worker (they
# mostly wait on it: restarts, leases, retries), then those that drive Chromium.
LONG_RUNNING_MARKERS = ("worker", "e2e")


def pytest_sessionstart(session):
    """The suite tests PostgreSQL's triggers and row locks and a real worker writing beside
    it: on anything else it stops at once, saying so, instead of failing test by test."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if not engine.endswith("postgresql"):
        pytest.exit(f"The suite needs PostgreSQL (DATABASE_URL), not {engine}.", returncode=2)


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        for index, marker in enumerate(LONG_RUNNING_MARKERS):
            if item.get_closest_marker(marker):
                return index
        return len(LONG_RUNNING_MARKERS)

    items.sort(key=rank)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """MD5 instead of PBKDF2's million rounds: every user a test creates cost 0.5 s."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the tests' own Redis database)."""
    from tracker.public.cache import public_cache_forget_local

    cache.clear()
    public_cache_forget_local()
    yield


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def seeded_db(django_db_setup, django_db_blocker):
    """`manage.py seed` once for the module (it takes seconds); each test runs in a
    transaction on it, so what a test changes is rolled back."""
    with django_db_blocker.unblock():
        call_command("seed", verbosity=0)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def private_redis():
    """A redis-server of the test's own, which the test may stop."""
    port = free_port()
    process = redis_start(port)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait()


@pytest.fixture
def dead_redis(settings, private_redis):
    """The cache, rate limits and politeness pointed at a Redis that has just been stopped
    (short socket timeouts, so each attempt fails fast)."""
    process, url = private_redis
    process.kill()
    process.wait()
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


def database_url_of(settings_dict: dict) -> str:
    """A DATABASE_URL for the database the tests are using (the test database)."""
    user = settings_dict["USER"] or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


# A test's worker talks to nobody but the broker: no gossip, mingle or heartbeat events.
QUIET_WORKER = ("--without-gossip", "--without-mingle", "--without-heartbeat")


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real Celery worker (threads pool) on the tests' Redis and test database.

    Tests that use it must commit their data (transactional_db) so the worker sees it.
    Yields a function that starts a worker and returns its Popen; all are stopped after.
    """
    from django.conf import settings
    from django.db import connection

    from tracker.celery import app

    processes = []

    def start(
        concurrency: int = 4, extra_env: dict | None = None, log=None, options=QUIET_WORKER
    ) -> subprocess.Popen:
        """`log`: a file its output is appended to; `options`: the worker's own (gossip,
        mingle and heartbeat off unless they say otherwise)."""
        name = f"test-{len(processes)}-{os.getpid()}@127.0.0.1"
        env = {
            **os.environ,
            "DATABASE_URL": database_url_of(connection.settings_dict),
            "REDIS_URL": settings.REDIS_URL,
            **(extra_env or {}),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "tracker", "worker", "--pool", "threads",
            "--concurrency", str(concurrency), "--hostname", name, "--loglevel", "WARNING",
            *options,
        ]  # fmt: skip
        with open(log, "a") if log else contextlib.nullcontext() as output:
            process = subprocess.Popen(command, env=env, stdout=output, stderr=output)
        process.hostname = name  # for app.control's destination=
        processes.append(process)
        # A worker starts in seconds; on a machine busy with other suites it took over 30.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if app.control.ping(destination=[name], timeout=0.5):
                return process
            assert process.poll() is None, "the Celery worker exited at start"
        raise AssertionError("the Celery worker did not answer a ping within 120 s")

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class _Inbox:
    """What a local SMTP server received, as parsed messages, in order.

    `rcpt_replies[address]`: replies its RCPT TO gets, one per attempt (then 250); `data_delay`:
    seconds each DATA is held before it is accepted (a slow server, for a kill mid-send).
    """

    def __init__(self):
        self.messages = []
        self.rcpt_replies: dict[str, list[str]] = {}
        self.data_delay = 0.0
        self.data_started = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        replies = self.rcpt_replies.get(address)
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        import email
        import email.policy

        self.data_started += 1
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} mails arrived"
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_inbox(settings):
    """An SMTP server (aiosmtpd) on 127.0.0.1 that Django's SMTP backend sends to."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield inbox
    controller.stop()
