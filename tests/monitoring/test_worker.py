"""Flows that cross the broker: real Celery worker processes on the test database."""

import hashlib
import time

import pytest
from django.utils import timezone
from werkzeug import Response

from tests.monitoring.conftest import STATUTE, page
from tests.monitoring.support import peak_rss_kb, wait_for
from tracker.monitoring import extract
from tracker.monitoring.models import ChangeProposal, Check, Outcome, Snapshot, Source
from tracker.monitoring.services import sources_dispatch
from tracker.monitoring.tasks import check_sources

pytestmark = pytest.mark.worker
NEW_LINE = "Section 5. Mitragyna speciosa (kratom) may not be sold to a person under 21."


def run_check(source_id: int):
    """Queue a check of one source, keeping the outcomes the task does not store by default."""
    return check_sources.apply_async(([source_id],), ignore_result=False)


def test_two_workers_on_the_same_source_at_once_make_one_proposal(
    celery_worker_process, httpserver, make_source
):
    def slow(request):
        time.sleep(0.5)  # every check overlaps the others
        return Response(page(*STATUTE, NEW_LINE), content_type="text/html")

    httpserver.expect_request("/law").respond_with_handler(slow)
    source = make_source(httpserver.url_for("/law"))
    # The old text is current and the new one was seen once: the next fetch confirms it.
    old_text = "\n".join(STATUTE)
    current = Snapshot.objects.create(
        source=source,
        content_hash=extract.content_hash(old_text),
        text=old_text,
        became_current_at=timezone.now(),
    )
    new_text = extract.normalise("\n".join([*STATUTE, NEW_LINE]))
    Source.objects.filter(pk=source.pk).update(
        current_snapshot=current,
        current_hash=current.content_hash,
        candidate_hash=hashlib.sha256(new_text.encode()).hexdigest(),
    )
    # Politeness off, so nothing but the source claim and the database keep them apart.
    env = {"MONITORING_POLITENESS": "0"}
    celery_worker_process(concurrency=4, extra_env=env)
    celery_worker_process(concurrency=4, extra_env=env)
    results = [run_check(source.pk) for _ in range(8)]
    outcomes = [result.get(timeout=60)[0] for result in results]
    assert outcomes.count(Outcome.CHANGED) == 1
    assert set(outcomes) <= {Outcome.CHANGED, Outcome.UNCHANGED, None}
    assert ChangeProposal.objects.filter(source=source).count() == 1
    assert Snapshot.objects.filter(source=source).count() == 2


def test_a_50_mb_response_is_cut_at_the_cap_without_the_worker_memory_following(
    celery_worker_process, httpserver, make_source
):
    def fifty_megabytes():
        chunk = b"<p>" + b"kratom " * 9362 + b"</p>"  # ~64 KB of plausible HTML
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            yield chunk

    httpserver.expect_request("/small").respond_with_data(page(*STATUTE), content_type="text/html")
    httpserver.expect_request("/huge").respond_with_response(
        Response(fifty_megabytes(), content_type="text/html")
    )
    small = make_source(httpserver.url_for("/small"))
    huge = make_source(httpserver.url_for("/huge"))
    worker = celery_worker_process(concurrency=1)
    assert run_check(small.pk).get(timeout=60)[0] == Outcome.BASELINE  # warmed up
    before = peak_rss_kb(worker.pid)
    assert run_check(huge.pk).get(timeout=120)[0] == Outcome.FAILED
    growth_mb = (peak_rss_kb(worker.pid) - before) / 1024
    failed = Check.objects.get(source=huge)
    assert failed.error == "response exceeded the 5242880-byte cap"
    # The body is read in 64 KB chunks and dropped past 5 MB: the peak moves by a few MB
    # at most, nowhere near the 50 MB the server sends.
    assert growth_mb < 20, f"worker peak RSS grew by {growth_mb:.1f} MB"


def test_the_dispatcher_queues_due_sources_and_a_worker_checks_them(
    celery_worker_process, httpserver, make_source
):
    httpserver.expect_request("/a").respond_with_data(page(*STATUTE), content_type="text/html")
    httpserver.expect_request("/b").respond_with_data("gone", status=410)
    past = timezone.now() - timezone.timedelta(minutes=5)
    a = make_source(httpserver.url_for("/a"), next_check_at=past)
    b = make_source(httpserver.url_for("/b"), next_check_at=past)
    celery_worker_process(concurrency=2)
    assert sorted(sources_dispatch()) == sorted([a.pk, b.pk])
    wait_for(lambda: Check.objects.count() == 2, what="both checks")
    assert dict(Check.objects.values_list("source_id", "outcome")) == {
        a.pk: Outcome.BASELINE,
        b.pk: Outcome.FAILED,
    }
    a.refresh_from_db()
    assert a.next_check_at > timezone.now() + timezone.timedelta(hours=20)
