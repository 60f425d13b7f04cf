"""The dispatcher: due sources queued once, SKIP LOCKED between dispatchers, purge of old checks."""

import datetime
import json
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.monitoring.support import queued_tasks
from tracker.monitoring.models import Check, Outcome, Source
from tracker.monitoring.services import checks_purge, sources_check, sources_dispatch

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
