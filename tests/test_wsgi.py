"""Public reads go through the short middleware stack with every security header; the admin
keeps sessions and CSRF."""

import io

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from tests.jurisdictions.public_data import publish_sample
from tracker.wsgi import application

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = {
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
}


def wsgi_get(path: str, *, scheme: str = "http") -> tuple[str, dict, bytes]:
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "443" if scheme == "https" else "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": scheme,
    }
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers

    # As Django's test client does: the request must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return seen["status"], dict(seen["headers"]), body


@pytest.mark.parametrize(
    "path", ["/", "/j/US-TX/", "/api/v1/jurisdictions/US-TX", "/feeds/changes.atom", "/nowhere"]
)
def test_public_reads_carry_every_security_header_and_no_cookie(path, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    publish_sample()
    status, headers, _ = wsgi_get(path, scheme="https")
    assert status.split()[0] in {"200", "404"}
    assert SECURITY_HEADERS <= headers.keys()
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Set-Cookie" not in headers and "Cookie" not in headers.get("Vary", "")


def test_the_admin_keeps_sessions_and_csrf():
    status, headers, body = wsgi_get("/admin/login/")
    assert status.startswith("200")
    assert "csrftoken=" in headers.get("Set-Cookie", "")
    assert b"csrfmiddlewaretoken" in body
    assert SECURITY_HEADERS <= headers.keys()
