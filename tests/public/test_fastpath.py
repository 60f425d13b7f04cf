"""The WSGI fast path in front of Django (jurisdictions/fastpath.py): a cached public read
is answered again with exactly what Django sent, and nothing it must not answer."""

import gzip

import pytest

from tests.factories import record_status
from tests.public.public_data import TODAY, publish_sample
from tests.wsgi_client import WsgiClient
from tracker import wsgi
from tracker.public.cache import GZIP_MIN_BYTES, CachedResponse
from tracker.public.fastpath import FastPublicReads
from tracker.public.responses import SERVED, Served

pytestmark = pytest.mark.django_db


@pytest.fixture
def django_calls(monkeypatch):
    """The requests that reached Django (the others were answered by the fast path)."""
    calls = []
    django = wsgi.application.app

    def counting(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return django(environ, start_response)

    monkeypatch.setattr(wsgi.application, "app", counting)
    wsgi.application._learned.clear()  # what earlier tests taught it
    return calls


@pytest.mark.parametrize(
    "path",
    [
        "/j/US-TX/",
        "/api/v1/jurisdictions/US-TX",
        "/api/v1/jurisdictions?level=state",
        "/feeds/changes.atom",
        "/j/US-TX/badge.svg",
    ],
)
def test_the_fast_path_sends_the_bytes_and_headers_django_sent(path, settings, django_calls):
    settings.SECURE_HSTS_SECONDS = 31536000
    publish_sample()
    client = WsgiClient()
    full, fast = client.get(path, secure=True), client.get(path, secure=True)
    assert django_calls == [path.split("?")[0]]  # the second was not Django's
    assert full.status_code == fast.status_code == 200
    assert fast.header_list == full.header_list and fast.content == full.content
    assert "Strict-Transport-Security" in fast and "Content-Security-Policy" in fast
    revalidate = {"if-none-match": full["ETag"]}
    full_304 = client.get(path, headers=revalidate, secure=True)
    fast_304 = client.get(path, headers=revalidate, secure=True)
    assert len(django_calls) == 2
    assert full_304.status_code == fast_304.status_code == 304
    assert fast_304.header_list == full_304.header_list and fast_304.content == b""


def test_a_confirmation_is_visible_on_the_next_request(
    django_calls, django_capture_on_commit_callbacks
):
    sample = publish_sample()
    client = WsgiClient()
    first = [client.get("/api/v1/jurisdictions/TH") for _ in range(3)]
    assert len(django_calls) == 1 and first[2].json()["status"] == "legal"
    with django_capture_on_commit_callbacks(execute=True):
        record_status(sample["thailand"], "banned", today=TODAY)
    after = client.get("/api/v1/jurisdictions/TH", headers={"if-none-match": first[0]["ETag"]})
    assert after.status_code == 200 and after.json()["status"] == "banned"
    assert len(django_calls) == 2


def test_each_fast_read_counts_against_the_clients_limit(settings, django_calls):
    settings.PAGE_RATE_LIMIT, settings.PAGE_RATE_LIMIT_WINDOW = 3, 60
    publish_sample()
    client = WsgiClient(REMOTE_ADDR="192.0.2.20")
    assert [client.get("/j/US-TX/").status_code for _ in range(3)] == [200, 200, 200]
    assert len(django_calls) == 1
    limited = client.get("/j/US-TX/")  # over the limit: Django answers the 429
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert len(django_calls) == 2
    assert WsgiClient(REMOTE_ADDR="192.0.2.21").get("/j/US-TX/").status_code == 200


def test_a_request_with_an_api_key_always_reaches_django(django_calls):
    publish_sample()
    client = WsgiClient()
    client.get("/api/v1/jurisdictions/US-TX")
    refused = client.get("/api/v1/jurisdictions/US-TX", headers={"authorization": "Bearer nope"})
    assert refused.status_code == 401 and len(django_calls) == 2


def test_parameters_no_view_reads_do_not_grow_the_table(django_calls):
    publish_sample()
    client = WsgiClient()
    for n in range(300):
        assert client.get(f"/j/US-TX/?cb={n}").status_code == 200
    assert len(django_calls) == 1
    assert [key[0] for key in wsgi.application._learned] == ["/j/US-TX/"]


def test_a_long_answer_is_replayed_in_the_coding_django_chose_for_each_client(django_calls):
    # The home page (its map) is over cache.GZIP_MIN_BYTES: stored gzipped too, and sent so
    # to a client that takes it.
    path = "/"
    publish_sample()
    client = WsgiClient()
    takes_gzip = {"accept-encoding": "gzip, deflate, br"}
    full, fast = (client.get(path, headers=takes_gzip) for _ in range(2))
    plain_full, plain_fast = client.get(path), client.get(path)
    assert django_calls == [path, path]  # once for each coding, then from the table
    assert fast.header_list == full.header_list and fast.content == full.content
    assert fast["Content-Encoding"] == "gzip" and fast["Vary"] == "Accept-Encoding"
    assert plain_fast.header_list == plain_full.header_list
    assert "Content-Encoding" not in plain_fast
    assert gzip.decompress(fast.content) == plain_fast.content
    assert len(plain_fast.content) > GZIP_MIN_BYTES
    revalidate = {**takes_gzip, "if-none-match": full["ETag"]}
    assert full["ETag"].startswith("W/")
    assert [client.get(path, headers=revalidate).status_code for _ in range(2)] == [304, 304]
    assert len(django_calls) == 3


def test_a_host_django_refuses_is_never_learned(django_calls):
    publish_sample()
    client = WsgiClient(HTTP_HOST="evil.example")
    assert [client.get("/j/US-TX/").status_code for _ in range(2)] == [400, 400]
    assert len(django_calls) == 2


def stub_app(headers: list):
    """A WSGI app answering as public_read would, with the headers given."""
    entry = CachedResponse(body=b"{}", content_type="application/json", etag='"e"')

    def app(environ, start_response):
        environ[SERVED] = Served("/api/v1/x", entry, api=True, rate_limited=False)
        start_response("200 OK", [("Content-Length", "2"), *headers])
        return [b"{}"]

    return app


@pytest.mark.parametrize(
    "header",
    [
        ("Vary", "Cookie"),
        ("Vary", "Accept-Encoding, Origin"),
        ("Content-Encoding", "gzip"),  # to a client that did not ask for it
        ("Set-Cookie", "a=b"),
    ],
)
def test_an_answer_that_depends_on_more_than_the_key_is_never_replayed(header):
    layer = FastPublicReads(stub_app([header]))
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/x", "HTTP_HOST": "127.0.0.1"}
    layer(dict(environ), lambda status, headers, exc_info=None: None)
    assert layer._learned == {}
    plain = FastPublicReads(stub_app([]))
    plain(dict(environ), lambda status, headers, exc_info=None: None)
    assert len(plain._learned) == 1  # the same answer without it is learned
