"""gunicorn's settings for the web process, read from the working directory (the image,
docker-compose.yml and the benchmarks run gunicorn from the project root)."""

import time


def post_worker_init(worker):
    """Build the ZIP index and the search tables before the worker takes a request: left to
    the first ZIP lookup, they made it seconds slower than the next (tests/bench/
    bench_cold_start.py measures it)."""
    from jurisdictions.search import lookup_tables_warm

    started = time.monotonic()
    lookup_tables_warm()
    worker.log.info("lookup tables built in %.2f s", time.monotonic() - started)
