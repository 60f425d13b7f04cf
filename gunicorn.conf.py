"""gunicorn's settings for the web process, read from the working directory (the image,
docker-compose.yml and the benchmarks run gunicorn from the project root)."""

import time

# gunicorn's control socket sits at one path per user, so every gunicorn on a machine (the
# tests', a benchmark's, `make run`) took it from the last; nothing here uses it.
control_socket_disable = True


def post_worker_init(worker):
    """Build the ZIP index and search tables, import the views, compile the public templates
    and connect, before the worker takes a request: left to the first ZIP lookup, they made
    it seconds slower than the next (tests/bench/bench_cold_start.py measures it)."""
    from tracker.wsgi import web_process_warm

    started = time.monotonic()
    try:
        web_process_warm()
    except Exception:  # only an optimisation: a worker that could not warm still serves
        worker.log.exception("warming failed: the first requests will do it")
        return
    worker.log.info("warmed in %.2f s", time.monotonic() - started)
