"""A real threads-pool worker checks every hostile page at once, survives, and answers pings."""

import threading

import pytest

from tests.monitoring import hostile
from tests.monitoring.support import peak_rss_kb, wait_for
from tracker.celery import app
from tracker.monitoring.models import Check, Outcome
from tracker.monitoring.tasks import check_sources

pytestmark = pytest.mark.worker
# Each check ends within the 3 s deadline; the rest is the worker's own pace on a busy machine.
WORKER_ENV = {
    "OUTBOUND_DEADLINE_SECONDS": "3",
    "OUTBOUND_CONNECT_TIMEOUT": "3",
    "OUTBOUND_READ_TIMEOUT": "3",
    # All origins share one host; politeness would queue them instead of running them at once.
    "MONITORING_POLITENESS": "0",
    # Only the origins' address: redirects to 127.0.0.1, [::1] and 169.254.169.254 are refused.
    "OUTBOUND_ALLOWED_NETWORKS": "127.0.0.2/32",
}
PEAK_RSS_CEILING_KB = 300 * 1024


def test_a_threads_worker_survives_every_hostile_page_at_once(celery_worker_process, make_source):
    pages = hostile.hostile_pages()
    with (
        hostile.HostileOrigin(pages, host="127.0.0.2") as origin,
        hostile.header_drip(host="127.0.0.2") as header_drip,
        hostile.body_drip(host="127.0.0.2") as body_drip,
    ):
        pages.update(hostile.redirects_to_private(origin.server.server_address[1]))
        expected = {
            make_source(origin.url(path), kind=page.kind).pk: page.expected
            for path, page in pages.items()
        }
        expected[make_source(header_drip.url).pk] = "overall deadline"
        expected[make_source(body_drip.url).pk] = "deadline"
        worker = celery_worker_process(concurrency=16, extra_env=WORKER_ENV)
        name = worker.hostname
        for source_id in expected:  # one task each, so all run at once on the 16 threads
            check_sources.delay([source_id])
        pings, done = [], threading.Event()

        def ping_while_busy():
            while not done.is_set():
                pings.append(bool(app.control.ping(destination=[name], timeout=5)))

        pinger = threading.Thread(target=ping_while_busy)
        pinger.start()
        try:
            wait_for(lambda: Check.objects.count() >= len(expected), timeout=60, what="checks")
        finally:
            done.set()
            pinger.join()
    assert worker.poll() is None, "the worker died"
    assert app.control.ping(destination=[name], timeout=5)
    assert pings and all(pings), f"{pings.count(False)} of {len(pings)} pings went unanswered"
    for check in Check.objects.all():
        reason = expected[check.source_id]
        if reason is None:
            assert check.outcome == Outcome.BASELINE, (check.source.url, check.error)
        else:
            assert check.outcome == Outcome.FAILED, check.source.url
            assert reason in check.error, (check.source.url, check.error)
    assert peak_rss_kb(worker.pid) < PEAK_RSS_CEILING_KB
