"""The dispatcher: due sources queued once, SKIP LOCKED between dispatchers, purge of old checks."""

import datetime
import json
import threading

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from werkzeug import Response

from tests.monitoring.conftest import STATUTE, page
from tests.monitoring.support import queued_tasks
from tracker.monitoring.models import Check, Outcome, Source
from tracker.monitoring.services import checking, checks_purge, sources_check, sources_dispatch

PAST = timezone.now() - datetime.timedelta(minutes=1)
FUTURE = timezone.now() + datetime.timedelta(hours=1)


def queued_source_ids() -> list[int]:
    ids = []
    for message in queued_tasks():
        envelope = json.loads(message)
        assert envelope["headers"]["task"] == "tracker.monitoring.tasks.check_sources"
        ids.append(envelope["headers"]["argsrepr"])
    return ids


@pytest.mark.django_db
def test_it_queues_each_due_enabled_source_once(make_source, django_capture_on_commit_callbacks):
    due = make_source("https://law.example.gov/a", next_check_at=PAST)
    make_source("https://law.example.gov/b", next_check_at=FUTURE)
    make_source("https://law.example.gov/c", next_check_at=PAST, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert sources_dispatch() == [due.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert sources_dispatch() == []  # leased: not queued again while it waits
    assert queued_source_ids() == [f"([{due.pk}],)"]
    due.refresh_from_db()
    assert due.next_check_at > timezone.now() + datetime.timedelta(minutes=9)


@pytest.mark.django_db
def test_a_backlog_is_queued_in_batches_oldest_first(make_source, settings):
    settings.MONITORING_DISPATCH_BATCH = 2
    sources = [
        make_source(f"https://law.example.gov/{i}", next_check_at=PAST - datetime.timedelta(i))
        for i in range(5)
    ]
    assert sources_dispatch() == [sources[4].pk, sources[3].pk]


@pytest.mark.django_db
def test_sources_go_to_tasks_in_chunks(make_source, settings, django_capture_on_commit_callbacks):
    settings.MONITORING_CHECKS_PER_TASK = 2
    ids = [
        make_source(
            f"https://law.example.gov/{i}", next_check_at=PAST + datetime.timedelta(seconds=i)
        ).pk
        for i in range(5)
    ]  # oldest first, so the order of the chunks is the order of the ids
    with django_capture_on_commit_callbacks(execute=True):
        sources_dispatch()
    assert queued_source_ids() == [f"({ids[0:2]},)", f"({ids[2:4]},)", f"({ids[4:]},)"]


@pytest.mark.django_db
def test_a_chunk_out_of_time_hands_the_rest_back(
    httpserver, make_source, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/a").respond_with_data("<p>Section 1.</p>", content_type="text/html")
    first = make_source(httpserver.url_for("/a"))
    rest = [make_source(f"https://law.example.gov/{i}").pk for i in range(2)]
    with django_capture_on_commit_callbacks(execute=True):
        results = sources_check(source_ids=[first.pk, *rest], budget_seconds=0)
    assert [r.outcome for r in results] == ["baseline"]
    assert queued_source_ids() == [f"({rest},)"]


def unchanged_sites(httpserver, count: int) -> list[str]:
    """Half the pages answer 304 to their ETag, the other half send the same bytes again."""

    def handler(request):
        etag = f'"{request.path}"' if int(request.path[2:]) % 2 else None
        if etag and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        headers = {"ETag": etag} if etag else {}
        return Response(page(*STATUTE), headers=headers, content_type="text/html")

    for i in range(count):
        httpserver.expect_request(f"/s{i}").respond_with_handler(handler)
    return [httpserver.url_for(f"/s{i}") for i in range(count)]


@pytest.mark.django_db
def test_a_chunks_unchanged_checks_are_written_by_one_statement(httpserver, make_source):
    ids = [make_source(url).pk for url in unchanged_sites(httpserver, 6)]
    sources_check(source_ids=ids, budget_seconds=60)  # the baselines
    Source.objects.filter(pk=ids[0]).update(consecutive_failures=2, last_error="HTTP 500")
    before = timezone.now()
    with CaptureQueriesContext(connection) as context:
        results = sources_check(source_ids=ids, budget_seconds=60)
    # One read of the six sources, one write of their six checks and six source rows.
    assert len(context) == 2, [q["sql"][:80] for q in context.captured_queries]
    assert [r.outcome for r in results] == ["unchanged", "not_modified"] * 3
    checks = {c.pk: c for c in Check.objects.filter(started_at__gte=before)}
    assert sorted(checks) == sorted(r.check_id for r in results)
    for result in results:
        check = checks[result.check_id]
        assert (check.source_id, check.outcome, check.error) == (
            result.source_id,
            result.outcome,
            "",
        )
        assert check.http_status == (304 if result.outcome == "not_modified" else 200)
    for i, source in enumerate(Source.objects.filter(pk__in=ids).order_by("pk")):
        assert source.last_checked_at >= before and source.consecutive_failures == 0
        assert source.last_error == ""
        assert source.next_check_at > before + datetime.timedelta(hours=20)
        assert source.etag == (f'"/s{i}"' if i % 2 else "")  # a 304 keeps the validators
    # Every claim was given back: the next check of these sources may run at once.
    assert not redis.Redis.from_url(settings.REDIS_URL).keys("monitoring:source:*")


@pytest.mark.django_db
def test_an_unchanged_outcome_waits_no_longer_than_the_write_delay(
    httpserver, make_source, monkeypatch
):
    ids = [make_source(url).pk for url in unchanged_sites(httpserver, 3)]
    sources_check(source_ids=ids, budget_seconds=60)
    monkeypatch.setattr(checking, "UNCHANGED_WRITE_DELAY_SECONDS", 0)
    with CaptureQueriesContext(connection) as context:
        sources_check(source_ids=ids, budget_seconds=60)
    assert len(context) == 1 + 3  # the read, then each check written as soon as it ended


@pytest.mark.django_db
def test_a_source_another_check_holds_is_skipped_and_the_rest_checked(httpserver, make_source):
    ids = [make_source(url).pk for url in unchanged_sites(httpserver, 3)]
    held = redis.Redis.from_url(settings.REDIS_URL)
    held.set(f"monitoring:source:{ids[1]}:claim", "another check")
    results = sources_check(source_ids=ids, budget_seconds=60)
    assert [(r.outcome, r.skipped) for r in results] == [
        ("baseline", ""),
        (None, "another check of this source is running"),
        ("baseline", ""),
    ]
    assert held.get(f"monitoring:source:{ids[1]}:claim") == b"another check"  # not ours to free


@pytest.mark.django_db(transaction=True)
def test_a_second_dispatcher_skips_the_rows_the_first_holds(make_source):
    first = make_source("https://law.example.gov/a", next_check_at=PAST - datetime.timedelta(1))
    second = make_source("https://law.example.gov/b", next_check_at=PAST)
    locked, release, seen = threading.Event(), threading.Event(), {}

    def other_dispatcher():
        with transaction.atomic():
            rows = Source.objects.select_for_update().filter(pk=first.pk)
            seen["held"] = [s.pk for s in rows]
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_dispatcher)
    thread.start()
    locked.wait(10)
    try:
        assert sources_dispatch() == [second.pk]
    finally:
        release.set()
        thread.join()
    assert seen["held"] == [first.pk]


@pytest.mark.django_db
def test_purge_deletes_checks_past_the_retention(make_source, settings):
    settings.MONITORING_CHECK_RETENTION_DAYS = 30
    source = make_source("https://law.example.gov/a")
    now = timezone.now()
    for days in (40, 31, 29, 1):
        Check.objects.create(
            source=source, started_at=now - datetime.timedelta(days=days), outcome=Outcome.UNCHANGED
        )
    assert checks_purge(now=now) == 2
    ages = sorted((now - c.started_at).days for c in Check.objects.all())
    assert ages == [1, 29]
