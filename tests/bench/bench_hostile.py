"""Benchmark: one worker (threads pool, 16 threads) checking ordinary and hostile sources at once.

Run from the project root, with the database and Redis it may use:

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/N \
        .venv/bin/python tests/bench/bench_hostile.py [--seconds 90] [--concurrency 16] \
        [--hostile-recheck 300]

200 sources: 120 ordinary pages (~8 KB of HTML each, served by their own process) and 80
hostile ones drawn in turn from tests/monitoring/hostile.py (a page built to make patterns
backtrack, a deep page, a page of 700,000 tags, a PDF bomb, a PDF with a broken xref, a gzip
bomb, binary as HTML, invalid UTF-8, deep JSON, a 10,000-digit JSON number, a redirect loop,
redirects to 127.0.0.1, 169.254.169.254 and [::1], a header drip and a body drip; served by
another process on 127.0.0.2; the ordinary pages are on 127.0.0.3). Production settings
otherwise: the 60 s deadline, the 5 MB cap.
Politeness is off (the ordinary sources share one host). Only the two origins' addresses
(127.0.0.2, 127.0.0.3) pass the outbound guard, so the redirects to 127.0.0.1 are refused.

Each ordinary source is queued again as soon as its check is recorded. The hostile sources are
first queued spread over the run's first third, then each again `--hostile-recheck` seconds
after its check is recorded: 300 by default, production's first backoff after a failure
(MONITORING_BACKOFF_BASE_SECONDS); 30 shows a far harsher load.
The baseline is the same worker on the ordinary sources alone, for as long. It prints ordinary
checks per second in both runs and their ratio, the worker's peak RSS, and how many of the
pings sent every second (5 s timeout) went unanswered. It creates its own jurisdiction (XH)
and sources and deletes them afterwards. Not collected by pytest.
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Process, Queue
from pathlib import Path

# Run as a script, this directory is on the path: the worker benchmarks' shared helpers.
from bench_database import database_ensure
from celery_bench import bench_rows_delete, peak_rss_mb, start_worker

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.update(
    OUTBOUND_ALLOW_HTTP="1",
    OUTBOUND_ALLOWED_NETWORKS="127.0.0.2/32,127.0.0.3/32",
    MONITORING_POLITENESS="0",
    LOG_LEVEL="ERROR",
)
for required in ("DATABASE_URL", "REDIS_URL"):
    if required not in os.environ:
        sys.exit(f"set {required} (a PostgreSQL database and a Redis db this run may use)")

ORDINARY, HOSTILE = 120, 80
CODE = "XH"


def ordinary_body(index: int) -> bytes:
    paragraph = (
        "Section {n}. A person may not sell, offer for sale or distribute a kratom product to a "
        "person under twenty-one years of age, and each product shall carry a label. "
    )
    paragraphs = "".join(f"<p>{paragraph.format(n=n)}</p>" for n in range(40))
    return (
        f"<html><head><title>Source {index}</title></head><body><nav>menu</nav>"
        f"<main><h1>Chapter {index}</h1>{paragraphs}</main>"
        f"<footer>Page generated on 21 November 2026 at 10:14 UTC</footer></body></html>"
    ).encode()


class OrdinaryHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self):
        body = ordinary_body(int(self.path.rsplit("/", 1)[1]))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve_ordinary(out: Queue) -> None:
    server = ThreadingHTTPServer(("127.0.0.3", 0), OrdinaryHandler)
    server.daemon_threads = True
    out.put(server.server_address[1])
    server.serve_forever()


def serve_hostile(out: Queue) -> None:
    from tests.monitoring import hostile

    pages = hostile.hostile_pages()
    origin = hostile.HostileOrigin(pages, host="127.0.0.2").__enter__()
    pages.update(hostile.redirects_to_private(origin.server.server_address[1]))
    header_drip = hostile.header_drip(host="127.0.0.2").__enter__()
    body_drip = hostile.body_drip(host="127.0.0.2").__enter__()
    cases = [(path, origin.url(path), page.kind) for path, page in pages.items()]
    cases += [("header drip", header_drip.url, "html"), ("body drip", body_drip.url, "html")]
    out.put(cases)
    threading.Event().wait()


def setup_sources(ordinary_port: int, hostile_cases: list) -> tuple[list[int], dict[int, str]]:
    from django.core.management import call_command

    from jurisdictions.models import Jurisdiction, Level
    from tracker.monitoring.models import Source

    database_ensure(os.environ["DATABASE_URL"])
    call_command("migrate", verbosity=0)
    bench_rows_delete(CODE)
    jurisdiction = Jurisdiction.objects.create(
        code=CODE, name="Benchmark (not a real jurisdiction)", level=Level.COUNTRY
    )
    ordinary = Source.objects.bulk_create(
        Source(jurisdiction=jurisdiction, url=f"http://127.0.0.3:{ordinary_port}/s/{i}")
        for i in range(ORDINARY)
    )
    drawn = [hostile_cases[i % len(hostile_cases)] for i in range(HOSTILE)]
    hostile = Source.objects.bulk_create(
        Source(jurisdiction=jurisdiction, url=f"{url}?{i}", kind=kind)
        for i, (_, url, kind) in enumerate(drawn)
    )
    return [s.pk for s in ordinary], {s.pk: case[0] for s, case in zip(hostile, drawn, strict=True)}


def run(label: str, ordinary: list[int], hostile: dict[int, str], args) -> dict:
    """Keep the worker fed for args.seconds; count ordinary checks, pings and the peak RSS."""
    from tracker.celery import app
    from tracker.monitoring.models import Check
    from tracker.monitoring.tasks import check_sources

    name = f"bench-hostile-{os.getpid()}-{time.monotonic_ns()}@127.0.0.1"
    worker = start_worker(args.concurrency, name=name, loglevel="ERROR")
    pings = {"sent": 0, "missed": 0}
    stop = threading.Event()

    def ping():
        while not stop.is_set():
            started = time.monotonic()
            pings["sent"] += 1
            if not app.control.ping(destination=[name], timeout=5):
                pings["missed"] += 1
            stop.wait(max(0.0, 1 - (time.monotonic() - started)))

    pinger = threading.Thread(target=ping, daemon=True)
    last_id = Check.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for source_id in ordinary:
        check_sources.delay([source_id])
    pinger.start()
    started = time.monotonic()
    spread = args.seconds / 3 / max(1, len(hostile))
    due = [(started + i * spread, source_id) for i, source_id in enumerate(hostile)]
    ordinary_set, counted, hostile_seen = set(ordinary), 0, {}
    while (now := time.monotonic()) - started < args.seconds:
        finished = list(
            Check.objects.filter(id__gt=last_id, source_id__in=[*ordinary, *hostile])
            .order_by("id")
            .values_list("id", "source_id", "outcome", "duration_ms", "error")
        )
        for check_id, source_id, outcome, duration_ms, error in finished:
            last_id = check_id
            if source_id in ordinary_set:
                counted += 1
                check_sources.delay([source_id])
            else:
                case = hostile[source_id]
                hostile_seen.setdefault(case, (outcome, duration_ms, error[:70]))
                due.append((now + args.hostile_recheck, source_id))
        for item in [item for item in due if item[0] <= now]:
            due.remove(item)
            check_sources.delay([item[1]])
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    stop.set()
    pinger.join()
    rss = peak_rss_mb(worker.pid)
    alive = worker.poll() is None
    worker.terminate()
    try:
        worker.wait(timeout=90)
    except subprocess.TimeoutExpired:
        worker.kill()
    app.control.purge()
    return {
        "label": label,
        "rate": counted / elapsed,
        "rss": rss,
        "pings": pings,
        "alive": alive,
        "hostile": hostile_seen,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--hostile-recheck", type=float, default=300)
    args = parser.parse_args()
    import django

    django.setup()
    ports: Queue = Queue()
    servers = [
        Process(target=serve_ordinary, args=(ports,), daemon=True),
        Process(target=serve_hostile, args=(ports,), daemon=True),
    ]
    servers[0].start()
    ordinary_port = ports.get(timeout=30)
    servers[1].start()
    hostile_cases = ports.get(timeout=60)
    try:
        ordinary, hostile = setup_sources(ordinary_port, hostile_cases)
        print(f"{ORDINARY} ordinary + {HOSTILE} hostile sources ({len(hostile_cases)} cases), "
              f"worker: threads pool, concurrency {args.concurrency}, {args.seconds:.0f} s a run, "
              f"hostile re-checked {args.hostile_recheck:.0f} s after each check")  # fmt: skip
        baseline = run("ordinary only", ordinary, {}, args)
        ordinary, hostile = setup_sources(ordinary_port, hostile_cases)
        mixed = run("ordinary + hostile", ordinary, hostile, args)
        for result in (baseline, mixed):
            print(f"{result['label']}: {result['rate']:.1f} ordinary checks/s, "
                  f"peak RSS {result['rss']:.0f} MB, pings missed {result['pings']['missed']} "
                  f"of {result['pings']['sent']}, worker alive: {result['alive']}")  # fmt: skip
        print(f"ratio mixed/ordinary-only: {mixed['rate'] / baseline['rate']:.2f}")
        print("first check of each hostile case (outcome, ms, error):")
        for case, (outcome, duration_ms, error) in sorted(mixed["hostile"].items()):
            print(f"  {case:20} {outcome:9} {duration_ms:6d} ms  {error}")
    finally:
        bench_rows_delete(CODE)
        for server in servers:
            server.terminate()


if __name__ == "__main__":
    main()
