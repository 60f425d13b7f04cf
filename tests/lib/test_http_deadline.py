"""The overall deadline covers the whole request, headers included, against dripping servers."""

import threading
import time

import pytest

from tests.lib.drip import DripServer
from tracker.lib import http

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"a" * 4000 + b"\r\n\r\n"
# Each byte arrives well within the read timeout, so only the overall deadline can stop it.
TIMEOUTS = (2.0, 2.0)
DEADLINE = 1.0
MARGIN = 1.0


def timed_request(url, **kwargs):
    started = time.monotonic()
    with pytest.raises(http.OutboundError) as caught:
        http.request("GET", url, timeout=TIMEOUTS, deadline_seconds=DEADLINE, **kwargs)
    return caught.value, time.monotonic() - started


def test_response_headers_dripping_past_the_deadline_fail_the_request():
    with DripServer(HEAD, interval=0.05) as server:
        error, took = timed_request(server.url)
    assert "overall deadline" in str(error)
    assert took < DEADLINE + MARGIN


def test_a_status_line_that_never_finishes_fails_at_the_deadline():
    with DripServer(b"HTTP/1.1 200 OK" + b" " * 10_000, interval=0.05) as server:
        error, took = timed_request(server.url)
    assert "overall deadline" in str(error)
    assert took < DEADLINE + MARGIN


def test_a_body_without_length_cut_at_the_deadline_is_not_taken_as_complete():
    # Close-delimited: a cut socket would otherwise look like the end of the body.
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
    with DripServer(head, b"<p>law</p>" * 1000, step=10, interval=0.05) as server:
        error, took = timed_request(server.url)
    assert "deadline" in str(error)
    assert took < DEADLINE + MARGIN


def test_an_endless_chunk_drip_is_cut_too():
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    with DripServer(head, b"1\r\na\r\n", step=6, interval=0.2, endless=True) as server:
        error, took = timed_request(server.url)
    assert "deadline" in str(error)
    assert took < DEADLINE + MARGIN


def test_each_thread_has_its_own_deadline_and_a_cut_does_not_touch_the_others(httpserver):
    httpserver.expect_request("/fast").respond_with_data("official text")
    results = {}

    def drip(server):
        results["drip"] = timed_request(server.url)

    def fast():
        started = time.monotonic()
        while time.monotonic() - started < DEADLINE + 0.5:  # across the other's cut
            response = http.request("GET", httpserver.url_for("/fast"), deadline_seconds=DEADLINE)
            assert response.body == b"official text"
        results["fast"] = True

    with DripServer(HEAD, interval=0.05) as server:
        threads = [threading.Thread(target=drip, args=(server,)), threading.Thread(target=fast)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    assert "overall deadline" in str(results["drip"][0])
    assert results["fast"]


def test_a_kept_alive_connection_is_watched_again_on_reuse(httpserver):
    # The second request reuses the first one's connection; it must still succeed, and a
    # deadline from the first request must not cut it later.
    httpserver.expect_request("/law").respond_with_data("official text")
    http.request("GET", httpserver.url_for("/law"), deadline_seconds=0.5)
    time.sleep(0.6)
    response = http.request("GET", httpserver.url_for("/law"), deadline_seconds=5)
    assert response.body == b"official text"


def test_a_body_dripping_a_byte_every_half_second_is_cut_at_the_deadline_total():
    # Every byte comes well within the read timeout: no per-read limit would ever stop it.
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
    with DripServer(head, b"x", interval=0.5, endless=True, head_at_once=True) as server:
        with pytest.raises(http.OutboundError, match="overall deadline"):
            http.request("GET", server.url, timeout=(2, 2), deadline_seconds=2)
        body_bytes = server.sent
    # Two seconds hold four or five half-second drips; no per-read limit would ever stop it.
    assert 1 <= body_bytes <= 7


def test_a_redirect_chain_shares_one_deadline():
    # Each hop answers in about 1.5 s, within the deadline on its own; the chain does not.
    def moved(to: str) -> bytes:
        head = f"HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\n"
        return head.encode() + b"Connection: close\r\n\r\n"

    routes = {"/page": moved("/hop/1"), "/hop/1": moved("/hop/2"), "/hop/2": moved("/law")}
    routes["/law"] = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nlaw"
    with DripServer(b"", routes=routes, step=20, interval=0.5) as server:
        with pytest.raises(http.OutboundError, match="overall deadline"):
            http.request("GET", server.url, timeout=(2, 2), deadline_seconds=2.5)
        assert server.paths[:2] == ["/page", "/hop/1"]
        assert "/law" not in server.paths
