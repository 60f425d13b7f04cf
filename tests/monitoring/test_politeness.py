"""Per-host politeness through Redis, with real servers and threads on 127.0.0.1."""

import datetime
import threading
import time

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from werkzeug import Response

from tests.monitoring.conftest import STATUTE, page
from tracker.monitoring.models import Check
from tracker.monitoring.services import source_check


def timed_site(httpserver, spans: list, *, path: str, hold: float = 0.2):
    def handler(request):
        started = time.monotonic()
        time.sleep(hold)
        spans.append((started, time.monotonic()))
        return Response(page(*STATUTE), content_type="text/html")

    httpserver.expect_request(path).respond_with_handler(handler)
    return httpserver.url_for(path)


@pytest.mark.django_db(transaction=True)
def test_requests_to_one_host_never_overlap_and_keep_their_spacing(
    httpserver, make_source, settings
):
    settings.MONITORING_HOST_SPACING_SECONDS = 0.5
    spans = []
    sources = [make_source(timed_site(httpserver, spans, path=f"/{i}")) for i in range(3)]

    def run(source_id):
        source_check(source_id=source_id)
        connection.close()

    threads = [threading.Thread(target=run, args=(s.pk,)) for s in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    spans.sort()
    assert len(spans) == 3
    gaps = [later[0] - earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)]
    assert all(gap >= 0.45 for gap in gaps), gaps  # never at once, and spaced apart


@pytest.mark.django_db
def test_a_check_that_finds_its_host_busy_gives_its_turn_back(httpserver, make_source, settings):
    settings.MONITORING_HOST_WAIT_SECONDS = 0.3
    spans = []
    source = make_source(timed_site(httpserver, spans, path="/law"))
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.set("monitoring:host:localhost:lock", "someone-else", px=5000)
    result = source_check(source_id=source.pk)
    assert result.outcome is None and "localhost is busy" in result.skipped
    source.refresh_from_db()
    assert (source.consecutive_failures, spans) == (0, [])
    assert not Check.objects.exists()


@pytest.mark.django_db
def test_politeness_can_be_switched_off(httpserver, make_source, settings):
    settings.MONITORING_POLITENESS = False
    spans = []
    source = make_source(timed_site(httpserver, spans, path="/law", hold=0))
    redis.Redis.from_url(settings.REDIS_URL).set("monitoring:host:localhost:lock", "x", px=5000)
    assert source_check(source_id=source.pk).outcome == "baseline"


@pytest.mark.django_db
def test_without_its_redis_no_request_is_sent_and_nothing_is_counted_against_the_source(
    httpserver, make_source, private_redis, settings
):
    process, url = private_redis
    settings.REDIS_URL = url
    spans = []
    source = make_source(timed_site(httpserver, spans, path="/law", hold=0))
    process.kill()
    process.wait()
    before = timezone.now()
    result = source_check(source_id=source.pk)
    assert result.outcome is None and "Redis unavailable: ConnectionError" in result.skipped
    source.refresh_from_db()
    assert (spans, source.consecutive_failures) == ([], 0)
    assert source.next_check_at >= before + datetime.timedelta(seconds=10)  # tried again soon


def test_the_default_is_one_request_per_host_two_seconds_apart():
    # The settings module's defaults, not the tests' quick override.
    from tracker import settings as defaults

    assert defaults.MONITORING_POLITENESS is True
    assert defaults.MONITORING_HOST_SPACING_SECONDS == 2.0
    assert settings.MONITORING_POLITENESS is True
