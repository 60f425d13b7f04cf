"""Sellers' throughput under gunicorn (one sync worker: figures are per process).

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python tests/bench/bench_sellers.py

Migrates and seeds the database it is given, makes an API key with `manage.py apikeys
create`, starts gunicorn with one worker, warms it (ZIP index, rules snapshot, cached
lists), then runs wrk in interleaved rounds against:
- the batch check: POST /api/v1/check with 1,000 items (250 random real ZIP codes × the
  four categories, shuffled), with the key: answered items/s = requests/s × 1,000;
- the baseline, one request per ZIP: GET /api/v1/lookup?zip=… over the same 250 ZIP codes
  (picked at random per request; after the first round they are cached answers, which
  favours the baseline);
- the restricted-ZIP list (/api/v1/restricted-zips.json?category=leaf) against the API
  detail /api/v1/jurisdictions/US-TX, both served from the cache, and the list again sent
  gzipped (Accept-Encoding: gzip); the sizes of the leaf JSON and the 7-OH CSV, plain and
  gzipped, are printed.
Rate limits stay on, set high enough not to trip.
"""

import json
import os
import random
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import zipcodes

# Run as a script, this directory is on the path: share the public benchmark's helpers.
from bench_database import database_ensure
from bench_public import PYTHON, ROOT, ROUNDS, best, server_env, start_gunicorn, stop
from bench_public import wrk as run_wrk

ZIPS = 250
# One connection: a sync worker answers one batch at a time, so p50/p99 are a batch's own
# latency, not time spent queued behind other batches.
BATCH_CONNECTIONS = os.environ.get("BENCH_BATCH_CONNECTIONS", "1")
CATEGORIES = ["leaf", "extract", "7oh", "synthetic"]
GZIP = {"Accept-Encoding": "gzip"}


def batch_items(seed: int = 12) -> tuple[list[str], list[dict]]:
    rng = random.Random(seed)
    zips = rng.sample([row["zip_code"] for row in zipcodes.list_all()], ZIPS)
    items = [{"zip": zip_code, "category": c} for zip_code in zips for c in CATEGORIES]
    rng.shuffle(items)
    return zips, items


def api_key(env: dict) -> str:
    output = subprocess.run(
        [PYTHON, "manage.py", "apikeys", "create", "Benchmark", "--contact", "bench@example.org"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return output.strip().splitlines()[-1]


def post(url: str, body: bytes, key: str) -> bytes:
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def get(url: str, headers: dict | None = None) -> bytes:
    with urllib.request.urlopen(
        urllib.request.Request(url, headers=headers or {}), timeout=60
    ) as response:
        return response.read()


def lua_scripts(directory: Path, body: bytes, key: str, zips: list[str]) -> dict[str, str]:
    batch = directory / "batch.lua"
    batch.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body.decode())}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
    )
    lookup = directory / "lookup.lua"
    lookup.write_text(
        "local zips = {" + ",".join(f'"{z}"' for z in zips) + "}\n"
        "request = function()\n"
        '  return wrk.format("GET", "/api/v1/lookup?zip=" .. zips[math.random(#zips)])\n'
        "end\n"
    )
    return {"batch": str(batch), "lookup": str(lookup)}


def main() -> None:
    env = server_env(API_KEY_RATE_LIMIT="1000000000")
    database_ensure(env["DATABASE_URL"])
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [PYTHON, "manage.py", "seed"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    key = api_key(env)
    zips, items = batch_items()
    body = json.dumps({"items": items}).encode()
    app, base = start_gunicorn("tracker.wsgi", env, workers=1)
    try:
        answer = post(base + "/api/v1/check", body, key)  # builds the ZIP index and snapshot
        assert json.loads(answer)["answered"] == len(items), answer[:300]
        for zip_code in zips:
            get(f"{base}/api/v1/lookup?zip={zip_code}")
        lists = [base + "/api/v1/restricted-zips.json?category=leaf",
                 base + "/api/v1/restricted-zips.csv?category=7oh"]  # fmt: skip
        sizes = [(len(get(url)), len(get(url, GZIP))) for url in lists]
        listed = get(lists[0])
        detail = get(base + "/api/v1/jurisdictions/US-TX")
        with tempfile.TemporaryDirectory() as directory:
            scripts = lua_scripts(Path(directory), body, key, zips)
            scenarios = {
                "batch check, 1,000 items": (
                    base + "/api/v1/check", scripts["batch"], BATCH_CONNECTIONS
                ),
                "lookup, one ZIP per request": (base + "/api/v1/lookup", scripts["lookup"], None),
                "restricted-zips.json?category=leaf": (
                    base + "/api/v1/restricted-zips.json?category=leaf", None, None
                ),
                "the same list, gzipped": (lists[0], None, None, [f"Accept-Encoding: {GZIP['Accept-Encoding']}"]),
                "API detail /jurisdictions/US-TX": (
                    base + "/api/v1/jurisdictions/US-TX", None, None
                ),
            }  # fmt: skip
            results = {name: [] for name in scenarios}
            for _ in range(ROUNDS):  # interleaved, so drift hits every scenario alike
                for name, (url, script, connections, *headers) in scenarios.items():
                    results[name].append(
                        run_wrk(url, *headers, script=script, connections=connections)
                    )
    finally:
        stop(app)

    batch = best(results["batch check, 1,000 items"])
    lookup = best(results["lookup, one ZIP per request"])
    listing = best(results["restricted-zips.json?category=leaf"])
    gzipped = best(results["the same list, gzipped"])
    api = best(results["API detail /jurisdictions/US-TX"])
    print(
        f"gunicorn 1 worker (sync), best of {ROUNDS}; batch body {len(body)} B (answer "
        f"{len(answer)} B), list body {len(listed)} B, detail body {len(detail)} B"
    )
    print(f"{'scenario':36} {'req/s':>9} {'items/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, result, per in [
        ("batch check, 1,000 items", batch, len(items)),
        ("lookup, one ZIP per request", lookup, 1),
        ("restricted-zips.json?category=leaf", listing, 1),
        ("the same list, gzipped", gzipped, 1),
        ("API detail /jurisdictions/US-TX", api, 1),
    ]:
        print(
            f"{name:36} {result['rps']:9.1f} {result['rps'] * per:9.0f} {result['p50']:8.2f} "
            f"{result['p99']:8.2f} {result['non_2xx_3xx']:7d}"
        )
    print(f"batch items/s ÷ lookup req/s: {batch['rps'] * len(items) / lookup['rps']:.1f}×; "
          f"restricted list ÷ API detail: {listing['rps'] / api['rps']:.2f}×; "
          f"gzipped list ÷ plain list: {gzipped['rps'] / listing['rps']:.2f}×")  # fmt: skip
    for url, (plain, packed) in zip(lists, sizes, strict=True):
        print(
            f"{url.removeprefix(base)}: {plain:,} B, gzipped {packed:,} B ({plain / packed:.1f}× smaller)"
        )


if __name__ == "__main__":
    main()
