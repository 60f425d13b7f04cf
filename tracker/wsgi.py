"""The WSGI application: public reads through a short middleware stack, the rest through all.

In front of the short stack, tracker.public.fastpath answers a cached public read again
with the bytes and headers Django sent for it, without going through Django.

A cached public GET spent more time in sessions, CSRF, logins, messages and WhiteNoise than
in its view, and uses none of them. Requests under /admin and STATIC_URL go through
settings.MIDDLEWARE; every other path through settings.PUBLIC_MIDDLEWARE, which keeps the
security headers (HSTS, nosniff, Referrer-Policy, CSP, X-Frame-Options).
"""

import logging
import os
from pathlib import Path

import redis
from django.apps import apps
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError
from django.template.loader import get_template
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
full_application = get_wsgi_application()  # also sets Django up

from jurisdictions.generation import public_generation  # noqa: E402
from jurisdictions.selectors import zip_lookup  # noqa: E402
from jurisdictions.serializers import zip_answer_data  # noqa: E402
from tracker.lib.redis import redis_client  # noqa: E402
from tracker.public.fastpath import FastPublicReads  # noqa: E402 (needs Django set up)
from tracker.public.search import lookup_tables_warm  # noqa: E402

log = logging.getLogger(__name__)
WARM_ZIP = "20001"  # Washington, DC: any ZIP of the data will do


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


def web_process_warm() -> None:
    """Do now what a worker's first requests would pay for; gunicorn.conf.py calls this before
    the worker takes a request. The ZIP index and search tables (seconds), the URL patterns
    with every view module they import, the public templates compiled, one ZIP answered, and
    the connections to PostgreSQL and Redis (a failure there is the first request's to
    report)."""
    lookup_tables_warm()
    get_resolver().reverse_dict  # noqa: B018 (imports the views, fills reverse()'s tables)
    public_templates = Path(apps.get_app_config("public").path) / "templates"
    for path in (public_templates / "public").iterdir():
        if path.is_file():
            get_template(f"public/{path.name}")
    try:
        # One ZIP answered (neither cached nor counted): the ORM's and the serializers'
        # first-use costs, and the database connection.
        zip_answer_data(zip_lookup(zip_code=WARM_ZIP))
        public_generation()  # the cache's Redis connection
        redis_client().ping()  # the rate limits'
    except (DatabaseError, redis.RedisError) as exc:
        log.warning("could not connect before the first request: %r", exc)
