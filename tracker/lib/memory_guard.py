"""Recycle a worker process whose resident memory crosses WORKER_MAX_RSS_MB.

Celery's --max-memory-per-child recycles prefork children only; the threads pool runs every
task in the one process. This guard, started when the worker is ready, looks at the process's
resident set every few seconds and, past the ceiling, asks the worker for a warm shutdown (as
SIGTERM does): it stops taking tasks, lets the running ones finish, and exits, for its
supervisor to start a fresh one. Bounded checks keep a worker far below the ceiling; the guard
is for a leak.
"""

import logging
import os
import signal
import threading
from pathlib import Path

logger = logging.getLogger(__name__)


def rss_mb() -> float:
    """This process's resident set size now, from the kernel."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start(limit_mb: int, *, every_seconds: float = 5.0) -> None:
    """Watch this process from a daemon thread; 0 turns the guard off."""
    if limit_mb <= 0:
        return

    def watch():
        while not threading.Event().wait(every_seconds):
            current = rss_mb()
            if current > limit_mb:
                logger.warning(
                    "worker RSS %.0f MB is over WORKER_MAX_RSS_MB=%d: warm shutdown to recycle",
                    current,
                    limit_mb,
                )
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="memory-guard", daemon=True).start()
