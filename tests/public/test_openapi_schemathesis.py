"""schemathesis drives the API from the OpenAPI document the app serves at
/api/v1/openapi.json, through Django's WSGI app, against the test database: no 5xx, and
every response (status, content type, headers, body) matches the document."""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.measures.factories import make_measure
from tests.public.public_data import publish_sample
from tracker.measures.models import MeasureAction

# Loading the document touches no database table: only the served JSON.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def published(db, settings):
    data = publish_sample()
    # A public measure with an action, so the measure endpoints answer with bodies too.
    measure = make_measure(data["texas"], change_leaf="banned", as_of=datetime.date(2026, 11, 1))
    MeasureAction.objects.create(measure=measure, description="Introduced", stage="introduced",
                                 key="a", date=datetime.date(2026, 1, 20))  # fmt: skip
    # schemathesis sends hundreds of requests from one client; the limit has its own tests.
    settings.API_RATE_LIMIT = 1_000_000
    # As Django's test client does: the WSGI handler would otherwise close the test's
    # connection (and its transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_honours_its_openapi_document(published, case):
    # The WSGI transport does not undo Content-Encoding as an HTTP client does; the gzipped
    # bodies have their own test (tests/public/test_sellers.py).
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
