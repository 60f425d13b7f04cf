"""Writes of the alerts app: subscriptions, events (the outbox), deliveries and their log."""

import base64
import datetime
import itertools
import json
import logging
import math
import random
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from jurisdictions.models import Jurisdiction, StatusVersion
from jurisdictions.serializers import page_url, status_change_data
from tracker.alerts import email_services, selectors
from tracker.alerts.channels import CHANNELS, Outcome
from tracker.alerts.models import (
    DEFAULT_EVENTS,
    MEASURE_EVENTS,
    Attempt,
    Delivery,
    DeliveryState,
    EmailSubscription,
    Event,
    EventType,
    Subscription,
)
from tracker.lib import http
from tracker.lib.db import write_on_a_live_connection
from tracker.measures.public import measure_data

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 20 * 1024
ROTATION_GRACE = datetime.timedelta(hours=24)
# A retry due sooner than the sweeper's next run goes on the broker with a countdown;
# anything longer waits in the database for the sweeper (never a long broker countdown).
SWEEP_INTERVAL_SECONDS = 60
# A countdown may fire a moment before next_attempt_at on another clock.
CLAIM_SLACK = datetime.timedelta(seconds=1)


# Subscriptions ---------------------------------------------------------------------------


def secret_generate() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def subscription_url_check(*, url: str) -> None:
    """Refuse an endpoint the outbound door would refuse (scheme, non-public address)."""
    try:
        http.destination_validate(url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from None


def _jurisdictions_named(codes: list[str]) -> list[Jurisdiction]:
    codes = [code.strip().upper() for code in codes]
    found = list(Jurisdiction.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {j.code for j in found})
    if missing or not codes:
        raise ValidationError({"follows": f"Unknown jurisdiction codes: {', '.join(missing)}"})
    return found


@transaction.atomic
def subscription_create(
    *,
    url: str,
    follow_codes: list[str],
    event_types: list[str] | None = None,
    description: str = "",
) -> Subscription:
    """A new subscription with a fresh secret (read it once from the returned object)."""
    subscription_url_check(url=url)
    follows = _jurisdictions_named(follow_codes)
    subscription = Subscription(
        url=url,
        description=description,
        event_types=list(event_types or DEFAULT_EVENTS),
        secret=secret_generate(),
    )
    subscription.full_clean()
    subscription.save()
    subscription.follows.set(follows)
    return subscription


def subscription_rotate_secret(*, subscription: Subscription) -> str:
    """A new secret; the old one keeps signing (a second signature) for 24 hours."""
    new = secret_generate()
    Subscription.objects.filter(pk=subscription.pk).update(
        previous_secret=F("secret"),
        previous_secret_expires_at=timezone.now() + ROTATION_GRACE,
        secret=new,
        updated_at=timezone.now(),
    )
    subscription.refresh_from_db()
    return new


def subscription_secrets(*, subscription: Subscription, now: datetime.datetime) -> list[str]:
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret and expires and expires > now:
        return [subscription.secret, subscription.previous_secret]
    return [subscription.secret]


@transaction.atomic
def subscription_disable(*, subscription_id: int, reason: str) -> bool:
    """Disable (once) and stop what is pending for it; True if this call disabled it."""
    now = timezone.now()
    changed = Subscription.objects.filter(pk=subscription_id, enabled=True).update(
        enabled=False, disabled_reason=reason[:500], disabled_at=now, updated_at=now
    )
    if changed:
        Delivery.objects.filter(subscription_id=subscription_id).fail_pending(
            error=f"subscription disabled: {reason}", now=now
        )
    return changed == 1


def subscription_enable(*, subscription: Subscription) -> datetime.datetime | None:
    """Enable again; returns where a replay of what it missed would start (None: nothing)."""
    missed_since = selectors.subscription_missed_since(subscription=subscription)
    Subscription.objects.filter(pk=subscription.pk).update(
        enabled=True, disabled_reason="", disabled_at=None, updated_at=timezone.now()
    )
    subscription.refresh_from_db()
    return missed_since


@transaction.atomic
def subscription_replay(*, subscription: Subscription, since: datetime.datetime) -> int:
    """Send again what failed since `since`, and what it never got; returns how many."""
    if not subscription.enabled:
        raise ValidationError("Enable the subscription before replaying to it.")
    retry, create = selectors.subscription_replay_plan(subscription=subscription, since=since)
    _deliveries_restart(retry)
    created = _deliveries_create([(event, subscription) for event in create])
    return len(retry) + len(created)


@transaction.atomic
def subscription_ping(*, subscription: Subscription) -> Delivery:
    """A `ping` event to this one subscription."""
    event = Event.objects.create(
        type=EventType.PING,
        created_at=timezone.now(),
        data={"subscription_id": subscription.pk, "message": "Test ping from the kratom tracker."},
    )
    return Delivery.objects.get(pk=_deliveries_create([(event, subscription)])[0])


@transaction.atomic
def delivery_resend(*, delivery_id: int) -> None:
    """Send a delivery again from its first attempt (the same webhook-id)."""
    _deliveries_restart([delivery_id])


def _deliveries_create(
    pairs: list[tuple[Event, Subscription | EmailSubscription]],
    due: datetime.datetime | None = None,
) -> list[int]:
    """New deliveries, due now (put on the broker when the transaction commits) or at `due`
    (a digest's time: left to whoever sends the digest then, or to the sweeper a lease later);
    returns their ids.

    One INSERT … SELECT per event and channel: a fan-out to thousands is a statement, not a
    row of Python values per delivery (bulk_create's took most of a status change's commit).
    """
    now = timezone.now()
    owners: dict[tuple[int, type], list[int]] = {}
    for event, owner in pairs:
        owners.setdefault((event.pk, type(owner)), []).append(owner.pk)
    created = []
    for (event_id, owner_type), ids in owners.items():
        for start in range(0, len(ids), INSERT_CHUNK):
            chunk = ids[start : start + INSERT_CHUNK]
            created += _deliveries_insert(event_id, owner_type, chunk, due or now, now)
    if due is None:
        _enqueue_on_commit(created)
    return created


# Owners per statement: under the drivers' limits on parameters (SQLite's 32,766).
INSERT_CHUNK = 10_000


def _deliveries_insert(event_id, owner_type, owner_ids, due, now) -> list[int]:
    adapt = connection.ops.adapt_datetimefield_value
    column = _OWNER_FIELD[owner_type] + "_id"
    other = ({"subscription_id", "email_subscription_id"} - {column}).pop()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Delivery._meta.db_table} (event_id, {column}, {other}, state,"
            " attempts, next_attempt_at, queued_until, last_error, created_at, updated_at)"
            f" SELECT %s, id, NULL, %s, 0, %s, %s, '', %s, %s FROM {owner_type._meta.db_table}"
            f" WHERE id IN ({', '.join(['%s'] * len(owner_ids))}) RETURNING id",
            [Event._meta.pk.get_db_prep_value(event_id, connection), DeliveryState.PENDING]
            + [adapt(moment) for moment in (due, due + _lease(), now, now)]
            + list(owner_ids),
        )
        return [row[0] for row in cursor.fetchall()]


_OWNER_FIELD = {Subscription: "subscription", EmailSubscription: "email_subscription"}


def _deliveries_restart(delivery_ids: list[int]) -> None:
    """Start these deliveries' schedules again from the first attempt."""
    now = timezone.now()
    Delivery.objects.filter(pk__in=delivery_ids).update(
        state=DeliveryState.PENDING,
        attempts=0,
        next_attempt_at=now,
        queued_until=now + _lease(),
        last_error="",
        updated_at=now,
    )
    _enqueue_on_commit(delivery_ids)


# What a person may be mailed about: status changes (status.changed: now in force;
# status.scheduled: confirmed for a future date) and, if they chose them, measures' stages.
EMAILED = {EventType.STATUS_CHANGED, EventType.STATUS_SCHEDULED, *MEASURE_EVENTS}


# Events (called by jurisdictions.services inside the status change's transaction) -------


def _status_data(jurisdiction: Jurisdiction, new: StatusVersion, previous_id: int | None) -> dict:
    previous = StatusVersion.objects.filter(pk=previous_id).first() if previous_id else None
    data = status_change_data(jurisdiction, previous, new)
    if len(json.dumps(data)) > MAX_BODY_BYTES - 1024:
        # Keep the body under the limit: the page the link points to has every citation.
        for key in ("previous", "new"):
            if data[key]:
                data[key]["citations"] = []
                data[key]["citations_omitted"] = True
    return data


def status_event_record(
    *,
    jurisdiction_id: int,
    version: StatusVersion,
    previous_id: int | None,
    became_current: bool,
    **_signal,
) -> Event | None:
    """The event for a version just recorded (status.changed or status.scheduled); receives
    jurisdictions.signals.status_changed (apps.py).

    Nothing is written or enqueued while there is no subscription at all (seeding a fresh
    database stays fast and needs no worker); a disabled one still has its events stored,
    so a replay can send what it missed.
    """
    if not (Subscription.objects.exists() or EmailSubscription.objects.exists()):
        return None
    jurisdiction = selectors.jurisdiction_with_parents(jurisdiction_id=jurisdiction_id)
    event_type = EventType.STATUS_CHANGED if became_current else EventType.STATUS_SCHEDULED
    return _event_record(
        event_type=event_type,
        jurisdiction=jurisdiction,
        version=version,
        data=_status_data(jurisdiction, version, previous_id),
    )


def measure_event_record(*, measure, previous_stage: str, **_signal) -> Event | None:
    """measure.created (no previous stage) or measure.stage_changed for a public measure;
    receives tracker.measures.signals (apps.py), in the measure's transaction. The data is
    the measure in the API's shape, its previous stage and the place's page."""
    if not selectors.measure_events_wanted():
        return None
    jurisdiction = selectors.jurisdiction_with_parents(jurisdiction_id=measure.jurisdiction_id)
    event_type = EventType.MEASURE_STAGE_CHANGED if previous_stage else EventType.MEASURE_CREATED
    data = {
        "jurisdiction": {
            "code": jurisdiction.code,
            "name": jurisdiction.name,
            "level": jurisdiction.level,
        },
        "measure": measure_data(measure),
        "previous_stage": previous_stage or None,
        "url": page_url(jurisdiction),
    }
    return _event_record(event_type=event_type, jurisdiction=jurisdiction, version=None, data=data)


def _event_record(*, event_type: str, jurisdiction: Jurisdiction, version, data: dict) -> Event:
    now = timezone.now()
    event = Event.objects.create(
        type=event_type, jurisdiction=jurisdiction, version=version, data=data, created_at=now
    )
    matching = selectors.subscriptions_matching(jurisdiction=jurisdiction, event_type=event_type)
    _deliveries_create([(event, sub) for sub in matching])
    if event_type in EMAILED:
        now_due, weekly = email_services.email_recipients(event=event)
        _deliveries_create([(event, sub) for sub in now_due])
        _deliveries_create([(event, sub) for sub in weekly], due=email_services.digest_due(now))
    return event


def event_body(*, event: Event) -> bytes:
    """The request body, byte for byte the same on every attempt."""
    envelope = {"type": event.type, "timestamp": event.created_at.isoformat(), "data": event.data}
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


# Sending ----------------------------------------------------------------------------------


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)


def _enqueue_on_commit(delivery_ids: list[int], countdown: float | None = None) -> None:
    if not delivery_ids:
        return
    # robust: a broker outage must not fail the status change that already committed; the
    # error is logged and the sweeper sends these once their queue lease runs out.
    transaction.on_commit(lambda: _enqueue(delivery_ids, countdown), robust=True)


def deliveries_enqueue(delivery_ids: list[int]) -> None:
    """Put these deliveries on the broker now, in this order, when the transaction commits."""
    Delivery.objects.filter(pk__in=delivery_ids).update(queued_until=timezone.now() + _lease())
    _enqueue_on_commit(delivery_ids)


def _enqueue(delivery_ids: list[int], countdown: float | None) -> None:
    from tracker.alerts.tasks import deliveries_send

    size = settings.WEBHOOK_BATCH_SIZE
    for start in range(0, len(delivery_ids), size):
        deliveries_send.apply_async(args=[delivery_ids[start : start + size]], countdown=countdown)


_executor: ThreadPoolExecutor | None = None


def _sender_pool() -> ThreadPoolExecutor:
    """One pool per process: messages in flight are capped per worker, connections reused."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max_workers=settings.WEBHOOK_SEND_CONCURRENCY, thread_name_prefix="alerts"
        )
    return _executor


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


def _claim(delivery_ids: list[int], now: datetime.datetime) -> list[Delivery]:
    """Take the due deliveries among these, with what sending them reads: one worker at a
    time (rows another holds are skipped), a duplicate message no-ops. The rows are read
    with their event and owner in the locking query itself (one round trip fewer)."""
    with transaction.atomic():
        claimed = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                pk__in=delivery_ids,
                state=DeliveryState.PENDING,
                next_attempt_at__lte=now + CLAIM_SLACK,
            )
            .select_related("event", "subscription", "email_subscription")
        )
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
    """One message's outcome, handed over and waiting to be committed."""

    __slots__ = ("message", "outcome", "recorded")

    def __init__(self, message: list[Delivery], outcome: Outcome):
        self.message, self.outcome, self.recorded = message, outcome, False


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
        # One lock; each kind of waiter is woken only when what it waits for may have come.
        lock = threading.Lock()
        self.due = threading.Condition(lock)  # the writing thread: something was handed over
        self.committed = threading.Condition(lock)  # senders: a group was committed
        self.ended = threading.Condition(lock)  # settle(): a call's last message ended
        self.waiting: list[_Handed] = []
        self.thread: threading.Thread | None = None
        self.stopping = False

    def hand(self, sends: Sends, message: list[Delivery], outcome: Outcome | None) -> None:
        """From a sending thread: one message has ended (outcome None: it was not sent).
        Returns once its outcome is committed."""
        with self.due:
            if outcome is not None:
                handed = _Handed(message, outcome)
                self.waiting.append(handed)
                sends.sent += len(message)
                if len(self.waiting) == 1:
                    self.due.notify_all()
                # Not before: a sender that took its next message first would leave one
                # more sent message unrecorded for a kill to have sent again.
                self.committed.wait_for(lambda: handed.recorded)
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
                with self.due:
                    for handed in group:
                        handed.recorded = True
                    self.committed.notify_all()

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
            Attempt.objects.bulk_create(_log_rows(self.deliveries, self.outcomes, self.now))
            _deliveries_update(self.deliveries, self.now)
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


def _deliveries_update(deliveries: list[Delivery], now: datetime.datetime) -> None:
    """One UPDATE per distinct result (all the successes of a batch share one).

    bulk_update's CASE expressions cost more CPU than the requests themselves.
    """
    groups: dict[tuple, list[int]] = {}
    for delivery in deliveries:
        values = tuple(getattr(delivery, name) for name in RESULT_FIELDS)
        groups.setdefault(values, []).append(delivery.pk)
    for values, ids in groups.items():
        # Still pending: a delivery failed meanwhile (its subscription disabled) stays failed.
        Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING).update(
            **dict(zip(RESULT_FIELDS, values, strict=True)), updated_at=now
        )


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


def curators_tell_disabled(subscription: Subscription, reason: str) -> None:
    if not settings.CURATOR_EMAILS:
        logger.warning(
            "Webhook subscription %s disabled (%s); CURATOR_EMAILS is empty", subscription, reason
        )
        return
    mail.send_mail(
        subject=f"Webhook subscription disabled: {subscription.url}",
        message=(
            f"The webhook subscription {subscription} was disabled: {reason}\n\n"
            f"Re-enable it in the admin ({settings.SITE_URL}/admin/alerts/subscription/"
            f"{subscription.pk}/change/) to replay what it missed, or run\n"
            f"  python manage.py webhooks enable {subscription.pk}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=settings.CURATOR_EMAILS,
    )


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
