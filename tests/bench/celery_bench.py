"""What the worker benchmarks share: a real Celery worker, its peak memory, and removing the
rows a run made under its jurisdiction code. Imported by the scripts after they have set
the environment (nothing here reads the settings at import)."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def start_worker(concurrency: int, *, name: str, loglevel: str = "WARNING") -> subprocess.Popen:
    """A threads-pool worker named `name` (for app.control), once it answers a ping."""
    from tracker.celery import app

    command = [
        sys.executable, "-m", "celery", "-A", "tracker", "worker", "--pool", "threads",
        "--concurrency", str(concurrency), "--hostname", name, "--loglevel", loglevel,
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(destination=[name], timeout=0.5):
            return process
        if process.poll() is not None:
            sys.exit("the Celery worker exited at start")
    sys.exit("the Celery worker did not answer within 60 s")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_rows_delete(code: str) -> None:
    """Everything a run made under the benchmark's own jurisdiction `code`."""
    from jurisdictions.models import Jurisdiction
    from tracker.monitoring.models import ChangeProposal, Check, Snapshot, Source

    ChangeProposal.objects.filter(source__jurisdiction__code=code).delete()
    Check.objects.filter(source__jurisdiction__code=code).delete()
    Source.objects.filter(jurisdiction__code=code).update(current_snapshot=None, current_hash="")
    Snapshot.objects.filter(source__jurisdiction__code=code).delete()
    Source.objects.filter(jurisdiction__code=code).delete()
    Jurisdiction.objects.filter(code=code).delete()
