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
