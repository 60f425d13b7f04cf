"""Property-based: whatever a client sends in the batch check's body (JSON of any shape,
lone surrogates, bytes that are not UTF-8) and in any public endpoint's query string (any
bytes, numbers of thousands of digits), the answer is never a 5xx, and an API error is
valid UTF-8 JSON. Run in-process (Django's test client) and against gunicorn with no limit
on the request line (its default of 4,094 bytes hid the thousands of digits)."""

import json
import os
import subprocess
import sys
import time
from urllib.parse import quote, quote_from_bytes

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import database_url_of, free_port
from tests.public.public_data import publish_sample
from tracker.public.responses import QUERY_PARAMETERS

PUBLIC_PATHS = [
    "/api/v1/jurisdictions",
    "/api/v1/jurisdictions/US-TX",
    "/api/v1/jurisdictions/US-TX/history",
    "/api/v1/lookup",
    "/api/v1/search",
    "/api/v1/changes",
    "/api/v1/export.json",
    "/api/v1/export.csv",
    "/api/v1/restricted-zips.json",
    "/api/v1/restricted-zips.csv",
    "/api/v1/openapi.json",
    "/",
    "/search",
    "/lookup",
    "/about/",
    "/sellers/",
    "/countries/BR/",
    "/j/US-TX/",
    "/j/US-TX/badge.svg",
    "/j/US-TX/feed.atom",
    "/j/US-TX/report/",
    "/feeds/changes.atom",
]
HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    database=None,  # nothing written into the clone
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# A query string is tried on every public path: fewer of them.
QUERY_HYPOTHESIS = settings(HYPOTHESIS, max_examples=15)
# Any text, lone surrogates included (hypothesis leaves them out by default).
any_text = st.text(st.characters(exclude_categories=()), max_size=30)
any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)
item = st.fixed_dictionaries({}, optional={"zip": any_json, "category": any_json}) | any_json
zip_like = st.sampled_from(["78701", "92101", "10001", "00000", "9210", "73301-0001"])
good_item = st.fixed_dictionaries(
    {"zip": zip_like}, optional={"category": st.sampled_from(["leaf", "7oh", "x"])}
)
body_data = st.one_of(
    any_json,
    st.fixed_dictionaries({"items": st.lists(item | good_item, max_size=8)}),
)


@st.composite
def check_bodies(draw) -> bytes:
    """The data as a client might encode it: escaped, raw UTF-8 (surrogates passed through,
    as a careless encoder would), or arbitrary bytes."""
    data = draw(body_data)
    way = draw(st.sampled_from(["escaped", "raw", "bytes"]))
    if way == "bytes":
        return draw(st.binary(max_size=60))
    return json.dumps(data, ensure_ascii=way == "escaped").encode("utf-8", "surrogatepass")


huge_number = st.integers(min_value=4000, max_value=6000).map(lambda n: "9" * n)
value = st.one_of(
    st.binary(max_size=20),
    st.integers().map(lambda n: str(n).encode()),
    huge_number.map(str.encode),
    st.sampled_from(["leaf", "7oh", "banned", "state", "US", "78701"]).map(str.encode),
)
name = st.sampled_from(sorted(QUERY_PARAMETERS)) | st.text(max_size=5)


queries = st.lists(st.tuples(name, value), max_size=4).map(
    # Any bytes, percent-encoded as they travel.
    lambda pairs: "&".join(f"{quote(key)}={quote_from_bytes(raw)}" for key, raw in pairs)
)
# What answered 500 before (hypothesis tries these first, then its own).
HUGE_PAGE, HUGE_PER_PAGE = "page=" + "9" * 4301, "per_page=" + "1" * 5000
CATEGORY_LIST = b'{"items": [{"zip": "78701", "category": ["leaf"]}]}'
CATEGORY_OBJECT = b'{"items": [{"zip": "78701", "category": {"leaf": 1}}]}'
LONE_SURROGATE = b'{"items": [{"zip": "\\ud800"}]}'


def assert_answered(path: str, status: int, content_type: str, body: bytes) -> None:
    assert status < 500, f"{status} for {path}"
    if path.startswith("/api/") and status >= 400 and status != 429:
        assert content_type == "application/json", path
        assert "code" in json.loads(body.decode("utf-8"))["error"]


def assert_checked(status: int, content_type: str, body: bytes) -> None:
    assert status in {200, 400, 413}, status
    assert content_type == "application/json"
    answer = json.loads(body.decode("utf-8"))  # valid UTF-8 JSON, whatever came in
    if status == 200:
        assert all("error" in result or "rules" in result for result in answer["results"])
    else:
        assert answer["error"]["code"]


@pytest.fixture
def unlimited(settings):
    """The rate limits out of the way: hypothesis sends hundreds of requests from one client."""
    settings.API_RATE_LIMIT = settings.PAGE_RATE_LIMIT = 10**9


@pytest.mark.django_db
@QUERY_HYPOTHESIS
@given(query=queries)
@example(query=HUGE_PAGE)
@example(query=HUGE_PER_PAGE)
def test_no_query_string_makes_a_public_endpoint_fail(client, unlimited, query):
    publish_sample_once()
    for path in PUBLIC_PATHS:
        response = client.get(f"{path}?{query}")
        assert_answered(path, response.status_code, response["Content-Type"], response.content)


@pytest.mark.django_db
@HYPOTHESIS
@given(body=check_bodies())
@example(body=CATEGORY_LIST)
@example(body=CATEGORY_OBJECT)
@example(body=LONE_SURROGATE)
def test_no_body_makes_the_batch_check_fail(client, unlimited, body):
    publish_sample_once()
    response = client.post("/api/v1/check", body, content_type="application/json")
    assert_checked(response.status_code, response["Content-Type"], response.content)


def publish_sample_once() -> None:
    """Each example runs in the test's one transaction: publish the sample the first time."""
    from jurisdictions.models import Jurisdiction

    if not Jurisdiction.objects.filter(code="US-TX").exists():
        publish_sample()


@pytest.fixture
def gunicorn(transactional_db, settings):
    """The app under gunicorn (one sync worker) with no limit on the request line, on the
    test database with the sample published."""
    from django.db import connection

    publish_sample()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of(connection.settings_dict),
        "REDIS_URL": settings.REDIS_URL,
        "API_RATE_LIMIT": str(10**9),
        "PAGE_RATE_LIMIT": str(10**9),
    }
    command = [
        sys.executable, "-m", "gunicorn", "tracker.wsgi", "--workers", "1",
        "--bind", f"127.0.0.1:{port}", "--limit-request-line", "0", "--log-level", "warning",
        # No worker timeout: the arbiter reads a worker's heartbeat from a file's ctime, which
        # scripts/test-on-date leaves on the real clock while time.time() moves.
        "--timeout", "0",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    # Its first answer waits for Django to start: seconds, more on a busy machine.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/about/", timeout=60)
            break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        process.kill()
        raise AssertionError("gunicorn did not answer within 120 s")
    yield base
    process.terminate()
    process.wait(timeout=15)


@QUERY_HYPOTHESIS
@given(query=queries)
@example(query=HUGE_PAGE)
@example(query=HUGE_PER_PAGE)
def test_no_query_string_makes_gunicorn_fail_even_past_4094_bytes(gunicorn, query):
    with requests.Session() as session:
        for path in PUBLIC_PATHS:
            response = session.get(f"{gunicorn}{path}?{query}", timeout=30)
            headers = response.headers
            assert_answered(path, response.status_code, headers["Content-Type"], response.content)


@HYPOTHESIS
@given(body=check_bodies())
@example(body=CATEGORY_LIST)
@example(body=LONE_SURROGATE)
def test_no_body_makes_the_batch_check_fail_under_gunicorn(gunicorn, body):
    response = requests.post(
        f"{gunicorn}/api/v1/check",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert_checked(response.status_code, response.headers["Content-Type"], response.content)
