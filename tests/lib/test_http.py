"""The outbound HTTP door, against real servers on 127.0.0.1.

Refused destinations are refused before any connection is made, so the private and
reserved addresses below are never contacted.
"""

import ipaddress
import os
import socket
import time

import pytest
from werkzeug import Response as WerkzeugResponse

from tracker.lib import http

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://0x7f000001/",
        "http://2130706433/",
        "http://127.1/",
        "http://017700000001/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.0.0.1/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[ff02::1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:7f00:1::]/",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
    ],
)
def test_it_refuses_non_public_addresses_in_every_form(url):
    with pytest.raises(http.BlockedDestination, match="non-public address"):
        http.destination_check(url, allow_http=True)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "file:///etc/passwd", "gopher://x/", "http:///"]
)
def test_it_refuses_other_schemes_and_hostless_urls(url):
    with pytest.raises(http.BlockedDestination):
        http.destination_check(url, allow_http=True)


def test_plain_http_needs_the_setting():
    with pytest.raises(http.BlockedDestination, match="must be https"):
        http.destination_check("http://example.org/", allow_http=False)


def test_an_allowed_network_is_reachable_but_only_that_one(httpserver):
    httpserver.expect_request("/").respond_with_data("hello")
    assert http.destination_check(
        httpserver.url_for("/"), allow_http=True, allowed_networks=LOOPBACK
    )
    with pytest.raises(http.BlockedDestination):
        http.destination_check("http://10.1.2.3/", allow_http=True, allowed_networks=LOOPBACK)


def test_it_fetches_and_keeps_the_host_header_while_connecting_to_the_checked_address(httpserver):
    seen = {}

    def handler(request):
        seen["host"] = request.headers["Host"]
        seen["agent"] = request.headers["User-Agent"]
        return WerkzeugResponse("official text")

    httpserver.expect_request("/law").respond_with_handler(handler)
    url = f"http://localhost:{httpserver.port}/law"
    response = http.request("GET", url)
    assert (response.status_code, response.text) == (200, "official text")
    assert seen["host"] == f"localhost:{httpserver.port}"
    assert seen["agent"].startswith("KratomStatusTracker/")


def test_a_redirect_to_a_private_address_is_refused(httpserver):
    httpserver.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    with pytest.raises(http.BlockedDestination):
        http.request("GET", httpserver.url_for("/moved"))


def test_redirects_are_capped(httpserver):
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    with pytest.raises(http.OutboundError, match="more than 5 redirects"):
        http.request("GET", httpserver.url_for("/loop"))


def test_with_no_redirects_a_3xx_comes_back_as_it_is(httpserver):
    httpserver.expect_request("/moved").respond_with_data(
        "", status=301, headers={"Location": "/x"}
    )
    assert http.request("GET", httpserver.url_for("/moved"), max_redirects=0).status_code == 301


def test_a_body_over_the_cap_is_refused_or_truncated(httpserver):
    httpserver.expect_request("/big").respond_with_data(b"x" * 300_000)
    with pytest.raises(http.ResponseTooLarge):
        http.request("GET", httpserver.url_for("/big"), max_bytes=100_000)
    response = http.request("GET", httpserver.url_for("/big"), max_bytes=2048, truncate=True)
    assert (len(response.body), response.truncated) == (2048, True)


def test_a_streamed_body_without_length_is_cut_at_the_cap(httpserver):
    def endless():
        for _ in range(10_000):
            yield b"y" * 65536

    httpserver.expect_request("/stream").respond_with_response(WerkzeugResponse(endless()))
    started = time.monotonic()
    with pytest.raises(http.ResponseTooLarge):
        http.request("GET", httpserver.url_for("/stream"), max_bytes=1_000_000)
    assert time.monotonic() - started < 5


def test_a_slow_server_times_out(httpserver):
    def slow(request):
        time.sleep(2)
        return WerkzeugResponse("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(http.OutboundError, match="timed out"):
        http.request("GET", httpserver.url_for("/slow"), timeout=(1, 0.5))


def test_a_closed_port_is_a_clear_error():
    with pytest.raises(http.OutboundError, match="ConnectionError"):
        http.request("GET", "http://127.0.0.1:9/")


def test_a_6to4_form_of_a_public_ipv4_address_is_allowed():
    assert (
        http.destination_check("http://[2002:808:808::]/", allow_http=True)[1] == "2002:808:808::"
    )


def test_a_dns_answer_that_changes_after_the_check_is_not_used(httpserver, monkeypatch):
    # Stand-in for a rebinding DNS server (none can be configured here): the first lookup of
    # rebind.test answers loopback (allowed in tests), every later one a private address.
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def rebinding(host, *args, **kwargs):
        if host == "rebind.test":
            lookups.append(host)
            host = "127.0.0.1" if len(lookups) == 1 else "10.255.255.1"
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    httpserver.expect_request("/").respond_with_data("pinned")
    response = http.request("GET", f"http://rebind.test:{httpserver.port}/")
    assert response.text == "pinned"
    assert lookups == ["rebind.test"]  # resolved once, by the check


def test_a_name_whose_resolver_does_not_answer_fails_at_the_deadline(monkeypatch, settings):
    # Stand-in for a resolver that does not answer (the system's cannot be pointed at one
    # here): the lookup of silent.test takes 4 s, the request may take 0.5 s in all.
    real_getaddrinfo = socket.getaddrinfo

    def silent(host, *args, **kwargs):
        if host == "silent.test":
            time.sleep(4)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", silent)
    started = time.monotonic()
    with pytest.raises(http.OutboundError, match="timed out|no answer"):
        http.request("GET", "http://silent.test/", deadline_seconds=0.5)
    assert time.monotonic() - started < 2.5  # not the lookup's 4 s
    # A URL checked before it is stored waits as long as a connection may.
    settings.OUTBOUND_CONNECT_TIMEOUT = 0.2
    with pytest.raises(http.OutboundError, match="cannot resolve silent.test: no answer"):
        http.destination_check("http://silent.test/", allow_http=True)


def test_a_forked_child_looks_names_up_on_a_pool_of_its_own(settings):
    # Prefork workers (Celery's, gunicorn's) fork a process whose pool threads may already
    # be running: the child inherits the pool's bookkeeping but none of its threads.
    settings.OUTBOUND_CONNECT_TIMEOUT = 2
    assert http.destination_allowed("http://localhost/")  # its pool threads started
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports by its exit code)
        try:
            http.destination_allowed("http://localhost/")
        except BaseException:
            os._exit(1)
        os._exit(0)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_server_that_drips_bytes_is_cut_at_the_overall_deadline(httpserver):
    def drip():
        for _ in range(40):
            time.sleep(0.1)
            yield b"x"

    httpserver.expect_request("/drip").respond_with_response(WerkzeugResponse(drip()))
    started = time.monotonic()
    with pytest.raises(http.OutboundError, match="overall deadline"):
        http.request("GET", httpserver.url_for("/drip"), timeout=(1, 1), deadline_seconds=1)
    assert time.monotonic() - started < 3


def test_a_gzip_body_is_decoded(httpserver):
    import gzip

    body = gzip.compress(b"official text " * 1000)
    httpserver.expect_request("/gz").respond_with_data(body, headers={"Content-Encoding": "gzip"})
    response = http.request("GET", httpserver.url_for("/gz"))
    assert response.body == b"official text " * 1000
