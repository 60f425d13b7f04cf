"""Benchmark: one event to 1,000 webhook subscriptions on a loopback receiver.

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python tests/bench/bench_alerts.py

Creates a throwaway database (bench_<name>, dropped at the end), 1,000 subscriptions to a
threaded receiver in its own process, and a real Celery worker with the settings the README
recommends. It times a status change from commit until the receiver has the event at every
subscription, and in the same run a plain thread pool of requests.post with the same number
of requests in flight (the baseline); both again with the receiver answering after 50 ms.
"Lost" counts subscriptions whose path never received the event's webhook-id.

    … bench_alerts.py --kill

The fault run instead: 1,000 subscriptions (every tenth answers 410 Gone, the others after
200 ms), a worker as docker-compose.yml starts it (16 batches of 50 claimed at a time, 64
requests in flight), SIGKILLed once 400 subscriptions have the event; a second worker and
the sweeper (every 0.5 s, lease 20 s) finish the job. It prints the duplicates against their
bound (the requests in flight plus the outcomes not yet committed, at most one group of 50),
the repeated POSTs to 410 endpoints (and to those whose 410 was recorded: none allowed), the
lost deliveries and the time from the kill until every subscription had the event.

    … bench_alerts.py --restarts

Ten Redis restarts during a fan-out to 1,000 subscriptions: the benchmark runs a
redis-server of its own (REDIS_URL's server is left alone), a worker as docker-compose.yml
starts it with production's lease (300 s), the receiver answering after 5 s while Redis is
restarted every few seconds (down 1 s each time, nothing persisted), then at once; the
sweeper runs every 60 s, as beat runs it. It prints the seconds from the last restart until
every subscription had the event, the duplicates and the lost deliveries.
"""

import itertools
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.redis_server import redis_start  # noqa: E402 (needs ROOT on the path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
# The receiver is on loopback over plain HTTP: allow exactly that, as the tests do.
os.environ.setdefault("OUTBOUND_ALLOW_HTTP", "1")
os.environ.setdefault("OUTBOUND_ALLOWED_NETWORKS", "127.0.0.0/8")

SUBSCRIPTIONS = 1000
ROUNDS = 3
IN_FLIGHT = 64  # WEBHOOK_SEND_CONCURRENCY for the worker, threads for the baseline
# The worker settings the README recommends.
WORKER_ENV = {
    "WEBHOOK_SEND_CONCURRENCY": str(IN_FLIGHT),
    "WEBHOOK_BATCH_SIZE": "50",
    "CELERY_DB_REUSE_MAX": "1000",
    "WEBHOOK_OUTCOME_GROUP": "50",
}
WORKER_ARGS = ["--pool", "threads", "--concurrency", "4"]


# The fault run (--kill): the worker as docker-compose.yml starts it, short lease and timeout.
KILL = "--kill" in sys.argv
KILL_AFTER = 400  # subscriptions that have the event when the worker is killed
KILL_RECEIVER_DELAY = 0.2
KILL_SETTINGS = {"WEBHOOK_LEASE_SECONDS": "20", "WEBHOOK_TIMEOUT_SECONDS": "5"}
KILL_WORKER_ENV = {**WORKER_ENV, **KILL_SETTINGS}
KILL_WORKER_ARGS = ["--pool", "threads", "--concurrency", "16"]
if KILL:
    os.environ.update(KILL_SETTINGS)  # the sweeper in this process uses the same lease

# The fault run (--restarts): ten Redis restarts of a private redis-server mid fan-out.
RESTARTS = 10 if "--restarts" in sys.argv else 0
RESTART_RECEIVER_DELAY = 5.0
RESTART_EVERY = 3.0  # seconds between restarts (Redis down for 1 s of them)
SWEEP_EVERY = 60.0  # beat's schedule for the sweeper


# The receiver (its own process, so it does not share a GIL with either sender) ------------


def _receiver(port_queue, delay_value, completions):
    seen = defaultdict(set)
    totals = defaultdict(int)
    gone_totals = defaultdict(int)  # POSTs to the paths that answer 410 Gone
    gone_per_path = defaultdict(int)  # (webhook-id, path) -> POSTs, for those paths
    last_new = defaultdict(float)  # when a path first got the event (time.time())
    open_requests = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body are two writes: without this, Nagle holds the body until the
        # client's delayed ACK (tens of ms on every kept-alive request).
        disable_nagle_algorithm = True

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            webhook_id = self.headers.get("webhook-id", "")
            gone = self.path.startswith("/gone/")
            with lock:
                if self.path not in seen[webhook_id]:
                    last_new[webhook_id] = time.time()
                    seen[webhook_id].add(self.path)
                    if len(seen[webhook_id]) == SUBSCRIPTIONS:
                        completions.put((webhook_id, last_new[webhook_id]))
                totals[webhook_id] += 1
                gone_totals[webhook_id] += gone
                if gone:
                    gone_per_path[(webhook_id, self.path)] += 1
                open_requests[0] += 1
            try:
                if gone:
                    self._reply(b"gone", status=410)
                    return
                if delay_value.value:
                    time.sleep(delay_value.value)
                self._reply(b"ok")
            finally:
                with lock:
                    open_requests[0] -= 1

        def do_GET(self):
            webhook_id = self.path.split("id=", 1)[-1]
            with lock:
                paths = seen[webhook_id]
                stats = {
                    "distinct": len(paths),
                    "total": totals[webhook_id],
                    "gone_distinct": sum(1 for path in paths if path.startswith("/gone/")),
                    "gone_total": gone_totals[webhook_id],
                    "gone_repeated": [
                        path
                        for (wid, path), n in gone_per_path.items()
                        if wid == webhook_id and n > 1
                    ],
                    "open": open_requests[0],
                    "last_new": last_new[webhook_id],
                }
            self._reply(json.dumps(stats).encode())

        def _reply(self, body, status=200):
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024  # the baseline opens a connection per request

    server = Server(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_port)
    server.serve_forever()


def _stats(port, webhook_id) -> dict:
    import requests

    return requests.get(f"http://127.0.0.1:{port}/stats?id={webhook_id}", timeout=5).json()


def _wait_all(completions, webhook_id, timeout=300) -> float:
    """When (time.time()) the receiver had the event at every subscription. The receiver
    says so itself: polling it would take CPU from the sender being measured."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        completed_id, at = completions.get(timeout=left)
        if completed_id == webhook_id:
            return at
    raise TimeoutError(f"{webhook_id} did not reach every subscription in {timeout} s")


# The two senders ---------------------------------------------------------------------------


def run_celery(port, completions, jurisdiction, status) -> dict:
    from django.db import transaction

    from tests.factories import record_status
    from tracker.alerts.models import Delivery, Event

    started = time.time()
    with transaction.atomic():
        record_status(jurisdiction, status)
    committed = time.time()
    event = Event.objects.order_by("-created_at").first()
    received = _wait_all(completions, event.webhook_id)
    while Delivery.objects.filter(event=event, state="pending").exists():
        time.sleep(0.02)
    recorded = time.time()
    stats = _stats(port, event.webhook_id)
    return {
        "rate": SUBSCRIPTIONS / (received - started),
        "rate_recorded": SUBSCRIPTIONS / (recorded - started),
        "commit": committed - started,
        "lost": SUBSCRIPTIONS - stats["distinct"],
        "duplicates": stats["total"] - stats["distinct"],
    }


def run_plain_pool(port, body: bytes, run: str) -> dict:
    import requests

    webhook_id = f"msg_baseline_{run}"
    headers = {"Content-Type": "application/json", "webhook-id": webhook_id}
    urls = [f"http://127.0.0.1:{port}/s/{n}" for n in range(SUBSCRIPTIONS)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
        codes = list(
            pool.map(
                lambda url: requests.post(url, data=body, headers=headers, timeout=15).status_code,
                urls,
            )
        )
    elapsed = time.monotonic() - started
    stats = _stats(port, webhook_id)
    assert codes.count(200) == SUBSCRIPTIONS
    return {"rate": SUBSCRIPTIONS / elapsed, "lost": SUBSCRIPTIONS - stats["distinct"]}


def run_kill(port, jurisdiction, database_url) -> None:
    from django.db import transaction

    from tests.factories import record_status
    from tracker.alerts import services
    from tracker.alerts.models import Attempt, Delivery, Event

    worker = _start_worker(database_url, KILL_WORKER_ENV, KILL_WORKER_ARGS)
    print(f"{SUBSCRIPTIONS} subscriptions, every tenth answers 410, the others after "
          f"{int(KILL_RECEIVER_DELAY * 1000)} ms; worker: celery {' '.join(KILL_WORKER_ARGS)} "
          f"{' '.join(f'{k}={v}' for k, v in KILL_WORKER_ENV.items())}; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    try:
        with transaction.atomic():
            record_status(jurisdiction, "legal")
        event = Event.objects.order_by("-created_at").first()
        while _stats(port, event.webhook_id)["distinct"] < KILL_AFTER:
            time.sleep(0.005)
        worker.kill()
        worker.wait()
        killed = time.monotonic()
        at_kill = _stats(port, event.webhook_id)
        # The 410s the killed worker had committed: those endpoints must never hear again.
        recorded_gone = {
            urlsplit(url).path
            for url in Attempt.objects.filter(delivery__event=event, status_code=410).values_list(
                "subscription__url", flat=True
            )
        }
        worker = _start_worker(database_url, KILL_WORKER_ENV, KILL_WORKER_ARGS, n=1)
        while _stats(port, event.webhook_id)["distinct"] < SUBSCRIPTIONS:
            services.deliveries_sweep()
            time.sleep(0.5)
        recovered = time.monotonic() - killed
        while Delivery.objects.filter(event=event, state="pending").exists():
            services.deliveries_sweep()
            time.sleep(0.5)
        time.sleep(1)  # anything still on its way
        end = _stats(port, event.webhook_id)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    bound = IN_FLIGHT
    print(
        f"at the kill: {at_kill['distinct']} subscriptions had the event, "
        f"{at_kill['open']} requests open at the receiver, {len(recorded_gone)} 410s recorded\n"
        f"duplicates {end['total'] - end['distinct']} (goal: at most the requests in flight, "
        f"<= {bound}); repeated POSTs to 410 endpoints "
        f"{end['gone_total'] - end['gone_distinct']}, to those whose 410 was recorded "
        f"{len(recorded_gone & set(end['gone_repeated']))} (goal: 0); "
        f"lost {SUBSCRIPTIONS - end['distinct']}; every subscription had the event "
        f"{recovered:.1f} s after the kill (lease 20 s)"
    )


def run_restarts(port, jurisdiction, database_url, delay, redis, redis_port) -> None:
    from django.db import transaction

    from tests.factories import record_status
    from tracker.alerts import services
    from tracker.alerts.models import Delivery, Event

    worker = _start_worker(database_url, WORKER_ENV, KILL_WORKER_ARGS)
    print(f"{SUBSCRIPTIONS} subscriptions answered after {RESTART_RECEIVER_DELAY:.0f} s during "
          f"{RESTARTS} Redis restarts ({RESTART_EVERY:.0f} s apart, 1 s down), then at once; "
          f"worker: celery {' '.join(KILL_WORKER_ARGS)} "
          f"{' '.join(f'{k}={v}' for k, v in WORKER_ENV.items())}, lease 300 s; sweeper every "
          f"{SWEEP_EVERY:.0f} s; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    try:
        with transaction.atomic():
            record_status(jurisdiction, "legal")
        event = Event.objects.order_by("-created_at").first()
        swept = time.monotonic()
        for _ in range(RESTARTS):
            time.sleep(RESTART_EVERY - 1)
            redis.kill()  # every queued and unacknowledged message goes with it
            redis.wait()
            time.sleep(1)
            redis = redis_start(redis_port)
        last_restart = time.time()
        at_last_restart = _stats(port, event.webhook_id)["distinct"]
        delay.value = 0.0
        while _stats(port, event.webhook_id)["distinct"] < SUBSCRIPTIONS:
            if time.monotonic() - swept >= SWEEP_EVERY:
                services.deliveries_sweep()
                swept = time.monotonic()
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited with {worker.returncode}")
            time.sleep(0.1)
        while Delivery.objects.filter(event=event, state="pending").exists():
            time.sleep(0.5)
        time.sleep(1)  # anything still on its way
        end = _stats(port, event.webhook_id)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        redis.kill()
        redis.wait()
    print(
        f"at the last restart {at_last_restart} subscriptions had the event; every one had it "
        f"{end['last_new'] - last_restart:.1f} s after the last restart (goal: within 60 s); "
        f"duplicates {end['total'] - end['distinct']} (goal: at most the requests in flight, "
        f"<= 64); lost {SUBSCRIPTIONS - end['distinct']}"
    )


def _print_rounds(label: str, celery: list[dict], plain: list[dict]) -> None:
    def spread(rates):
        return f"{statistics.median(rates):.0f}/s (rounds {', '.join(f'{r:.0f}' for r in rates)})"

    celery_rates = [r["rate"] for r in celery]
    plain_rates = [r["rate"] for r in plain]
    recorded = statistics.median(r["rate_recorded"] for r in celery)
    commit = statistics.median(r["commit"] for r in celery)
    print(
        f"{label}:\n"
        f"  celery worker   {spread(celery_rates)} (the change, its deliveries and their tasks "
        f"committed in {commit:.2f} s of that), {recorded:.0f}/s with every attempt "
        f"recorded; lost {sum(r['lost'] for r in celery)}, "
        f"duplicates {sum(r['duplicates'] for r in celery)}\n"
        f"  plain requests.post pool  {spread(plain_rates)}; "
        f"lost {sum(r['lost'] for r in plain)}\n"
        f"  ratio of medians {statistics.median(celery_rates) / statistics.median(plain_rates):.2f}"
    )


# Set-up ------------------------------------------------------------------------------------


def _start_worker(database_url: str, worker_env=WORKER_ENV, worker_args=WORKER_ARGS, n=0):
    from django.conf import settings

    from tracker.celery import app

    env = {
        **os.environ,
        **worker_env,
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
    }
    name = f"bench-{n}-{os.getpid()}@127.0.0.1"
    command = [
        sys.executable, "-m", "celery", "-A", "tracker", "worker", *worker_args,
        "--hostname", name, "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
        "--without-heartbeat",
    ]  # fmt: skip
    worker = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not app.control.ping(destination=[name], timeout=0.5):
        assert worker.poll() is None, "the worker exited at start"
    return worker


def _private_redis():
    """A redis-server of the benchmark's own (it is restarted), as REDIS_URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        redis_port = sock.getsockname()[1]
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    return redis_start(redis_port), redis_port


def main():
    import django

    redis, redis_port = _private_redis() if RESTARTS else (None, None)
    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tests.conftest import database_url_of
    from tests.factories import make_jurisdiction
    from tracker.alerts import services

    assert connection.vendor == "postgresql", "run the benchmark with DATABASE_URL=postgres://…"
    connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    delay = multiprocessing.Value("d", 0.0)
    port_queue = multiprocessing.Queue()
    completions = multiprocessing.Queue()
    receiver = multiprocessing.Process(
        target=_receiver, args=(port_queue, delay, completions), daemon=True
    )
    receiver.start()
    port = port_queue.get(timeout=10)
    worker = None
    try:
        # A made-up jurisdiction (ZZ is a user-assigned ISO code) in a throwaway database.
        place = make_jurisdiction("ZZ", name="Benchmark placeholder, not a real place")
        for number in range(SUBSCRIPTIONS):
            path = f"/gone/{number}" if KILL and number % 10 == 0 else f"/s/{number}"
            services.subscription_create(url=f"http://127.0.0.1:{port}{path}", follow_codes=["ZZ"])
        if KILL:
            delay.value = KILL_RECEIVER_DELAY
            run_kill(port, place, database_url_of(connection.settings_dict))
            return
        if RESTARTS:
            delay.value = RESTART_RECEIVER_DELAY
            database_url = database_url_of(connection.settings_dict)
            run_restarts(port, place, database_url, delay, redis, redis_port)
            return
        worker = _start_worker(database_url_of(connection.settings_dict))
        body = b'{"type":"status.changed","timestamp":"2026-11-21T00:00:00+00:00","data":{}}'
        print(f"One event to {SUBSCRIPTIONS} subscriptions on a loopback receiver; "
              f"{IN_FLIGHT} requests in flight; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f} at the start")  # fmt: skip
        print(f"worker: celery {' '.join(WORKER_ARGS)} "
              f"{' '.join(f'{k}={v}' for k, v in WORKER_ENV.items())}")  # fmt: skip
        statuses = itertools.cycle(["legal", "regulated"])
        run_celery(port, completions, place, next(statuses))  # warm-up: connections, imports
        for latency in (0.0, 0.05):
            delay.value = latency
            celery, plain = [], []
            for run in range(ROUNDS):  # interleaved, so both see the same machine
                celery.append(run_celery(port, completions, place, next(statuses)))
                plain.append(run_plain_pool(port, body, f"{latency}-{run}"))
            _print_rounds(f"receiver answers after {int(latency * 1000)} ms", celery, plain)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        receiver.terminate()
        connection.close()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
