import redis
from django.conf import settings

from tracker.lib.ratelimit import rate_limit_hit


def _counter(bucket: str, client: str) -> int:
    connection = redis.Redis.from_url(settings.REDIS_URL)
    keys = connection.keys(f"ratelimit:{bucket}:{client}:*")
    return sum(int(connection.get(key)) for key in keys)


def test_it_allows_exactly_the_limit_then_says_how_long_to_wait():
    outcomes = [
        rate_limit_hit(bucket="t1", client="198.51.100.1", limit=120, window=3600)
        for _ in range(121)
    ]
    assert outcomes[:120] == [None] * 120
    assert 1 <= outcomes[120] <= 3600


def test_a_large_limit_claims_its_allowance_in_batches_from_redis():
    rate_limit_hit(bucket="t2", client="198.51.100.2", limit=500, window=3600)
    assert _counter("t2", "198.51.100.2") == 10  # one round trip claimed ten requests
    for _ in range(9):
        rate_limit_hit(bucket="t2", client="198.51.100.2", limit=500, window=3600)
    assert _counter("t2", "198.51.100.2") == 10
    rate_limit_hit(bucket="t2", client="198.51.100.2", limit=500, window=3600)
    assert _counter("t2", "198.51.100.2") == 20


def test_clients_are_counted_apart():
    assert rate_limit_hit(bucket="t3", client="a", limit=1, window=60) is None
    assert rate_limit_hit(bucket="t3", client="a", limit=1, window=60) is not None
    assert rate_limit_hit(bucket="t3", client="b", limit=1, window=60) is None


def test_a_redis_failure_lets_the_request_through(dead_redis):
    assert rate_limit_hit(bucket="t4", client="c", limit=1, window=60) is None
    assert rate_limit_hit(bucket="t4", client="c", limit=1, window=60) is None


def test_a_cost_counts_that_many_requests_and_a_refusal_spends_nothing():
    assert rate_limit_hit(bucket="t5", client="d", limit=1000, window=3600, cost=990) is None
    assert rate_limit_hit(bucket="t5", client="d", limit=1000, window=3600, cost=20) is not None
    # What the refused batch claimed is still there for one that fits.
    assert rate_limit_hit(bucket="t5", client="d", limit=1000, window=3600, cost=10) is None
    assert rate_limit_hit(bucket="t5", client="d", limit=1000, window=3600) is not None
