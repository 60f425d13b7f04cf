"""Email alerts through the broker and a real Celery worker, to aiosmtpd on 127.0.0.1."""

import collections
import time

import pytest

from tests.alerts.email_flows import subscribed
from tests.alerts.flows import sweep_until
from tests.factories import make_jurisdiction, record_status
from tracker.alerts.models import Attempt, Delivery, DeliveryState

pytestmark = pytest.mark.worker

LEASE = 12


def _worker_env(settings, **extra) -> dict:
    """The worker sends to the test's SMTP server, with a lease short enough to wait out."""
    settings.WEBHOOK_LEASE_SECONDS = LEASE  # the sweeper here reads it too
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": settings.EMAIL_HOST,
        "EMAIL_PORT": str(settings.EMAIL_PORT),
        "EMAIL_TIMEOUT": "5",
        "WEBHOOK_LEASE_SECONDS": str(LEASE),
        "WEBHOOK_TIMEOUT_SECONDS": "2",
        **extra,
    }


def test_a_confirmed_change_reaches_each_subscriber_through_the_worker(
    celery_worker_process, smtp_inbox, settings
):
    celery_worker_process(extra_env=_worker_env(settings))
    florida = make_jurisdiction("US-FL", name="Florida")
    record_status(florida, "regulated")
    for number in range(5):
        subscribed(f"s{number}@example.org", "US-FL")
    subscribed("georgia@example.org", make_jurisdiction("US-GA").code)

    record_status(florida, "banned")  # commits: the deliveries go on the broker

    smtp_inbox.wait_for(5, timeout=30)
    time.sleep(1)  # anything more would have arrived by now
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        f"s{number}@example.org" for number in range(5)
    ]
    assert sweep_until(
        lambda: Delivery.objects.filter(state=DeliveryState.SUCCEEDED).count() == 5, timeout=15
    )


def test_a_worker_killed_mid_send_re_sends_at_most_the_mails_in_flight(
    celery_worker_process, smtp_inbox, settings
):
    """Forty subscribers, four mails in flight per worker, the SMTP server holding each DATA
    for a second: the worker is SIGKILLed once mails are being sent; a new one finishes."""
    count, in_flight = 40, 4
    env = _worker_env(settings, WEBHOOK_SEND_CONCURRENCY=str(in_flight))
    smtp_inbox.data_delay = 1.0
    worker = celery_worker_process(concurrency=1, extra_env=env)
    florida = make_jurisdiction("US-FL", name="Florida")
    record_status(florida, "regulated")
    for number in range(count):
        subscribed(f"s{number}@example.org", "US-FL")

    record_status(florida, "banned")
    deadline = time.monotonic() + 30
    while smtp_inbox.data_started < in_flight + 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.kill()  # SIGKILL: some mails recorded, up to four in flight, the rest claimed
    worker.wait()
    smtp_inbox.data_delay = 0
    celery_worker_process(concurrency=1, extra_env=env)

    assert sweep_until(
        lambda: not Delivery.objects.filter(state=DeliveryState.PENDING).exists(), timeout=90
    )
    per_address = collections.Counter(m["To"] for m in smtp_inbox.messages)
    duplicates = sum(per_address.values()) - len(per_address)
    print(f"delivered {len(per_address)} of {count}; duplicates {duplicates}")
    assert len(per_address) == count  # none lost
    assert duplicates <= in_flight
    assert Attempt.objects.count() == count  # a mail lost with the worker is no attempt
