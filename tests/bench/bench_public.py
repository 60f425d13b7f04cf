"""Public read throughput under gunicorn (2 workers), against a bare Django view in the same run.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python tests/bench/bench_public.py

Migrates and seeds the database it is given, starts gunicorn on a free loopback port for
the app and then for tests/bench/bare_wsgi.py (same settings, DEBUG off), and runs wrk
against /api/v1/jurisdictions/US-TX, /j/US-TX/, the home page as a browser asks for it
(gzip: it is long), the 304 path (If-None-Match), the API with
an API key (which the fast path leaves to Django: the middleware, the view's steps, the
key's lookup and daily count) and the bare view serving a body of the same size as each
answer. Prints requests/s, p50/p99 latency
and each ratio to the bare view of its size (the 304's to the API's), and the CPU time
gunicorn spent per request (median over the rounds) with the bare view's divided by it
(above 1: cheaper than the bare view), which a loaded machine moves least. The rate
limits stay on (every body response still counts), set high enough not to trip.
"""

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench_database import database_ensure

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "32")
THREADS = os.environ.get("BENCH_THREADS", "2")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
# What a browser sends: the home page (its map) is long enough to be stored and sent gzipped.
GZIP = "gzip, deflate, br"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(**extra) -> dict:
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"{name} must be set (see the module docstring)")
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key"),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_RATE_LIMIT": "100000000",
        "API_KEY_RATE_LIMIT": "100000000",
        "PAGE_RATE_LIMIT": "100000000",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start_gunicorn(
    app: str, env: dict, workers: int = 2, config: str = "gunicorn.conf.py"
) -> tuple[subprocess.Popen, str]:
    """gunicorn for app; config: the project's (the default) or another, e.g. os.devnull."""
    port = free_port()
    command = [PYTHON, "-m", "gunicorn", app, "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--config", config, "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"gunicorn {app} did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:  # a worker still starting does not stop at once
        process.kill()
        process.wait()


def fetch(url: str, headers: dict | None = None) -> tuple[bytes, str]:
    """The body as sent (still gzipped, when asked for) and its ETag."""
    # A worker's first answer waits for it to start (its lookup tables: seconds when loaded).
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read(), response.headers.get("ETag", "")


def to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str, headers: list[str] = (), script: str | None = None, connections=None, duration=None
) -> dict:
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    connections = connections or CONNECTIONS
    threads = str(min(int(THREADS), int(connections)))
    command = ["wrk", "-t", threads, "-c", connections, "-d", duration or DURATION, "--latency"]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "rps": rps,
        "p50": to_ms(*p50.groups()),
        "p99": to_ms(*p99.groups()),
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
    }


def server_cpu_seconds(master: subprocess.Popen) -> float:
    """CPU time (user + system) gunicorn's workers have used so far: per request, the
    figure a loaded machine moves least."""
    total = 0.0
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    for pid in [str(master.pid), *children]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def best(results: list[dict]) -> dict:
    return max(results, key=lambda result: result["rps"])


def database_prepare(env: dict) -> None:
    """Create (when missing), migrate and seed the benchmark's database."""
    database_ensure(env["DATABASE_URL"])
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [PYTHON, "manage.py", "seed"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def api_key_create(env: dict) -> str:
    """A new API key (no daily quota) for the keyed scenario."""
    command = [PYTHON, "manage.py", "apikeys", "create", "bench", "--contact", "bench@example.org"]
    output = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return output.stdout.split()[-1]


def main() -> None:
    env = server_env()
    database_prepare(env)
    key = api_key_create(env)

    app, app_base = start_gunicorn("tracker.wsgi", env)
    # The baseline is a plain one-view app: none of the project's start-up work.
    bare, bare_base = start_gunicorn(
        "tests.bench.bare_wsgi:application", server_env(), config=os.devnull
    )
    try:
        api_body, etag = fetch(app_base + "/api/v1/jurisdictions/US-TX")
        page_body, _ = fetch(app_base + "/j/US-TX/")
        home_body, _ = fetch(app_base + "/", {"Accept-Encoding": GZIP})
        bare_api = f"{bare_base}/bare/{len(api_body)}"
        bare_page = f"{bare_base}/bare/{len(page_body)}"
        bare_home = f"{bare_base}/bare/{len(home_body)}"
        sizes = (len(fetch(bare_api)[0]), len(fetch(bare_page)[0]), len(fetch(bare_home)[0]))
        if sizes != (len(api_body), len(page_body), len(home_body)):
            sys.exit("the bare view's bodies are not the size of the answers")
        api_bare = f"bare Django view, {len(api_body):,} B"
        page_bare = f"bare Django view, {len(page_body):,} B"
        home_bare = f"bare Django view, {len(home_body):,} B"
        # name: (url, headers, the bare scenario it is compared with)
        scenarios = {
            api_bare: (bare_api, [], api_bare),
            page_bare: (bare_page, [], page_bare),
            "API /api/v1/jurisdictions/US-TX": (
                app_base + "/api/v1/jurisdictions/US-TX",
                [],
                api_bare,
            ),
            "page /j/US-TX/": (app_base + "/j/US-TX/", [], page_bare),
            home_bare: (bare_home, [], home_bare),
            "home page / (map), gzip": (
                app_base + "/",
                [f"Accept-Encoding: {GZIP}"],
                home_bare,
            ),
            "API 304 (If-None-Match)": (
                app_base + "/api/v1/jurisdictions/US-TX",
                [f"If-None-Match: {etag}"],
                api_bare,
            ),
            "API with a key (through Django)": (
                app_base + "/api/v1/jurisdictions/US-TX",
                [f"Authorization: Bearer {key}"],
                api_bare,
            ),
        }
        results = {name: [] for name in scenarios}
        baselines = (api_bare, page_bare, home_bare)
        servers = {name: bare if name in baselines else app for name in scenarios}
        for url, headers, _bare in scenarios.values():  # every worker started and warm
            wrk(url, headers, duration="2s")
        for _ in range(ROUNDS):  # interleaved, so drift hits every scenario alike
            for name, (url, headers, _bare) in scenarios.items():
                cpu = server_cpu_seconds(servers[name])
                result = wrk(url, headers)
                cpu = server_cpu_seconds(servers[name]) - cpu
                results[name].append({**result, "cpu_us": cpu * 1e6 / result["requests"]})
    finally:
        stop(app)
        stop(bare)

    print(f"gunicorn 2 workers (sync), wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}, best of {ROUNDS}; "
          f"API body {len(api_body)} B, page body {len(page_body)} B, "
          f"home page {len(home_body)} B gzipped")  # fmt: skip
    print(f"{'scenario':36} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x bare':>7} "
          f"{'CPU us/req':>10} {'x bare':>7} {'errors':>7}")  # fmt: skip
    for name, (_url, _headers, compared_with) in scenarios.items():
        result = best(results[name])
        baseline = best(results[compared_with])
        # CPU per request: the median over the rounds (the best rate's round may be an outlier).
        cpu = statistics.median(r["cpu_us"] for r in results[name])
        bare_cpu = statistics.median(r["cpu_us"] for r in results[compared_with])
        print(f"{name:36} {result['rps']:9.0f} {result['p50']:8.2f} {result['p99']:8.2f} "
              f"{result['rps'] / baseline['rps']:7.2f} {cpu:10.0f} {bare_cpu / cpu:7.2f} "
              f"{result['non_2xx_3xx']:7d}")  # fmt: skip


if __name__ == "__main__":
    main()
