"""Benchmark: one status change to 10,000 confirmed email subscribers, through one worker.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python tests/bench/bench_email.py

Creates a throwaway database (bench_<name>, dropped at the end), 10,000 confirmed email
subscriptions to a made-up place, an SMTP sink (aiosmtpd, in its own process) and a real
Celery worker with the settings the README recommends. It times a status change from its
commit until the sink has a mail for every subscriber, and in the same run the baseline:
plain `smtplib` sending the same 10,000 rendered messages over one reused connection.
"Lost" counts subscribers the sink never received a mail for; "duplicates" mails beyond one
per subscriber. BENCH_SUBSCRIBERS changes the count.
"""

import multiprocessing
import os
import smtplib
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")

SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "10000"))
BASELINE_SENDER = "baseline@bench.example"
WORKER_ENV = {
    "WEBHOOK_SEND_CONCURRENCY": os.environ.get("BENCH_SEND_CONCURRENCY", "64"),
    "WEBHOOK_BATCH_SIZE": "50",
    "CELERY_DB_REUSE_MAX": "1000",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}
WORKER_ARGS = ["--pool", "threads", "--concurrency", os.environ.get("BENCH_CONCURRENCY", "4")]


# The sink (its own process, so it does not share a GIL with either sender) ---------------


def _sink(port_queue, requests, completions):
    """Counts mails per sender (distinct recipients, and all); answers a sender's counts on its
    pipe, and puts (sender, time.time()) on `completions` when every subscriber has one."""
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per connection otherwise

    seen: set = set()  # (sender, recipient)
    distinct: Counter = Counter()
    total: Counter = Counter()
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            sender = envelope.mail_from
            with lock:
                for rcpt in envelope.rcpt_tos:
                    total[sender] += 1
                    if (sender, rcpt) not in seen:
                        seen.add((sender, rcpt))
                        distinct[sender] += 1
                        if distinct[sender] == SUBSCRIBERS:
                            completions.put((sender, time.time()))
            return "250 OK"

    from tests.conftest import free_port

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    port_queue.put(controller.port)
    while True:
        sender = requests.recv()
        with lock:
            requests.send({"distinct": distinct[sender], "total": total[sender]})


def _stats(pipe, sender: str) -> dict:
    pipe.send(sender)
    return pipe.recv()


def _wait_all(completions, sender: str, timeout: float = 1800) -> float:
    """When (time.time()) the sink had a mail for every subscriber from `sender`. The sink
    says so itself: polling it would take CPU from the sink while the worker is measured."""
    completed_by, at = completions.get(timeout=timeout)
    assert completed_by == sender, completed_by
    return at


# The two senders -------------------------------------------------------------------------


def run_celery(pipe, completions, place) -> dict:
    from django.conf import settings
    from django.db import transaction

    from tests.factories import record_status
    from tracker.alerts.models import Delivery

    started = time.time()
    with transaction.atomic():
        record_status(place, "banned")
    committed = time.time()
    received = _wait_all(completions, settings.DEFAULT_FROM_EMAIL)
    while Delivery.objects.filter(state="pending").exists():
        time.sleep(0.05)
    time.sleep(1)  # anything still on its way
    stats = _stats(pipe, settings.DEFAULT_FROM_EMAIL)
    return {
        "rate": SUBSCRIBERS / (received - started),
        "commit": committed - started,
        "lost": SUBSCRIBERS - stats["distinct"],
        "duplicates": stats["total"] - stats["distinct"],
    }


def run_smtplib(pipe, port: int) -> dict:
    """The same messages (as the worker renders them), over one reused SMTP connection."""
    from tracker.alerts.channels import alert_message
    from tracker.alerts.models import Delivery

    deliveries = list(Delivery.objects.select_related("event", "email_subscription"))
    # As Django's SMTP backend writes them: CRLF line ends.
    messages = [alert_message([d]).message().as_bytes(linesep="\r\n") for d in deliveries]
    recipients = [d.email_subscription.email for d in deliveries]
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for recipient, message in zip(recipients, messages, strict=True):
            smtp.sendmail(BASELINE_SENDER, [recipient], message)
    elapsed = time.monotonic() - started
    stats = _stats(pipe, BASELINE_SENDER)
    return {"rate": SUBSCRIBERS / elapsed, "lost": SUBSCRIBERS - stats["distinct"]}


# Set-up ----------------------------------------------------------------------------------


def _subscribers_create(place) -> None:
    from django.utils import timezone

    from tracker.alerts.models import EmailSubscription

    now = timezone.now()
    created = EmailSubscription.objects.bulk_create(
        EmailSubscription(email=f"s{n}@bench.example", confirmed_at=now) for n in range(SUBSCRIBERS)
    )
    through = EmailSubscription.follows.through
    through.objects.bulk_create(
        through(emailsubscription_id=s.pk, jurisdiction_id=place.pk) for s in created
    )


def main():
    import django

    os.environ.update(WORKER_ENV)
    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tests.bench.bench_alerts import _start_worker
    from tests.conftest import database_url_of
    from tests.factories import make_jurisdiction, record_status

    assert connection.vendor == "postgresql", "run the benchmark with DATABASE_URL=postgres://…"
    connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    port_queue = multiprocessing.Queue()
    pipe, sink_end = multiprocessing.Pipe()
    completions = multiprocessing.Queue()
    sink = multiprocessing.Process(
        target=_sink, args=(port_queue, sink_end, completions), daemon=True
    )
    sink.start()
    port = port_queue.get(timeout=30)
    os.environ.update({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)})
    worker = None
    try:
        # A made-up jurisdiction (ZZ is a user-assigned ISO code) in a throwaway database.
        place = make_jurisdiction("ZZ", name="Benchmark placeholder, not a real place")
        record_status(place, "regulated")
        _subscribers_create(place)
        worker = _start_worker(database_url_of(connection.settings_dict), WORKER_ENV, WORKER_ARGS)
        print(f"One change to {SUBSCRIBERS} email subscribers, an aiosmtpd sink on loopback; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")  # fmt: skip
        print(f"worker: celery {' '.join(WORKER_ARGS)} "
              f"{' '.join(f'{k}={v}' for k, v in WORKER_ENV.items() if k.startswith(('WEB', 'CEL')))}")  # fmt: skip
        celery = run_celery(pipe, completions, place)
        plain = run_smtplib(pipe, port)
        print(
            f"  celery worker  {celery['rate']:.0f} mails/s (the change, its {SUBSCRIBERS} deliveries "
            f"and their tasks committed in {celery['commit']:.1f} s of that); lost {celery['lost']}, "
            f"duplicates {celery['duplicates']}\n"
            f"  plain smtplib, one connection  {plain['rate']:.0f} mails/s; lost {plain['lost']}\n"
            f"  ratio {celery['rate'] / plain['rate']:.2f} (goal: at least 0.5)"
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        sink.terminate()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
