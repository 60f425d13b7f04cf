"""Sending, retrying and giving up, against a real receiver on 127.0.0.1.

These call the services directly (what a task does); tests/alerts/test_worker_flows.py runs
the same flow through the broker and a real worker.
"""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from jurisdictions.generation import public_generation_bump
from tests.alerts.conftest import Reply, subscribe
from tests.factories import record_status
from tracker.alerts import services
from tracker.alerts.models import Attempt, Delivery, DeliveryState, Event
from tracker.alerts.services import delivery as sending

pytestmark = pytest.mark.django_db


def _send_due() -> int:
    ids = list(Delivery.objects.filter(state="pending").values_list("pk", flat=True))
    return services.deliveries_send(delivery_ids=ids)


def _later(seconds: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=True)


def test_500_500_200_is_delivered_on_the_third_attempt_with_the_same_webhook_id(
    receiver, florida, settings
):
    settings.WEBHOOK_RETRY_SCHEDULE, settings.WEBHOOK_RETRY_JITTER = [10, 100], 0
    receiver.script = lambda path, n: Reply(status=500 if n <= 2 else 200, body=b"x")
    subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")

    assert _send_due() == 1
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert _send_due() == 0  # not due yet: the retry waits in the database
    with _later(11):
        assert _send_due() == 1
    with _later(112):
        assert _send_due() == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("succeeded", 3, 200)
    ids = {request.headers["webhook-id"] for request in receiver.requests}
    assert len(receiver.requests) == 3 and ids == {delivery.event.webhook_id}
    log = list(delivery.log.order_by("number").values_list("number", "status_code", "succeeded"))
    assert log == [(1, 500, False), (2, 500, False), (3, 200, True)]


def test_a_timeout_is_logged_and_retried(receiver, florida, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    settings.WEBHOOK_RETRY_SCHEDULE, settings.WEBHOOK_RETRY_JITTER = [10], 0
    receiver.script = lambda path, n: Reply(delay=2 if n == 1 else 0)
    subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")

    _send_due()
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert "timed out" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + datetime.timedelta(seconds=8)
    with _later(11):
        _send_due()
    delivery.refresh_from_db()
    assert delivery.state == "succeeded"


def test_410_disables_the_subscription_at_once_and_stops_its_other_deliveries(
    receiver, florida, settings
):
    receiver.script = lambda path, n: Reply(status=410 if path == "/gone" else 500)
    gone = subscribe(receiver.url("/gone"), "US-FL")
    record_status(florida[0], "banned")
    record_status(florida[1], "banned")  # a second pending delivery for the same endpoint
    first = Delivery.objects.order_by("pk").first()
    services.deliveries_send(delivery_ids=[first.pk])

    gone.refresh_from_db()
    assert not gone.enabled and "410" in gone.disabled_reason
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.FAILED}
    assert len(receiver.requests) == 1


def test_retry_after_is_honoured_within_the_schedule(receiver, florida, settings):
    settings.WEBHOOK_RETRY_SCHEDULE, settings.WEBHOOK_RETRY_JITTER = [5, 300], 0
    receiver.script = lambda path, n: Reply(status=429, headers={"Retry-After": "40"})
    subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    before = timezone.now()
    _send_due()
    wait = (Delivery.objects.get().next_attempt_at - before).total_seconds()
    assert 39 <= wait <= 42  # 40 s, not the schedule's 5 s

    receiver.script = lambda path, n: Reply(status=503, headers={"Retry-After": "86400"})
    with _later(41):
        before = timezone.now()
        _send_due()
    wait = (Delivery.objects.get().next_attempt_at - before).total_seconds()
    assert 299 <= wait <= 302  # clamped to the schedule's longest delay


def test_a_redirect_is_a_failure_and_is_not_followed(receiver, florida):
    receiver.script = lambda path, n: Reply(status=301, headers={"Location": "/elsewhere"})
    subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    _send_due()
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.last_status_code == 301
    assert "redirects are not followed" in delivery.last_error
    assert receiver.paths() == ["/hook"]


def test_when_every_attempt_fails_it_disables_with_the_reason_and_emails_curators(
    receiver, florida, settings
):
    settings.WEBHOOK_RETRY_SCHEDULE, settings.WEBHOOK_RETRY_JITTER = [10, 10], 0
    settings.CURATOR_EMAILS = ["curators@example.org"]
    receiver.script = lambda path, n: Reply(status=500, body=b"boom" * 1000)
    subscription = subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    for step in range(3):
        with _later(11 * step):
            assert _send_due() == 1
    subscription.refresh_from_db()
    assert not subscription.enabled
    assert "all 3 attempts" in subscription.disabled_reason
    assert "HTTP 500" in subscription.disabled_reason
    assert Delivery.objects.get().state == "failed"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["curators@example.org"]
    assert subscription.url in mail.outbox[0].subject
    excerpts = Attempt.objects.values_list("response_excerpt", flat=True)
    assert {len(text) for text in excerpts} == {2048}  # the first 2 KB of the response


def test_a_duplicate_message_sends_once(receiver, florida):
    subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    delivery_id = Delivery.objects.get().pk
    assert services.deliveries_send(delivery_ids=[delivery_id]) == 1
    assert services.deliveries_send(delivery_ids=[delivery_id]) == 0
    assert len(receiver.requests) == 1


def test_a_delivery_claimed_by_a_worker_that_died_is_sent_again_after_its_lease(
    receiver, florida, settings, django_capture_on_commit_callbacks
):
    subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    delivery = Delivery.objects.get()
    sending._claim([delivery.pk], timezone.now())  # a worker claimed it, then was killed
    assert services.deliveries_sweep() == 0  # still within its lease
    lease = settings.WEBHOOK_LEASE_SECONDS
    with _later(lease + 1), django_capture_on_commit_callbacks() as callbacks:
        assert services.deliveries_sweep() == 1
        assert services.deliveries_sweep() == 0  # queued now: not again until its lease ends
        assert _send_due() == 1
    assert len(callbacks) == 1
    delivery.refresh_from_db()
    # A claim is not an attempt: the one request sent is attempt 1.
    assert (delivery.state, delivery.attempts) == ("succeeded", 1)
    assert list(delivery.log.values_list("number", flat=True)) == [1]


def test_seeding_with_no_subscription_writes_and_enqueues_nothing(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("seed", stdout=io.StringIO())
    # The only thing left for after the commit is the public cache's refresh.
    assert set(callbacks) <= {public_generation_bump}
    assert not Event.objects.exists()


def test_the_purge_deletes_log_rows_past_the_retention(receiver, florida, settings):
    settings.WEBHOOK_LOG_RETENTION_DAYS = 30
    subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    _send_due()
    assert services.attempts_purge() == 0
    with _later(31 * 86400):
        assert services.attempts_purge() == 1
    assert not Attempt.objects.exists()


def test_a_refused_destination_at_delivery_time_disables_the_subscription(
    receiver, florida, settings
):
    subscription = subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    settings.OUTBOUND_ALLOWED_NETWORKS = []  # e.g. its DNS now points at a private address
    _send_due()
    subscription.refresh_from_db()
    assert not subscription.enabled and "non-public address" in subscription.disabled_reason
    assert receiver.requests == []
    assert Attempt.objects.get().error.startswith("127.0.0.1 resolves to a non-public address")


def test_retry_delays_follow_the_schedule_with_jitter(settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [5, 300, 1800]
    settings.WEBHOOK_RETRY_JITTER = 0.2
    delays = [services.retry_delay(attempts=1) for _ in range(200)]
    assert 4 <= min(delays) < max(delays) <= 6
    assert 240 <= services.retry_delay(attempts=2) <= 360
    assert services.retry_delay(attempts=4) is None


def test_the_default_schedule_spans_about_three_days():
    from django.conf import settings as live

    assert len(live.WEBHOOK_RETRY_SCHEDULE) == 9
    assert 3 <= sum(live.WEBHOOK_RETRY_SCHEDULE) / 86400 <= 3.2


def test_a_retry_hours_away_waits_in_the_database_not_on_the_broker(
    receiver, florida, settings, django_capture_on_commit_callbacks
):
    # A countdown longer than the Redis visibility timeout would be delivered twice.
    settings.WEBHOOK_RETRY_SCHEDULE, settings.WEBHOOK_RETRY_JITTER = [7200], 0
    receiver.script = lambda path, n: Reply(status=500)
    subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    with django_capture_on_commit_callbacks() as callbacks:
        _send_due()
    assert callbacks == []
    delivery = Delivery.objects.get()
    assert delivery.queued_until is None
    with _later(3600), django_capture_on_commit_callbacks() as callbacks:
        assert services.deliveries_sweep() == 0
    with _later(7201), django_capture_on_commit_callbacks() as callbacks:
        assert services.deliveries_sweep() == 1
    assert len(callbacks) == 1


def test_a_retry_seconds_away_goes_on_the_broker_with_a_countdown(
    receiver, florida, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE, settings.WEBHOOK_RETRY_JITTER = [5], 0
    receiver.script = lambda path, n: Reply(status=500)
    subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    with django_capture_on_commit_callbacks() as callbacks:
        _send_due()
    assert len(callbacks) == 1
    delivery = Delivery.objects.get()
    assert delivery.queued_until > delivery.next_attempt_at  # the sweeper leaves it alone
    with _later(6):
        assert services.deliveries_sweep() == 0


def test_a_response_with_nul_bytes_is_logged_readably(receiver, florida):
    receiver.script = lambda path, n: Reply(status=200, body=b"ok\x00\xffend")
    subscribe(receiver.url(), "US-FL")
    record_status(florida[0], "banned")
    _send_due()
    assert Attempt.objects.get().response_excerpt == "ok\ufffd\ufffdend"
    assert Delivery.objects.get().state == "succeeded"


def test_after_a_broker_restart_the_sweeper_puts_back_at_once_what_was_queued_before_it(
    receiver, florida, settings, django_capture_on_commit_callbacks
):
    for path in ("/queued", "/claimed", "/retry"):
        subscribe(receiver.url(path), "US-FL")
    record_status(florida[0], "banned")  # on the broker, for a lease
    queued, claimed, retry = (
        Delivery.objects.get(subscription__url__endswith=path)
        for path in ("/queued", "/claimed", "/retry")
    )
    sending._claim([claimed.pk], timezone.now())  # a live worker is sending it
    soon = timezone.now() + datetime.timedelta(seconds=10)
    Delivery.objects.filter(pk=retry.pk).update(next_attempt_at=soon)  # a retry's countdown
    assert services.deliveries_sweep() == 0  # all within their queue lease

    reconnected = timezone.now()
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.deliveries_sweep(lost_before=reconnected) == 2
    assert len(callbacks) == 2  # the queued one now, the retry with what remains of its wait
    lease = datetime.timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    queued.refresh_from_db(), retry.refresh_from_db(), claimed.refresh_from_db()
    assert queued.queued_until >= reconnected + lease
    assert retry.queued_until >= soon + lease
    assert claimed.queued_until < reconnected + lease  # left to the worker sending it
    # Queued again after the reconnection: a second sweep for it puts back nothing.
    assert services.deliveries_sweep(lost_before=reconnected) == 0
