"""The WSGI application: Django, with tracker.public.fastpath in front, which answers a
cached public read again with the bytes and headers Django sent for it.

Every request Django answers goes through the one settings.MIDDLEWARE, the stack Django's
test client and the browser tests' live server run too.
"""

import logging
import os
from pathlib import Path

import redis
from django.apps import apps
from django.core.wsgi import get_wsgi_application
from django.db import DatabaseError
from django.template.loader import get_template
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django_application = get_wsgi_application()  # also sets Django up

from jurisdictions.generation import public_generation  # noqa: E402
from jurisdictions.selectors import zip_lookup  # noqa: E402
from jurisdictions.serializers import zip_answer_data  # noqa: E402
from tracker.lib.redis import redis_client  # noqa: E402
from tracker.public.fastpath import FastPublicReads  # noqa: E402 (needs Django set up)
from tracker.public.search import lookup_tables_warm  # noqa: E402

log = logging.getLogger(__name__)
WARM_ZIP = "20001"  # Washington, DC: any ZIP of the data will do


# It answers only what public_read taught it; every other request passes through to Django.
application = FastPublicReads(django_application)


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
