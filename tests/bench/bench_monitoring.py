"""Benchmark: re-checking 1,000 sources on a loopback server, against a plain requests loop.

Run from the project root, with the database and Redis it may use:

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/N \
        .venv/bin/python tests/bench/bench_monitoring.py [--latency-ms 100] [--concurrency 32]

The server (its own process) answers 79% of the sources with an ETag and 304 to a matching
If-None-Match, 20% with a full ~8 KB 200 every time (no validators), and 1% with a text that
changes on every request. The monitor runs in one real Celery worker process (threads pool);
politeness is off (the sources all share one host, 127.0.0.1). The baseline is a plain
`requests` loop over the same URLs, sending the same conditional headers, in this process.
It prints checks per second per worker process, the worker's peak RSS, the rows written per
unchanged check, and the baseline's rate. It creates its own jurisdiction (XB) and sources,
and deletes them afterwards. Not collected by pytest.
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
# A script's own environment for the Django code and the worker it starts: plain HTTP to
# loopback, no per-host politeness (every source here is the same host).
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.update(
    OUTBOUND_ALLOW_HTTP="1",
    OUTBOUND_ALLOWED_NETWORKS="127.0.0.0/8",
    MONITORING_POLITENESS="0",
    LOG_LEVEL="WARNING",
)
for required in ("DATABASE_URL", "REDIS_URL"):
    if required not in os.environ:
        sys.exit(f"set {required} (a PostgreSQL database and a Redis db this run may use)")

SOURCES = 1000
CODE = "XB"
PARAGRAPH = (
    "Section {n}. A person may not sell, offer for sale or distribute a kratom product to a "
    "person under twenty-one years of age, and each product shall carry a label. "
)


def body_for(index: int, version: int = 0) -> bytes:
    paragraphs = "".join(f"<p>{PARAGRAPH.format(n=n)}</p>" for n in range(40))
    return (
        f"<html><head><title>Source {index}</title></head><body><nav>menu</nav>"
        f"<main><h1>Chapter {index}</h1>{paragraphs}<p>Revision {version}</p></main>"
        f"<footer>Page generated on 21 November 2026 at 10:{version % 60:02d} UTC</footer>"
        f"</body></html>"
    ).encode()


def kind_of(index: int) -> str:
    if index % 100 == 0:
        return "changing"
    return "plain" if index % 5 == 1 else "etag"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, no delayed-ACK stalls
    latency = 0.0
    counters: dict = {}

    def do_GET(self):
        if self.latency:
            time.sleep(self.latency)
        index = int(self.path.rsplit("/", 1)[1])
        kind = kind_of(index)
        version = 0
        if kind == "changing":
            version = self.counters[index] = self.counters.get(index, 0) + 1
        etag = f'"{index}-{version}"'
        if kind != "plain" and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = body_for(index, version)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if kind != "plain":
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(port_queue: Queue, latency: float) -> None:
    Handler.latency = latency
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=60)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def table_writes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables "
            "WHERE relname LIKE 'monitoring_%%'"
        )
        return {name: (ins, upd, dele) for name, ins, upd, dele in cursor.fetchall()}


def commits() -> int:
    """Transactions committed in this database so far (each autocommit statement is one)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def run_pass(label: str, concurrency: int) -> dict:
    """Dispatch every source to a fresh worker and wait until every check is recorded."""
    from django.utils import timezone

    from tracker.monitoring.models import Check, Source
    from tracker.monitoring.services import sources_dispatch

    sources = Source.objects.filter(jurisdiction__code=CODE)
    sources.update(next_check_at=timezone.now() - timezone.timedelta(minutes=1))
    worker = start_worker(concurrency, name=f"bench-{os.getpid()}@127.0.0.1")
    before_writes, before_commits = table_writes(), commits()
    since = timezone.now()
    cpu_before = cpu_seconds(worker.pid)
    started = time.monotonic()
    dispatched = sources_dispatch(limit=SOURCES)
    checks = Check.objects.filter(source__jurisdiction__code=CODE, started_at__gte=since)
    while checks.count() < len(dispatched):
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    rss = peak_rss_mb(worker.pid)
    cpu = cpu_seconds(worker.pid) - cpu_before
    stop_worker(worker)  # its database sessions end, so their statistics are flushed
    time.sleep(1)
    after_writes, after_commits = table_writes(), commits()
    outcomes = dict(
        checks.values_list("outcome").annotate(n=__import__("django").db.models.Count("id"))
    )
    writes = {
        table: tuple(
            a - b
            for a, b in zip(after_writes[table], before_writes.get(table, (0, 0, 0)), strict=True)
        )
        for table in after_writes
    }
    return {
        "label": label,
        "checks": len(dispatched),
        "elapsed": elapsed,
        "rate": len(dispatched) / elapsed,
        "rss": rss,
        "cpu_ms": cpu * 1000 / len(dispatched),
        "outcomes": outcomes,
        "writes": writes,
        "commits": after_commits - before_commits,
    }


def baseline_loop(urls: list[str]) -> float:
    """A plain requests loop over the same URLs with the same conditional headers."""
    import requests

    session = requests.Session()
    etags = {}
    for url in urls:  # first pass: learn the validators, as the monitor did
        etags[url] = session.get(url, timeout=10).headers.get("ETag")
    started = time.monotonic()
    for url in urls:
        headers = {"If-None-Match": etags[url]} if etags[url] else {}
        response = session.get(url, headers=headers, timeout=10)
        response.content  # noqa: B018 - read the body, as a checker must
    return len(urls) / (time.monotonic() - started)


def setup_sources(port: int) -> list[str]:
    from django.core.management import call_command

    from jurisdictions.models import Jurisdiction, Level
    from tracker.monitoring.models import Source

    database_ensure(os.environ["DATABASE_URL"])
    call_command("migrate", verbosity=0)
    bench_rows_delete(CODE)
    jurisdiction = Jurisdiction.objects.create(
        code=CODE, name="Benchmark (not a real jurisdiction)", level=Level.COUNTRY
    )
    urls = [f"http://127.0.0.1:{port}/s/{i}" for i in range(SOURCES)]
    Source.objects.bulk_create(Source(jurisdiction=jurisdiction, url=url) for url in urls)
    return urls


def report(result: dict, baseline: float) -> None:
    unchanged = result["outcomes"]
    writes = result["writes"]
    inserted = sum(w[0] for w in writes.values())
    updated = sum(w[1] for w in writes.values())
    snapshots = writes.get("monitoring_snapshot", (0, 0, 0))[0]
    print(f"  outcomes: {unchanged}")
    print(f"  monitor: {result['checks']} checks in {result['elapsed']:.2f} s = "
          f"{result['rate']:.0f} checks/s in one worker process")  # fmt: skip
    print(f"  baseline (plain requests loop, same URLs and headers): {baseline:.0f} requests/s")
    print(f"  ratio monitor/baseline: {result['rate'] / baseline:.2f}")
    print(f"  worker CPU per check: {result['cpu_ms']:.1f} ms; peak RSS: {result['rss']:.0f} MB")
    print(f"  rows written per check: {inserted / result['checks']:.2f} inserted, "
          f"{updated / result['checks']:.2f} updated; snapshot rows inserted: {snapshots}")  # fmt: skip
    print(f"  database transactions per check (this benchmark's own reads included): "
          f"{result['commits'] / result['checks']:.2f}")  # fmt: skip
    print(f"  by table (ins, upd, del): {writes}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    import django

    django.setup()
    ports: Queue = Queue()
    server = Process(target=serve, args=(ports, args.latency_ms / 1000), daemon=True)
    server.start()
    port = ports.get(timeout=10)
    try:
        urls = setup_sources(port)
        print(f"{SOURCES} sources, server latency {args.latency_ms:.0f} ms, "
              f"worker: threads pool, concurrency {args.concurrency}")  # fmt: skip
        first = run_pass("first look (baseline snapshots)", args.concurrency)
        print(f"first pass: {first['outcomes']} at {first['rate']:.0f} checks/s")
        recheck = run_pass("re-check", args.concurrency)
        print("re-check pass:")
        # With latency the loop's rate is 1/latency whatever the count: a sample will do.
        baseline = baseline_loop(urls if not args.latency_ms else urls[:100])
        report(recheck, baseline)
    finally:
        bench_rows_delete(CODE)
        server.terminate()


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
