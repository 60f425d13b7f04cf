"""Reads of the alerts app: who follows what, what a subscription missed."""

import datetime

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from jurisdictions.models import Category, Jurisdiction
from tracker.alerts.models import (
    ConfirmationMails,
    Delivery,
    DeliveryState,
    EmailSubscription,
    Event,
    EventType,
    Subscription,
)

# The admin's confirmation rate: subscriptions made of confirmation mails sent, lately.
FIGURES_DAYS = 30

# Country > state > county > city: three parents at most.
PARENT_PATH = "parent__parent__parent"


def jurisdiction_ancestor_codes(*, jurisdiction: Jurisdiction) -> set[str]:
    """The codes that cover a jurisdiction: itself, its parents, and its code's prefixes.

    US-CA-SAN-DIEGO is covered by US-CA-SAN-DIEGO, US-CA and US (and by its parent in the
    tree, should that ever differ from the code).
    """
    parts = jurisdiction.code.split("-")
    codes = {"-".join(parts[:length]) for length in range(1, len(parts) + 1)}
    node = jurisdiction
    for _level in range(3):
        node = node.parent if node.parent_id else None
        if node is None:
            break
        codes.add(node.code)
    return codes


def jurisdiction_with_parents(*, jurisdiction_id: int) -> Jurisdiction:
    return Jurisdiction.objects.select_related(PARENT_PATH).get(pk=jurisdiction_id)


def subscriptions_matching(*, jurisdiction: Jurisdiction, event_type: str) -> list[Subscription]:
    """Enabled subscriptions that follow the jurisdiction (or one above it) and the type."""
    codes = jurisdiction_ancestor_codes(jurisdiction=jurisdiction)
    candidates = Subscription.objects.filter(enabled=True, follows__code__in=codes).distinct()
    # event_types is a short JSON list; filtered here so SQLite and PostgreSQL agree.
    return [sub for sub in candidates if event_type in sub.event_types]


def measure_events_wanted() -> bool:
    """Whether any subscription could receive a measure event: one webhook subscription, or
    one email subscription that chose stages (otherwise none is stored)."""
    return (
        Subscription.objects.exists()
        or EmailSubscription.objects.filter(measure_stages=True).exists()
    )


def subscriptions_list() -> QuerySet[Subscription]:
    """Subscriptions with what they follow and their delivery counts, in a fixed number of queries."""
    return Subscription.objects.prefetch_related("follows").annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
        failed_count=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
    )


def subscription_replay_plan(
    *, subscription: Subscription, since: datetime.datetime
) -> tuple[list[int], list[Event]]:
    """What a replay would send: failed deliveries to retry, and events never delivered to it.

    Events since `since` that the subscription follows (by jurisdiction and type); those it
    already received, or has pending, are left alone.
    """
    followed = set(subscription.follows.values_list("code", flat=True))
    events = (
        Event.objects.filter(created_at__gte=since, type__in=subscription.event_types)
        .exclude(type=EventType.PING)
        .select_related(f"jurisdiction__{PARENT_PATH}")
        .order_by("created_at")
    )
    existing = dict(
        Delivery.objects.filter(
            subscription=subscription, event__created_at__gte=since
        ).values_list("event_id", "id")
    )
    failed = set(
        Delivery.objects.filter(
            subscription=subscription, state=DeliveryState.FAILED, event__created_at__gte=since
        ).values_list("id", flat=True)
    )
    retry, create = [], []
    for event in events:
        if not followed & jurisdiction_ancestor_codes(jurisdiction=event.jurisdiction):
            continue
        delivery_id = existing.get(event.id)
        if delivery_id is None:
            create.append(event)
        elif delivery_id in failed:
            retry.append(delivery_id)
    return retry, create


def subscription_missed_since(*, subscription: Subscription) -> datetime.datetime | None:
    """Where a replay should start after a disablement: the oldest event it failed to get."""
    oldest_failed = (
        Delivery.objects.filter(subscription=subscription, state=DeliveryState.FAILED)
        .order_by("event__created_at")
        .values_list("event__created_at", flat=True)
        .first()
    )
    candidates = [when for when in (oldest_failed, subscription.disabled_at) if when]
    return min(candidates) if candidates else None


def subscription_missed(*, subscription: Subscription) -> tuple[datetime.datetime | None, int]:
    """Where a replay would start for a disabled subscription, and how much it would send."""
    since = subscription_missed_since(subscription=subscription)
    if since is None:
        return None, 0
    retry, create = subscription_replay_plan(subscription=subscription, since=since)
    return since, len(retry) + len(create)


def email_alert_figures() -> dict:
    """For the admin: live email subscribers per place and per category, how many confirmed
    (of the confirmation mails sent), how many mails bounced, and the last sends."""
    live = Q(suppressed_at__isnull=True)
    since = timezone.now() - datetime.timedelta(days=FIGURES_DAYS)
    # One pass over the subscriptions and one over the mails, each counting all it can.
    counts = EmailSubscription.objects.aggregate(
        subscribers=Count("pk"),
        suppressed=Count("pk", filter=~live),
        measure_stages=Count("pk", filter=live & Q(measure_stages=True)),
        confirmed=Count("pk", filter=Q(created_at__gte=since)),
        **{
            value: Count("pk", filter=live & Q(categories__contains=[value]))
            for value in Category.values
        },
    )
    per_category = {Category(value).label: counts.pop(value) for value in Category.values}
    per_place = (
        EmailSubscription.follows.through.objects.filter(
            emailsubscription__suppressed_at__isnull=True
        )
        .values("jurisdiction__code", "jurisdiction__name")
        .annotate(subscribers=Count("emailsubscription"))
        .order_by("-subscribers", "jurisdiction__code")
    )
    requested = ConfirmationMails.objects.filter(day__gte=since.date()).aggregate(n=Sum("sent"))
    mails = Delivery.objects.filter(email_subscription__isnull=False, attempts__gt=0)
    sends = mails.aggregate(
        sent=Count("pk"),
        bounced=Count("pk", filter=Q(state=DeliveryState.FAILED)),
        last_send_at=Max("updated_at"),
    )
    return {
        "per_category": per_category,
        "per_place": per_place,
        **counts,
        **sends,
        "confirmation_mails": requested["n"] or 0,
        "days": FIGURES_DAYS,
        "last_sends": mails.order_by("-updated_at").select_related("event__jurisdiction")[:10],
    }
