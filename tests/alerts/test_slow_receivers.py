"""Receivers that answer slowly on purpose: a status line, then a header a byte at a time.

A real socket server on 127.0.0.1 (http.server cannot drip its headers).
"""

import socket
import threading
import time

import pytest
from django.db import connection

from tests.alerts.conftest import subscribe
from tests.factories import record_status
from tracker.alerts import services
from tracker.alerts.models import Delivery, DeliveryState

DRIP_INTERVAL = 0.2
DRIP_CAP_SECONDS = 30  # the server gives up dripping after this (a client without a deadline)


class DrippingServer:
    """`/drip…` gets `HTTP/1.1 200 OK` and a header one byte every DRIP_INTERVAL, until the
    client hangs up, stop() or DRIP_CAP_SECONDS; any other path gets 200 at once."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        self.client_hung_up = threading.Event()  # the sender gave up while we were dripping
        self.drip_over = threading.Event()  # a drip ended on our side (stop() or the cap)
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket):
        with conn:
            while True:  # kept-alive connections carry several requests
                request = self._read_request(conn)
                if request is None:
                    return
                if request.startswith(b"POST /drip"):
                    self._drip(conn)
                    return
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    def _read_request(self, conn: socket.socket) -> bytes | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n")
             if line.lower().startswith(b"content-length:")),
            0,
        )  # fmt: skip
        while len(body) < length:
            body += conn.recv(65536)
        return head

    def _drip(self, conn: socket.socket):
        try:
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            until = time.monotonic() + DRIP_CAP_SECONDS
            while not self.stopped.is_set() and time.monotonic() < until:
                time.sleep(DRIP_INTERVAL)
                conn.sendall(b"a")
        except OSError:
            self.client_hung_up.set()
            return
        self.drip_over.set()

    def stop(self):
        self.stopped.set()
        self.sock.close()


@pytest.fixture
def dripping():
    server = DrippingServer()
    yield server
    server.stop()


def _send_in_background(delivery_ids: list[int]) -> threading.Thread:
    def send():
        try:
            services.deliveries_send(delivery_ids=delivery_ids)
        finally:
            connection.close()  # this thread's own database connection

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_receiver_dripping_its_headers_does_not_hold_the_other_outcomes(
    dripping, florida, settings
):
    """The batch's other deliveries are recorded while the drip still holds its request, so
    the sweeper has nothing of theirs to send again."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 60  # the drip outlasts the test either way
    settings.WEBHOOK_LEASE_SECONDS = 300
    subscribe(dripping.url("/drip"), "US-FL")
    for number in range(4):
        subscribe(dripping.url(f"/ok/{number}"), "US-FL")
    record_status(florida[0], "banned")
    deliveries = Delivery.objects.order_by("pk")
    drip_id = deliveries.get(subscription__url__endswith="/drip").pk

    thread = _send_in_background([d.pk for d in deliveries])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and Delivery.objects.filter(state="succeeded").count() < 4:
        time.sleep(0.05)

    assert Delivery.objects.filter(state=DeliveryState.SUCCEEDED).count() == 4
    assert Delivery.objects.get(pk=drip_id).state == DeliveryState.PENDING  # still dripping
    assert not dripping.client_hung_up.is_set()
    dripping.stop()
    thread.join(timeout=30)
    assert not thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_a_receiver_dripping_its_headers_is_cut_off_at_the_deadline(dripping, florida, settings):
    """Needs the outbound door's overall deadline to cover the status line and headers."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    subscribe(dripping.url("/drip"), "US-FL")
    record_status(florida[0], "banned")
    delivery = Delivery.objects.get()

    services.deliveries_send(delivery_ids=[delivery.pk])

    # The sender gave up while the server was still dripping (not when the drip ended).
    assert not dripping.drip_over.is_set()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    assert delivery.last_error  # recorded as a failed attempt, to be retried
