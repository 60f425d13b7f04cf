import pytest


@pytest.fixture(autouse=True)
def _fixed_date_data_stays_current(settings):
    """The sample data carries fixed dates (verified 2026-11-01) while the clock moves on:
    without this, the pages and API answers these tests check would turn stale on their own
    some day. Tests of staleness set VERIFICATION_STALE_DAYS themselves."""
    settings.VERIFICATION_STALE_DAYS = 36500


@pytest.fixture
def dead_redis(settings, private_redis):
    """The cache, rate limits and politeness pointed at a Redis that has just been stopped
    (short socket timeouts, so each attempt fails fast)."""
    process, url = private_redis
    process.kill()
    process.wait()
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
