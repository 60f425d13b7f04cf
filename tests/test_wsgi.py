"""Public reads carry every security header and no cookie through the one middleware stack;
the admin keeps sessions and CSRF."""

import pytest

from tests.public.public_data import publish_sample
from tests.wsgi_client import WsgiClient

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
}


@pytest.mark.parametrize(
    "path", ["/", "/j/US-TX/", "/api/v1/jurisdictions/US-TX", "/feeds/changes.atom", "/nowhere"]
)
def test_public_reads_carry_every_security_header_and_no_cookie(path, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    publish_sample()
    client = WsgiClient()
    # The second answer of a cached read comes from the fast path in front of Django.
    for response in (client.get(path, secure=True), client.get(path, secure=True)):
        assert response.status_code in {200, 404}
        assert SECURITY_HEADERS <= response.headers.keys()
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "Set-Cookie" not in response and "Cookie" not in response.get("Vary", "")


@pytest.mark.parametrize(
    "path, answers",
    [
        ("/j/US-TX/", {405}),
        ("/api/v1/jurisdictions/US-TX", {405}),
        ("/j/US-TX/report/thanks/", {200}),
        ("/sellers/key/sent/", {200}),
        ("/alerts/sent/", {200}),
        ("/healthz", {200, 503}),
    ],
)
def test_a_post_to_a_public_page_gets_its_answer_not_csrfs_403(path, answers):
    """The public pages are cookie-free: CSRF, which the one stack enforces for the admin,
    does not refuse them."""
    publish_sample()
    assert WsgiClient().post(path).status_code in answers


def test_the_admin_keeps_sessions_and_csrf():
    response = WsgiClient().get("/admin/login/")
    assert response.status_code == 200
    assert "csrftoken=" in response.get("Set-Cookie", "")
    assert b"csrfmiddlewaretoken" in response.content
    assert SECURITY_HEADERS <= response.headers.keys()


def test_a_web_worker_builds_its_lookup_tables_before_its_first_request(monkeypatch):
    from jurisdictions import zipdata
    from tracker.public import search
    from tracker.wsgi import web_process_warm

    monkeypatch.setattr(zipdata, "_index", None)
    search._zip_data_places.cache_clear()
    web_process_warm()
    assert zipdata._index and "20001" in zipdata._index
    assert search._zip_data_places.cache_info().currsize == 1


def test_a_worker_starts_even_when_redis_is_down(dead_redis, caplog, monkeypatch):
    from tracker import wsgi
    from tracker.public.cache import public_cache_forget_local

    monkeypatch.setattr(wsgi, "lookup_tables_warm", lambda: None)  # the test above builds them
    public_cache_forget_local()
    wsgi.web_process_warm()  # no exception: the first request will report Redis
    assert "could not connect before the first request" in caplog.text
