"""The public cache cannot be flooded: query parameters no view reads do not make new
entries, and every client's page reads share a limit."""

import re
from pathlib import Path

import pytest
import redis

from tests.public.public_data import publish_sample
from tests.wsgi_client import WsgiClient as Client
from tracker.public.cache import public_cache_forget_local
from tracker.public.responses import QUERY_PARAMETERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_redis(private_redis, settings):
    """Cache and rate limits on a redis-server of this test's own, so its memory is ours."""
    _process, url = private_redis
    settings.REDIS_URL = url
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    public_cache_forget_local()
    yield redis.Redis.from_url(url)
    public_cache_forget_local()


def stored_responses(redis) -> set[bytes]:
    """Every key but the rate-limit counters (a new one per client each window)."""
    return {key for key in redis.scan_iter() if not key.startswith(b"ratelimit:")}


def test_2000_cache_busting_gets_leave_redis_memory_within_a_small_bound(own_redis, settings):
    settings.PAGE_RATE_LIMIT = settings.API_RATE_LIMIT = 100_000
    publish_sample()
    client = Client()
    for path in ("/j/US-TX/", "/api/v1/jurisdictions/US-TX"):  # the cached answers, once
        assert client.get(path).status_code == 200
    before = own_redis.info("memory")["used_memory"]
    keys_before = stored_responses(own_redis)
    for n in range(1000):
        assert client.get(f"/j/US-TX/?cb={n}").status_code == 200
        assert client.get(f"/api/v1/jurisdictions/US-TX?cb={n}").status_code == 200
    grown = own_redis.info("memory")["used_memory"] - before
    # Before, each of these stored its own copy: 2,000 × 2–80 KB. Now they are cache hits
    # and only rate-limit counters change.
    assert grown < 256 * 1024, f"Redis grew by {grown} bytes"
    assert stored_responses(own_redis) == keys_before


def test_the_order_of_known_parameters_does_not_make_a_new_entry(own_redis):
    publish_sample()
    client = Client()
    first = client.get("/api/v1/jurisdictions?level=state&status=regulated")
    # Not dbsize(): a rate-limit window that turns between the two requests adds a counter.
    keys = stored_responses(own_redis)
    second = client.get("/api/v1/jurisdictions?status=regulated&level=state")
    assert first.status_code == second.status_code == 200
    assert first["ETag"] == second["ETag"]
    assert stored_responses(own_redis) == keys


def test_page_reads_share_a_per_client_limit(settings):
    settings.PAGE_RATE_LIMIT, settings.PAGE_RATE_LIMIT_WINDOW = 3, 60
    publish_sample()
    client = Client(REMOTE_ADDR="192.0.2.10")
    etag = client.get("/about/")["ETag"]
    client.get("/j/US-TX/")
    client.get("/feeds/changes.atom")
    # A revalidation that ends in 304 is not counted.
    assert client.get("/about/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    limited = client.get("/j/US-CA/")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "Too many requests" in limited.content.decode()
    assert Client(REMOTE_ADDR="192.0.2.11").get("/j/US-CA/").status_code == 200
    assert client.get("/search", {"q": "Georgia"}).status_code == 429  # searches share it


def test_every_query_parameter_a_public_view_reads_is_part_of_the_cache_key():
    # A parameter left out of QUERY_PARAMETERS would make two different answers share a key.
    app = Path(__file__).resolve().parents[2] / "tracker" / "public"
    source = "\n".join(path.read_text() for path in app.glob("*.py"))
    read = set(re.findall(r'GET(?:\.get\(|\[)"(\w+)"', source))
    read |= set(re.findall(r'_(?:choice|positive_int)\(request, "(\w+)"', source))
    assert {"zip", "level", "since"} <= read
    assert read <= QUERY_PARAMETERS
