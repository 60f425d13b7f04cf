"""What the broker-crossing alert tests share: a fan-out to a real receiver, the sweeper run
as beat would (faster), and counting what arrived."""

import collections
import time

from django.db.models import Min

from tests.alerts.conftest import subscribe
from tests.factories import make_jurisdiction, record_status
from tracker.alerts import services
from tracker.alerts.models import Attempt, Event

# Short timeouts and leases so a lost send falls due again within seconds.
FAST_WORKER = {
    "WEBHOOK_TIMEOUT_SECONDS": "2",
    "WEBHOOK_LEASE_SECONDS": "5",
    "WEBHOOK_SEND_CONCURRENCY": "4",
    "WEBHOOK_RETRY_SCHEDULE": "1,1,1",
    "WEBHOOK_RETRY_JITTER": "0",
    "WEBHOOK_OUTCOME_GROUP": "4",  # outcomes committed together, at most
}


def fan_out(receiver, count: int, paths: list[str] | None = None):
    """One event to `count` subscriptions (/s/0, /s/1, …), or to these paths."""
    state = make_jurisdiction("US-FL", name="Florida")
    for path in paths or [f"/s/{number}" for number in range(count)]:
        subscribe(receiver.url(path), "US-FL")
    record_status(state, "banned")  # commits: the deliveries go on the broker
    return Event.objects.get()


def all_delivered(receiver, event, count: int) -> bool:
    with receiver.lock:
        got = {r.path for r in receiver.requests if r.headers["webhook-id"] == event.webhook_id}
    return len(got) == count


def sweep_until(predicate, timeout: float = 60) -> bool:
    """Run the sweeper (as beat would, faster) until predicate() holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        services.deliveries_sweep()
        time.sleep(0.5)
    return predicate()


def sweep_until_delivered(receiver, event, count: int, timeout: float = 60) -> None:
    sweep_until(lambda: all_delivered(receiver, event, count), timeout)


def report(receiver, count: int) -> dict:
    per_path = collections.Counter(receiver.paths())
    duplicates = {path: n for path, n in per_path.items() if n > 1}
    print(f"received {len(per_path)} of {count} subscriptions; duplicates: {duplicates or 'none'}")
    return duplicates


def figures(receiver, event, count: int, *, last_fault: float) -> dict:
    """What a fault test prints: delivered, lost, duplicates, the attempt number of each
    subscription's first recorded request (a POST that was sent) and the seconds from the
    last fault (time.monotonic()) to the last delivery."""
    with receiver.lock:
        requests = [r for r in receiver.requests if r.headers["webhook-id"] == event.webhook_id]
    per_path = collections.Counter(r.path for r in requests)
    first_attempts = collections.Counter(
        Attempt.objects.filter(delivery__event=event)
        .values("delivery")
        .annotate(first=Min("number"))
        .values_list("first", flat=True)
    )
    result = {
        "delivered": len(per_path),
        "lost": count - len(per_path),
        # Requests sent again: received, but not recorded as an attempt (in flight at a kill).
        "duplicates": len(requests) - Attempt.objects.filter(delivery__event=event).count(),
        "first attempt numbers": dict(sorted(first_attempts.items())),
        "seconds from the last fault to the last delivery": round(
            max(r.received_at for r in requests) - last_fault, 1
        ),
    }
    print("; ".join(f"{name}: {value}" for name, value in result.items()))
    return result
