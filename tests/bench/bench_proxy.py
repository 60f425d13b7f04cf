"""Cached public reads through nginx/tracker.conf, against nginx serving a static file of the
same size, in the same run.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python tests/bench/bench_proxy.py

Needs nginx and wrk on PATH. Migrates and seeds the database, collects the static files,
starts gunicorn (2 sync workers, DEBUG off) and nginx in the foreground with the very
server block compose mounts (nginx/tracker.conf: its upstream, static root, cache path and
listen address replaced by local ones), then runs wrk in interleaved rounds against the API
detail and a jurisdiction page through the proxy's cache, and against a static file of each
one's size under /static/. Prints requests/s, p50/p99 and each cached read's ratio to its
static file. The static files it writes and nginx's temporary directory are removed after.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# Run as a script, this directory is on the path: the public benchmark's helpers.
from bench_public import (
    PYTHON,
    ROOT,
    ROUNDS,
    best,
    database_prepare,
    free_port,
    server_env,
    start_gunicorn,
    stop,
    wrk,
)

CONFIG = ROOT / "nginx" / "tracker.conf"
STATIC_ROOT = ROOT / "var" / "static"


def nginx_config(directory: Path, *, upstream: str, port: int) -> Path:
    """A main nginx.conf in directory whose http block is nginx/tracker.conf, localised."""
    server = CONFIG.read_text()
    for compose, local in (
        ("server web:8000;", f"server {upstream};"),
        ("alias /app/var/static/;", f"alias {STATIC_ROOT}/;"),
        ("/var/cache/nginx/tracker", str(directory / "cache")),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
    ):
        if compose not in server:
            sys.exit(f"nginx/tracker.conf no longer holds {compose!r}: update this benchmark")
        server = server.replace(compose, local)
    (directory / "tracker.conf").write_text(server)
    main = directory / "nginx.conf"
    temp = {name: directory / name for name in ("client", "proxy", "fastcgi", "uwsgi", "scgi")}
    main.write_text(
        f"worker_processes auto;\npid {directory}/nginx.pid;\nerror_log {directory}/error.log;\n"
        "events { worker_connections 1024; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        f"  client_body_temp_path {temp['client']};\n  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n  uwsgi_temp_path {temp['uwsgi']};\n"
        f"  scgi_temp_path {temp['scgi']};\n  include {directory}/tracker.conf;\n}}\n"
    )
    return main


def start_nginx(main: Path, port: int) -> subprocess.Popen:
    command = ["nginx", "-c", str(main), "-p", str(main.parent), "-g", "daemon off;"]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/", timeout=1)
        except urllib.error.HTTPError:
            return process  # 403/404: nginx is answering
        except OSError:
            time.sleep(0.1)
            continue
        return process
    process.kill()
    sys.exit("nginx did not start")


def get(url: str) -> tuple[bytes, dict]:
    # The first answer waits for a worker to start (its lookup tables: seconds when loaded).
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read(), dict(response.headers)


def main() -> None:
    env = server_env()
    database_prepare(env)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    app, app_base = start_gunicorn("tracker.wsgi", env)
    directory = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    directory.chmod(0o755)  # nginx's workers (not root) write its cache and temporary files
    port = free_port()
    proxy = start_nginx(nginx_config(directory, upstream=app_base.split("//")[1], port=port), port)
    base = f"http://127.0.0.1:{port}"
    written = []
    try:
        scenarios = {}
        for label, path in (("API /api/v1/jurisdictions/US-TX", "/api/v1/jurisdictions/US-TX"),
                            ("page /j/US-TX/", "/j/US-TX/")):  # fmt: skip
            body, _headers = get(base + path)
            statuses = []
            # nginx stores the first answer as it passes it on: a read right after it may
            # reach another nginx worker before the entry is in place.
            while len(statuses) < 5 and "HIT" not in statuses:
                time.sleep(0.1 * len(statuses))
                statuses.append(get(base + path)[1].get("X-Cache-Status"))
            if "HIT" not in statuses:
                sys.exit(f"{path} is not kept by the proxy: {', '.join(map(str, statuses))}")
            static = STATIC_ROOT / f"bench-{len(body)}.json"
            static.write_bytes(b"x" * len(body))
            written.append(static)
            scenarios[f"nginx static file, {len(body):,} B"] = (
                f"{base}/static/{static.name}",
                None,
            )
            scenarios[f"{label} (cached)"] = (base + path, f"nginx static file, {len(body):,} B")
        results = {name: [] for name in scenarios}
        for _ in range(ROUNDS):  # interleaved, so drift hits every scenario alike
            for name, (url, _compared_with) in scenarios.items():
                results[name].append(wrk(url))
    finally:
        proxy.terminate()
        proxy.wait(timeout=15)
        stop(app)
        for path in written:
            path.unlink()
        shutil.rmtree(directory, ignore_errors=True)

    threads, connections = (
        os.environ.get("BENCH_THREADS", "2"),
        os.environ.get("BENCH_CONNECTIONS", "32"),
    )
    print(f"nginx (worker_processes auto) in front of gunicorn 2 workers (sync); wrk -t{threads} "
          f"-c{connections} -d{os.environ.get('BENCH_DURATION', '10s')}, best of {ROUNDS}")  # fmt: skip
    print(f"{'scenario':42} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x static':>9} {'errors':>7}")
    for name, (_url, compared_with) in scenarios.items():
        result = best(results[name])
        ratio = result["rps"] / best(results[compared_with or name])["rps"]
        print(f"{name:42} {result['rps']:9.0f} {result['p50']:8.2f} {result['p99']:8.2f} "
              f"{ratio:9.2f} {result['non_2xx_3xx']:7d}")  # fmt: skip


if __name__ == "__main__":
    main()
