"""The first public request to a fresh gunicorn worker, against the same request on a warm one.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python tests/bench/bench_cold_start.py

Migrates and seeds the database, then for each trial starts gunicorn (one sync worker, DEBUG
off) with the project's gunicorn.conf.py, waits until the worker has finished starting (its
post_worker_init hook has run), and times the first request it serves: a ZIP lookup
(the API's, or the page's), never answered before (the Redis db is emptied before each
trial, so nothing comes from the public cache). Then it times the same kind of request for
other ZIP codes on the now warm worker (median of WARM_REQUESTS). The same trials run
without the project's hook (as before the worker warmed its tables), in the same run.
Prints each trial and the median of first − warm per kind. Uses and empties the Redis db
it is given.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import redis

# Run as a script, this directory is on the path: the public benchmark's helpers.
from bench_public import PYTHON, ROOT, database_prepare, free_port, server_env

TRIALS = int(os.environ.get("BENCH_TRIALS", "3"))
WARM_REQUESTS = 9
ZIPS = ["73301", "10001", "94103", "32801", "60601", "98101", "30301", "02108", "85001",
        "80202", "97201", "55401", "63101", "70112", "84101", "96813", "99501", "20001",
        "33101", "48201", "19103", "15222", "37201", "64105", "46204", "43215", "53202",
        "40202", "27601", "29201", "35203", "39201", "72201", "73102", "87102", "89101"]  # fmt: skip
KINDS = {"API /api/v1/lookup": "/api/v1/lookup?zip={}", "page /lookup": "/lookup?zip={}"}
READY = "bench: worker ready"


def hooks_file(directory: Path, *, warm: bool) -> Path:
    """A gunicorn config: the project's (or none), then a line saying the worker is ready."""
    project = "runpy.run_path(PROJECT)" if warm else "{}"
    path = directory / ("warm.py" if warm else "cold.py")
    path.write_text(
        f"import runpy\nPROJECT = {str(ROOT / 'gunicorn.conf.py')!r}\nproject = {project}\n\n\n"
        "def post_worker_init(worker):\n"
        "    if 'post_worker_init' in project:\n"
        "        project['post_worker_init'](worker)\n"
        f"    print({READY!r}, flush=True)\n"
    )
    return path


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        if response.status != 200:
            sys.exit(f"{url}: {response.status}")
    return (time.perf_counter() - started) * 1000


def trial(config: Path, path: str, zips: list[str], env: dict) -> tuple[float, float]:
    """(first request ms, median warm request ms) on a fresh worker."""
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    port = free_port()
    command = [PYTHON, "-m", "gunicorn", "tracker.wsgi", "--workers", "1", "--config", str(config),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:
            if line.strip() == READY:
                break
        else:
            sys.exit("gunicorn exited before its worker was ready")
        base = f"http://127.0.0.1:{port}"
        first = timed_get(base + path.format(zips[0]))
        warm = [timed_get(base + path.format(code)) for code in zips[1 : 1 + WARM_REQUESTS]]
        return first, statistics.median(warm)
    finally:
        process.terminate()
        process.wait(timeout=15)


def main() -> None:
    env = server_env()
    database_prepare(env)
    directory = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    configs = {"warmed at start": hooks_file(directory, warm=True),
               "not warmed": hooks_file(directory, warm=False)}  # fmt: skip
    gaps = {(kind, label): [] for kind in KINDS for label in configs}
    print(f"gunicorn 1 worker (sync); first request vs median of {WARM_REQUESTS} warm ones, ms")
    for number in range(TRIALS):
        for kind, path in KINDS.items():
            for label, config in configs.items():  # interleaved, so drift hits both alike
                zips = ZIPS[number * 10 % len(ZIPS) :] + ZIPS[: number * 10 % len(ZIPS)]
                first, warm = trial(config, path, zips, env)
                gaps[kind, label].append(first - warm)
                print(f"trial {number + 1} {kind:20} {label:16} first {first:8.1f}  "
                      f"warm {warm:7.1f}  first - warm {first - warm:8.1f}")  # fmt: skip
    for file in configs.values():
        file.unlink()
    directory.rmdir()
    print("median first - warm, ms:")
    for (kind, label), values in gaps.items():
        print(f"  {kind:20} {label:16} {statistics.median(values):8.1f}")


if __name__ == "__main__":
    main()
