"""Benchmark: the curators' review pages with a large queue, against a stock admin list.

Run from the project root, with a database and Redis it may use:

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/N \\
        .venv/bin/python tests/bench/bench_review.py [--proposals 2000] [--requests 30]

In one transaction that is rolled back at the end (nothing is left behind), it creates a
jurisdiction (XR), one source with --proposals pending change proposals, and a curator, then
times in-process requests (Django's test client, no network): the review queue (50 rows,
annotated and ordered), a proposal page (side-by-side diff of a ~2,000-line text), two
proposal pages with diffs that were once too slow to open (5,000 changed lines; 3,000 short
repetitive lines), and "next pending" (claim + redirect). The baseline, measured in the same run, is Django's
stock changelist of as many users (100 rows a page); the stock snapshot changelist is shown
for reference. It prints the median and p95 milliseconds per request and the queries per
request. Not collected by pytest.
"""

import argparse
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.update(SECURE_SSL_REDIRECT="0", LOG_LEVEL="WARNING")
for required in ("DATABASE_URL", "REDIS_URL"):
    if required not in os.environ:
        sys.exit(f"set {required} (a PostgreSQL database and a Redis db this run may use)")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from jurisdictions.models import Jurisdiction, Level  # noqa: E402
from jurisdictions.services.curators import curator_create  # noqa: E402
from tracker.monitoring.models import ChangeProposal, Snapshot, Source  # noqa: E402

LINE = "Sec. {n}. A person may not sell a kratom product to a person under {age} years of age."


class Rollback(Exception):
    pass


def build(proposals: int) -> int:
    place = Jurisdiction.objects.create(code="XR", name="Bench land", level=Level.COUNTRY)
    source = Source.objects.create(jurisdiction=place, url="https://bench.example.gov/law")
    texts = [
        "\n".join(LINE.format(n=n, age=18 + v % 4) for n in range(2000)) + f"\n{v}"
        for v in range(proposals + 1)
    ]
    snapshots = Snapshot.objects.bulk_create(
        Snapshot(source=source, content_hash=hashlib.sha256(t.encode()).hexdigest(), text=t)
        for t in texts
    )
    ChangeProposal.objects.bulk_create(
        ChangeProposal(
            source=source,
            old_snapshot=old,
            new_snapshot=new,
            diff="-\n+",
            relevance_score=index % 10,
        )
        for index, (old, new) in enumerate(zip(snapshots, snapshots[1:], strict=False))
    )
    return ChangeProposal.objects.filter(source=source).order_by("id").first().pk


def build_big() -> dict[str, int]:
    """Proposals whose diffs once made the page unopenable: every line of 5,000 changed, and
    3,000 short repetitive lines (difflib's matcher took 31 s on these)."""
    place = Jurisdiction.objects.get(code="XR")
    pairs = {
        "5,000 lines, every one changed": (
            "\n".join(LINE.format(n=n, age=18) for n in range(5000)),
            "\n".join(LINE.format(n=n, age=21) for n in range(5000)),
        ),
        "3,000 short repetitive lines": ("\n".join(["x"] * 3000), "\n".join(["x", "y"] * 1500)),
    }
    ids = {}
    for index, (name, texts) in enumerate(pairs.items()):
        source = Source.objects.create(jurisdiction=place, url=f"https://bench.example.gov/{index}")
        old, new = (
            Snapshot.objects.create(
                source=source, content_hash=hashlib.sha256(t.encode()).hexdigest(), text=t
            )
            for t in texts
        )
        proposal = ChangeProposal.objects.create(
            source=source, old_snapshot=old, new_snapshot=new, diff="-\n+"
        )
        ids[name] = proposal.pk
    return ids


def timed(client: Client, url: str, requests: int, *, follow_status: int = 200) -> dict:
    client.get(url)  # warm
    times, queries = [], 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == follow_status, (url, response.status_code)
        queries = len(captured.captured_queries)
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p95_ms": times[int(len(times) * 0.95) - 1],
        "queries": queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    results = {}
    try:
        with transaction.atomic():
            first = build(args.proposals)
            User.objects.bulk_create(User(username=f"bench-{n}") for n in range(args.proposals))
            user, _ = curator_create(username="bench-curator", email="b@example.org", password=None)
            user.is_superuser = True  # the stock user list needs more than a curator may see
            user.save(update_fields=["is_superuser"])
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            results["baseline: stock user changelist"] = timed(
                client, reverse("admin:auth_user_changelist"), args.requests
            )
            results["stock snapshot changelist (for reference)"] = timed(
                client, reverse("admin:monitoring_snapshot_changelist"), args.requests
            )
            results["review queue (50 rows)"] = timed(
                client, reverse("admin:monitoring_changeproposal_changelist"), args.requests
            )
            results["proposal page (2,000-line diff)"] = timed(
                client,
                reverse("admin:monitoring_changeproposal_change", args=[first]),
                args.requests,
            )
            for name, proposal_id in build_big().items():
                results[f"proposal page ({name})"] = timed(
                    client,
                    reverse("admin:monitoring_changeproposal_change", args=[proposal_id]),
                    max(3, args.requests // 3),
                )
            results["next pending (claim + redirect)"] = timed(
                client,
                reverse("admin:monitoring_changeproposal_next"),
                args.requests,
                follow_status=302,
            )
            raise Rollback
    except Rollback:
        pass
    print(f"{args.proposals} pending proposals, {args.requests} requests each, in-process")
    for name, figures in results.items():
        print(
            f"{name:58s} median {figures['median_ms']:7.1f} ms  p95 {figures['p95_ms']:7.1f} ms"
            f"  {figures['queries']} queries"
        )


if __name__ == "__main__":
    main()
