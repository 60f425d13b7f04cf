"""The outbox: events recorded with the change that caused them, and the deliveries
they make, put on the broker once their transaction commits."""

import datetime
import json
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from jurisdictions.models import Jurisdiction, StatusVersion
from jurisdictions.serializers import page_url, status_change_data
from tracker.alerts import email_services, selectors
from tracker.alerts.models import (
    MEASURE_EVENTS,
    Delivery,
    DeliveryState,
    EmailSubscription,
    Event,
    EventType,
    Subscription,
)
from tracker.measures.public import measure_data

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 20 * 1024


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
