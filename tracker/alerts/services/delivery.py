"""Sending: claiming deliveries, sending them through their channels, committing their
outcomes (the outcome writer), retries, the sweeper and the log's purge."""

import datetime
import itertools
import logging
import math
import queue
import random
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from tracker.alerts.channels import CHANNELS, Outcome
from tracker.alerts.models import (
    Attempt,
    Delivery,
    DeliveryState,
    Event,
)
from tracker.alerts.services.outbox import _enqueue_on_commit, _lease
from tracker.lib.bulk import arrays_sql, column_values
from tracker.lib.db import write_on_a_live_connection

logger = logging.getLogger(__name__)

# A retry due sooner than the sweeper's next run goes on the broker with a countdown;
# anything longer waits in the database for the sweeper (never a long broker countdown).
SWEEP_INTERVAL_SECONDS = 60
# A countdown may fire a moment before next_attempt_at on another clock.
CLAIM_SLACK = datetime.timedelta(seconds=1)


class _SenderPool:
    """The process's sending threads, taking messages from one queue: messages in flight are
    capped per worker (WEBHOOK_SEND_CONCURRENCY), connections reused by each thread. What a
    ThreadPoolExecutor does, without a Future per message: nobody waits on one, since each
    message hands its outcome to the writer (a tenth of a fan-out's CPU went on them)."""

    def __init__(self, size: int):
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        for number in range(size):
            threading.Thread(target=self._run, name=f"alerts-send-{number}", daemon=True).start()

    def submit(self, send, *args) -> None:
        self.queue.put((send, args))

    def _run(self) -> None:
        while True:
            send, args = self.queue.get()
            try:
                send(*args)
            except Exception:  # a bug in one message must not cost the pool a thread
                logger.exception("Sending a message failed unexpectedly")


_pool: _SenderPool | None = None
_pool_lock = threading.Lock()


def _sender_pool() -> _SenderPool:
    """One pool per process, made by the first batch (two would double what is in flight)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = _SenderPool(settings.WEBHOOK_SEND_CONCURRENCY)
        return _pool


def retry_delay(*, attempts: int, retry_after: float | None = None) -> float | None:
    """Seconds until the next attempt after `attempts` failures; None when all are used up.

    The schedule's delay with jitter; a Retry-After (429/503) is honoured when later than
    that, but never past the schedule's longest delay.
    """
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    if attempts > len(schedule):
        return None
    jitter = settings.WEBHOOK_RETRY_JITTER
    delay = schedule[attempts - 1] * random.uniform(1 - jitter, 1 + jitter)
    if retry_after is not None:
        delay = min(max(delay, retry_after), max(schedule))
    return delay


# An owner's columns that no message reads: its timestamps and bookkeeping cost a claim more
# to load than the deliveries themselves (a test checks that sending never reads them).
OWNER_FIELDS_NOT_SENT = (
    "subscription__description",
    "subscription__event_types",
    "subscription__enabled",
    "subscription__disabled_reason",
    "subscription__disabled_at",
    "subscription__created_at",
    "subscription__updated_at",
    "email_subscription__frequency",
    "email_subscription__measure_stages",
    "email_subscription__confirm_digests",
    "email_subscription__confirmed_at",
    "email_subscription__suppressed_at",
    "email_subscription__suppressed_reason",
    "email_subscription__created_at",
    "email_subscription__updated_at",
)


def _claim(delivery_ids: list[int], now: datetime.datetime) -> list[Delivery]:
    """Take the due deliveries among these, with what sending them reads: one worker at a
    time (rows another holds are skipped), a duplicate message no-ops. The rows are read
    with their owner in the locking query itself (one round trip fewer)."""
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                pk__in=delivery_ids,
                state=DeliveryState.PENDING,
                next_attempt_at__lte=now + CLAIM_SLACK,
            )
            .select_related("subscription", "email_subscription")
            .defer(*OWNER_FIELDS_NOT_SENT)
        )
        # Each event once, not once per delivery: a payload decoded fifty times cost more
        # CPU than the claim's round trips.
        events = Event.objects.in_bulk({delivery.event_id for delivery in claimed})
        for delivery in claimed:
            delivery.event = events[delivery.event_id]
        # The attempt is not counted here but when its request has been sent (its outcome):
        # a claim lost with a killed worker is sent again at the same attempt number.
        Delivery.objects.filter(pk__in=[delivery.pk for delivery in claimed]).update(
            next_attempt_at=now + _lease(), updated_at=now
        )
    return claimed


def deliveries_send(*, delivery_ids: list[int]) -> int:
    """Claim these deliveries and send them concurrently through their channels, handing
    each outcome to the process's outcome writer as its message ends.

    Returns how many were sent. Deliveries not due (sent by another worker, or a stale
    message) are skipped. Where no writer thread runs (a shell, a test), this thread writes
    the outcomes and returns once they are committed.
    """
    now = timezone.now()
    deliveries = _claim(delivery_ids, now)
    if not deliveries:
        return 0
    writer, pool, started = outcome_writer(), _sender_pool(), time.monotonic()
    messages = []
    for channel, group in _by_channel(deliveries).items():
        # A claim lasts one lease; a message started later than this might still be sending
        # when the lease ends and another worker sends the same delivery.
        send_by = started + settings.WEBHOOK_LEASE_SECONDS - CHANNELS[channel].timeout()
        messages += [
            (message, send, send_by) for message, send in CHANNELS[channel].messages(group, now)
        ]
    sends = Sends(left=len(messages))
    for message, send, send_by in messages:
        pool.submit(_send, writer, sends, message, send, send_by)
    writer.settle(sends)
    return sends.sent


def _send(writer: "OutcomeWriter", sends: "Sends", message, send, send_by: float) -> None:
    """Runs on the sender pool. A message not sent (its claim is too old) is handed over
    without an outcome: the sweeper sends it after the lease."""
    outcome = send() if time.monotonic() < send_by else None  # send() never raises
    writer.hand(sends, message, outcome)


def _by_channel(deliveries: list[Delivery]) -> dict[str, list[Delivery]]:
    channels: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        channels.setdefault(delivery.channel, []).append(delivery)
    return channels


# Outcomes -----------------------------------------------------------------------------------


@dataclass
class Sends:
    """One call's messages: how many are still sending, and how many were sent."""

    left: int
    sent: int = 0


class _Handed:
    """One message's outcome, handed over and waiting to be committed. Its sender waits on a
    lock of its own, which the writer releases once the outcome is committed: a condition
    shared by every sender woke them all at each commit, most of them for nothing."""

    __slots__ = ("message", "outcome", "committed")

    def __init__(self, message: list[Delivery], outcome: Outcome):
        self.message, self.outcome = message, outcome
        self.committed = threading.Lock()
        self.committed.acquire()


class OutcomeWriter:
    """Commits the outcomes of a process's messages together (a group commit).

    A sending thread hands its outcome over and waits until it is committed before it takes
    its next message; the writer commits everything handed over (at most `group_max` at a
    time) as soon as its previous commit ends, so the outcomes that end during one commit
    make the next group. A killed worker therefore leaves at most one sent and unrecorded
    message per sending thread: the requests in flight (WEBHOOK_SEND_CONCURRENCY), all that
    the sweeper can send a second time, as when each outcome had a transaction of its own.
    A write that fails on the database (a lost connection, a server down) is tried again,
    on a new connection, until it succeeds: nothing handed over is dropped, and the senders
    wait meanwhile.

    In a Celery worker one thread writes (started when the worker is ready, drained at its
    shutdown); elsewhere the thread that sent the messages writes them (`settle`), in its
    own transaction's view of the database.
    """

    def __init__(self, *, group_max: int):
        self.group_max = group_max
        # One lock, each kind of waiter woken only when what it waits for may have come; a
        # sender waits on its own outcome's lock (_Handed).
        lock = threading.Lock()
        self.due = threading.Condition(lock)  # the writing thread: something was handed over
        self.ended = threading.Condition(lock)  # settle(): a call's last message ended
        self.waiting: list[_Handed] = []
        self.thread: threading.Thread | None = None
        self.stopping = False

    def hand(self, sends: Sends, message: list[Delivery], outcome: Outcome | None) -> None:
        """From a sending thread: one message has ended (outcome None: it was not sent).
        Returns once its outcome is committed."""
        handed = None if outcome is None else _Handed(message, outcome)
        if handed is not None:
            with self.due:
                self.waiting.append(handed)
                sends.sent += len(message)
                if len(self.waiting) == 1:
                    self.due.notify_all()
            # Not before: a sender that took its next message first would leave one more
            # sent message unrecorded for a kill to have sent again.
            handed.committed.acquire()
        with self.due:
            sends.left -= 1
            if sends.left == 0:
                self.ended.notify_all()
                self.due.notify_all()  # a caller writing its own outcomes is done

    def settle(self, sends: Sends) -> None:
        """Return once every message of `sends` has ended and its outcome is committed
        (where no writer thread runs, by this thread writing them)."""
        with self.due:
            if self.thread is not None:
                self.ended.wait_for(lambda: sends.left == 0)
                return
        self._write_until(lambda: sends.left == 0)

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="alerts-outcomes", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self._write_until(lambda: self.stopping)
        finally:
            connections.close_all()  # this thread's own

    def stop(self) -> None:
        """Write what was handed over, then end the thread."""
        with self.due:
            self.stopping = True
            self.due.notify_all()
        if self.thread is not None:
            self.thread.join()
            self.thread = None

    def _write_until(self, finished) -> None:
        while (group := self._next_group(finished)) is not None:
            try:
                self._write([(handed.message, handed.outcome) for handed in group])
            except Exception:  # a bug must not stop the process's writer; the claims expire
                logger.exception("Recording %d delivery outcomes failed", len(group))
            finally:
                for handed in group:
                    handed.committed.release()

    def _next_group(self, finished) -> list[_Handed] | None:
        """What was handed over, at most group_max of it, at once; None when `finished()`
        and nothing waits."""
        with self.due:
            while not self.waiting:
                if finished():
                    return None
                self.due.wait()
            group, self.waiting = self.waiting[: self.group_max], self.waiting[self.group_max :]
            return group

    def _write(self, group: list) -> None:
        write = _OutcomesWrite(group)  # attempts are counted once, however many tries
        # Until the database takes it: these requests were sent, and an outcome not
        # recorded would have them sent again.
        pauses = itertools.chain([0.0, 1.0, 2.0, 5.0, 10.0], itertools.repeat(30.0))
        write_on_a_live_connection(write.commit, what="Recording delivery outcomes", pauses=pauses)
        write.give_up()


_writer: OutcomeWriter | None = None
_writer_lock = threading.Lock()


def outcome_writer() -> OutcomeWriter:
    """The process's outcome writer (without a thread until a worker starts it)."""
    global _writer
    with _writer_lock:
        if _writer is None:
            _writer = OutcomeWriter(group_max=settings.WEBHOOK_OUTCOME_GROUP)
        return _writer


class _OutcomesWrite:
    """The outcome of each message on each of its deliveries, with one retry time per message
    (a digest's deliveries stay together), written in one transaction; then the give-ups."""

    def __init__(self, done: list[tuple[list[Delivery], Outcome]]):
        self.now = now = timezone.now()
        self.give_up_reasons: dict[tuple[str, int], str] = {}
        self.soon: dict[float, list[int]] = {}
        self.deliveries, self.outcomes = [], []
        for group, outcome in done:
            delay = None
            for delivery in group:
                delivery.attempts += 1  # a message was sent, or failed to connect: an attempt
                delivery.last_status_code = outcome.status_code
                delivery.last_error = outcome.error
            attempts = max(delivery.attempts for delivery in group)
            if not outcome.succeeded and not outcome.permanent:
                delay = retry_delay(attempts=attempts, retry_after=outcome.retry_after)
            for delivery in group:
                _schedule(delivery, outcome, delay, now, self.give_up_reasons, self.soon)
                self.deliveries.append(delivery)
                self.outcomes.append(outcome)

    def commit(self) -> None:
        with transaction.atomic():
            _outcomes_record(self.deliveries, _log_rows(self.deliveries, self.outcomes, self.now))
            for delay, ids in self.soon.items():
                _enqueue_on_commit(ids, countdown=delay)

    def give_up(self) -> None:
        for (channel, owner_id), reason in self.give_up_reasons.items():
            CHANNELS[channel].give_up(owner_id, reason)


def _schedule(delivery, outcome: Outcome, delay: float | None, now, give_up: dict, soon: dict):
    """Set a delivery's next state after this outcome: delivered, retried, or failed."""
    if outcome.succeeded:
        delivery.state, delivery.delivered_at = DeliveryState.SUCCEEDED, now
        delivery.next_attempt_at = None
        return
    if delay is None:
        reason = outcome.permanent or (
            f"all {delivery.attempts} attempts of delivery {delivery.pk} failed; "
            f"last: {outcome.error}"
        )
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
        give_up.setdefault((delivery.channel, delivery.owner_id), reason)
        return
    delivery.next_attempt_at = now + datetime.timedelta(seconds=delay)
    if delay < SWEEP_INTERVAL_SECONDS:
        delivery.queued_until = delivery.next_attempt_at + _lease()
        soon.setdefault(round(delay, 1), []).append(delivery.pk)
    else:
        delivery.queued_until = None  # the sweeper sends it when it falls due


RESULT_FIELDS = (
    "state",
    "attempts",
    "next_attempt_at",
    "queued_until",
    "last_status_code",
    "last_error",
    "delivered_at",
)


def _outcomes_record(deliveries: list[Delivery], log_rows: list[Attempt]) -> None:
    """The deliveries' new state and their log rows. A delivery failed meanwhile (its
    subscription disabled) stays failed: only pending ones are updated.

    On PostgreSQL one statement for the whole group (see tracker.lib.bulk); elsewhere one
    UPDATE per distinct result (all the successes of a group share one) and one INSERT.
    """
    if connection.vendor != "postgresql":
        groups: dict[tuple, list[int]] = {}
        for delivery in deliveries:
            values = tuple(getattr(delivery, name) for name in RESULT_FIELDS)
            groups.setdefault(values, []).append(delivery.pk)
        for values, ids in groups.items():
            Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING).update(
                **dict(zip(RESULT_FIELDS, values, strict=True)), updated_at=timezone.now()
            )
        Attempt.objects.bulk_create(log_rows)
        return
    sql, result_fields, log_fields = _outcomes_record_sql()
    params = [
        *column_values(result_fields, deliveries, add=False),
        DeliveryState.PENDING,
        *column_values(log_fields, log_rows, add=True),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@lru_cache(maxsize=1)
def _outcomes_record_sql():
    """(SQL, delivery fields, log fields): the deliveries' UPDATE in a WITH clause, then the
    log rows' INSERT."""
    quote = connection.ops.quote_name
    result_fields = [Delivery._meta.pk] + [
        Delivery._meta.get_field(name) for name in (*RESULT_FIELDS, "updated_at")
    ]
    log_fields = [field for field in Attempt._meta.concrete_fields if not field.primary_key]
    pk, state = quote(Delivery._meta.pk.column), quote(Delivery._meta.get_field("state").column)
    columns = [quote(field.column) for field in result_fields]
    sql = (
        f"WITH delivery_update AS (UPDATE {quote(Delivery._meta.db_table)} AS d "
        f"SET {', '.join(f'{column} = v.{column}' for column in columns[1:])} "
        f"FROM unnest({arrays_sql(result_fields)}) AS v({', '.join(columns)}) "
        f"WHERE d.{pk} = v.{pk} AND d.{state} = %s) "
        f"INSERT INTO {quote(Attempt._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in log_fields)}) "
        f"SELECT * FROM unnest({arrays_sql(log_fields)})"
    )
    return sql, result_fields, log_fields


def _log_rows(deliveries, outcomes, now) -> list[Attempt]:
    return [
        Attempt(
            delivery_id=delivery.pk,
            subscription_id=delivery.subscription_id,
            email_subscription_id=delivery.email_subscription_id,
            number=delivery.attempts,
            attempted_at=now,
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            response_excerpt=outcome.excerpt,
            error=outcome.error,
            succeeded=outcome.succeeded,
        )
        for delivery, outcome in zip(deliveries, outcomes, strict=True)
    ]


# Periodic work ---------------------------------------------------------------------------


def deliveries_sweep(
    *, now: datetime.datetime | None = None, lost_before: datetime.datetime | None = None
) -> int:
    """Put due deliveries that are not on the broker (or whose message was lost) back on it.

    With `lost_before` (a worker reconnected to the broker then, after Redis went away), every
    message put on the broker before that moment is taken as lost, whatever its queue lease
    says: deliveries due within a minute go back at once (a retry with what remains of its
    countdown). A message that was not lost after all only makes a second copy, which finds
    the delivery claimed and does nothing. Claims are left alone: a request in progress is
    never sent twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = _sweepable(now, lost_before).values_list("pk", "next_attempt_at")
        by_countdown: dict[int, list[int]] = {}
        for pk, due in rows[: settings.WEBHOOK_SWEEP_LIMIT]:
            countdown = max(0, math.ceil((due - now).total_seconds()))
            by_countdown.setdefault(countdown, []).append(pk)
        for countdown, ids in by_countdown.items():
            queued_until = now + datetime.timedelta(seconds=countdown) + _lease()
            Delivery.objects.filter(pk__in=ids).update(queued_until=queued_until)
            _enqueue_on_commit(ids, countdown=countdown or None)
    return sum(len(ids) for ids in by_countdown.values())


def _sweepable(now: datetime.datetime, lost_before: datetime.datetime | None):
    pending = Delivery.objects.select_for_update(skip_locked=True).filter(
        state=DeliveryState.PENDING
    )
    if lost_before is None:  # due, and not on the broker (or past its queue lease)
        pending = pending.filter(next_attempt_at__lte=now).filter(
            Q(queued_until__isnull=True) | Q(queued_until__lte=now)
        )
    else:  # due soon, put on the broker before lost_before (queued_until is one lease later)
        soon = now + datetime.timedelta(seconds=SWEEP_INTERVAL_SECONDS)
        pending = pending.filter(next_attempt_at__lte=soon, queued_until__lt=lost_before + _lease())
    return pending.order_by("next_attempt_at")


def attempts_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete delivery log rows older than the retention; returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.WEBHOOK_LOG_RETENTION_DAYS)
    deleted, _ = Attempt.objects.filter(attempted_at__lt=cutoff).delete()
    return deleted
