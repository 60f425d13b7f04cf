"""The WSGI application: public reads through a short middleware stack, the rest through all.

In front of the short stack, jurisdictions.fastpath answers a cached public read again
with the bytes and headers Django sent for it, without going through Django.

A cached public GET spent more time in sessions, CSRF, logins, messages and WhiteNoise than
in its view, and uses none of them. Requests under /admin and STATIC_URL go through
settings.MIDDLEWARE; every other path through settings.PUBLIC_MIDDLEWARE, which keeps the
security headers (HSTS, nosniff, Referrer-Policy, CSP, X-Frame-Options).
"""

import os

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
full_application = get_wsgi_application()  # also sets Django up

from jurisdictions.fastpath import FastPublicReads  # noqa: E402 (needs Django set up)


class PublicHandler(WSGIHandler):
    """Django's WSGI handler with settings.PUBLIC_MIDDLEWARE instead of MIDDLEWARE."""

    def load_middleware(self, is_async=False):
        # Django builds the chain from settings.MIDDLEWARE; this runs once, at import.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.PUBLIC_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


public_application = FastPublicReads(PublicHandler())
FULL_STACK_PREFIXES = ("/admin", "/" + settings.STATIC_URL.lstrip("/"))


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    handler = full_application if path.startswith(FULL_STACK_PREFIXES) else public_application
    return handler(environ, start_response)
