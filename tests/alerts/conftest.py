"""A real webhook receiver on 127.0.0.1, and a way to point this process's Celery at a private Redis."""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.test import override_settings

from tests.alerts.email_flows import NOW
from tests.factories import make_jurisdiction, record_status
from tracker.alerts import services


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    connection: int  # the client's port: one per kept-alive connection, so per sending thread
    received_at: float = field(default_factory=time.monotonic)


@dataclass
class Reply:
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0


class Receiver:
    """A threaded HTTP server that records every request and answers as `script` says.

    `script(path, count_for_path)` returns a Reply; the default answers 200 at once.
    """

    def __init__(self):
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self.script = lambda path, count: Reply()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are two writes: without this, Nagle holds the body until the
            # client's delayed ACK (tens of ms on every kept-alive request).
            disable_nagle_algorithm = True

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    count = sum(1 for r in receiver.requests if r.path == self.path) + 1
                    receiver.requests.append(
                        Received(self.path, dict(self.headers), body, self.client_address[1])
                    )
                reply = receiver.script(self.path, count)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except ConnectionError:
                    pass  # the sender is gone (a killed worker, a timeout): nobody to answer

            # A source page to check: answered as the script says, like a webhook.
            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def paths(self) -> list[str]:
        with self.lock:
            return [r.path for r in self.requests]

    def wait_for(self, predicate, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def florida(db):
    state = make_jurisdiction("US-FL", name="Florida")
    county = make_jurisdiction(
        "US-FL-SARASOTA-COUNTY", name="Sarasota County", level="county", parent=state
    )
    return state, county


def subscribe(url: str, *codes: str, **extra):
    return services.subscription_create(url=url, follow_codes=list(codes), **extra)


@contextmanager
def celery_broker(url: str):
    """Point this process's Celery (and REDIS_URL) at another Redis, e.g. a private one.

    Celery reads its broker URL from the settings on each use, so override_settings reaches
    it; but it pools connections and app.control caches its producers, so those are dropped
    on the way in and out.
    """
    from tracker.celery import app

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None
        app.__dict__.pop("control", None)

    try:
        with override_settings(REDIS_URL=url, CELERY_BROKER_URL=url):
            reset_pools()
            yield
    finally:
        reset_pools()


@pytest.fixture
def frozen_on_a_wednesday():
    """The email tests' clock: a Wednesday (tests.alerts.email_flows.NOW)."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def places(db):
    """Florida and Georgia, each with a regulated status on record."""
    florida = make_jurisdiction("US-FL", name="Florida")
    georgia = make_jurisdiction("US-GA", name="Georgia")
    for state in (florida, georgia):
        record_status(state, "regulated")
    return florida, georgia
