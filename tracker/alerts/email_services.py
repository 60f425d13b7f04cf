"""Email alerts for the public: confirmed opt-in, who is mailed about a change, the weekly
digest, managing and leaving. Sending goes through the delivery engine (services.py) and
the email channel (channels.py)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from jurisdictions.models import Category, Jurisdiction
from jurisdictions.selectors import FEDERAL_CODE, ZipMalformed, ZipUnknown, zip_lookup
from tracker.alerts.models import (
    MEASURE_EVENTS,
    ConfirmationMails,
    Delivery,
    DeliveryState,
    EmailSubscription,
    Event,
    Frequency,
)
from tracker.lib.ratelimit import address_limit_hit
from tracker.lib.signed_links import link_digest, link_load

LINK_SALT = "alerts.email.confirm"
# The weekly digest goes out on Monday at 08:00 (TIME_ZONE); tracker/celery.py's beat entry
# runs email_digests_send then.
DIGEST_WEEKDAY, DIGEST_HOUR = 0, 8


class LinkInvalid(Exception):
    """An altered or expired confirmation link."""


class LinkUsed(Exception):
    """A confirmation link opened a second time."""


@dataclass
class AlertRequest:
    email: str
    codes: list[str]
    zip_code: str
    categories: list[str]
    frequency: str
    # A default, so a link mailed before this choice existed still reads.
    measure_stages: bool = False


# Places ---------------------------------------------------------------------------------


def email_places(*, codes: list[str], zip_code: str = "") -> list[Jurisdiction]:
    """The places a request follows: the codes named, and for a ZIP every place that answers
    for it (state, counties, cities) and the federal level. ValidationError when unknown."""
    places = list(Jurisdiction.objects.filter(code__in=codes))
    if len(places) != len(set(codes)):
        raise ValidationError("That place is not one this site covers.")
    if zip_code:
        try:
            answer = zip_lookup(zip_code=zip_code)
        except (ZipMalformed, ZipUnknown) as exc:
            raise ValidationError(str(exc)) from None
        places += [p.jurisdiction for p in answer.places if p.jurisdiction]
        places += list(Jurisdiction.objects.filter(code=FEDERAL_CODE))
    if not places:
        raise ValidationError("Choose a place or a ZIP code.")
    return list({place.pk: place for place in places}.values())


# Confirmed opt-in ------------------------------------------------------------------------


def email_subscribe_request(*, request: AlertRequest) -> bool:
    """Mail a confirmation link for these alerts; nothing is stored until it is opened.

    False (and nothing sent) when the address has asked EMAIL_ALERT_ADDRESS_LIMIT times
    today, or its mail was refused for good (suppressed). The caller answers the same either
    way, as it does whether or not the address already has alerts. SMTP errors propagate.
    """
    email = request.email.strip()
    email_places(codes=request.codes, zip_code=request.zip_code)  # refuse unknown places
    over = address_limit_hit(
        bucket="alerts-address", email=email, limit=settings.EMAIL_ALERT_ADDRESS_LIMIT
    )
    suppressed = EmailSubscription.objects.filter(
        email__iexact=email, suppressed_at__isnull=False
    ).exists()
    if over or suppressed:
        return False
    token = signing.dumps({**request.__dict__, "email": email}, salt=LINK_SALT)
    context = {
        "link": settings.SITE_URL + reverse("alerts:confirm", args=[token]),
        "hours": settings.EMAIL_ALERT_LINK_MAX_AGE // 3600,
    }
    body = render_to_string("alerts/email/confirm.txt", context)
    send_mail("Confirm your kratom law alerts", body, None, [email])
    _confirmation_mail_count()
    return True


def _confirmation_mail_count() -> None:
    day = timezone.localdate()
    updated = ConfirmationMails.objects.filter(day=day).update(sent=F("sent") + 1)
    if not updated:
        try:
            with transaction.atomic():
                ConfirmationMails.objects.create(day=day, sent=1)
        except IntegrityError:  # created meanwhile by another request
            ConfirmationMails.objects.filter(day=day).update(sent=F("sent") + 1)


def email_request_read(*, token: str) -> AlertRequest:
    """What a confirmation link asks for; LinkInvalid when altered or expired."""
    data = link_load(token, salt=LINK_SALT, max_age=settings.EMAIL_ALERT_LINK_MAX_AGE)
    if data is None:
        raise LinkInvalid
    return AlertRequest(**data)


def email_subscription_confirm(*, token: str) -> EmailSubscription:
    """The alerts a confirmation link asks for, made (or added to the address's alerts) once:
    the link's hash is kept on the subscription, so opening it again is LinkUsed."""
    request = email_request_read(token=token)
    digest = link_digest(token)
    places = email_places(codes=request.codes, zip_code=request.zip_code)
    try:
        with transaction.atomic():
            subscription = (
                EmailSubscription.objects.select_for_update()
                .filter(email__iexact=request.email)
                .first()
            )
            if subscription and digest in subscription.confirm_digests:
                raise LinkUsed
            subscription = subscription or EmailSubscription(email=request.email)
            subscription.categories = request.categories
            subscription.frequency = request.frequency
            subscription.measure_stages = request.measure_stages
            subscription.confirm_digests = [*subscription.confirm_digests, digest][-20:]
            subscription.confirmed_at = timezone.now()
            subscription.full_clean(validate_constraints=False)
            subscription.save()
            subscription.follows.add(*places)
            return subscription
    except IntegrityError:  # the same address confirmed twice at once
        raise LinkUsed from None


# Managing and leaving ---------------------------------------------------------------------


def email_subscription_update(
    *,
    subscription: EmailSubscription,
    codes: list[str],
    categories: list[str],
    frequency: str,
    measure_stages: bool,
) -> EmailSubscription:
    places = email_places(codes=codes)
    subscription.categories, subscription.frequency = categories, frequency
    subscription.measure_stages = measure_stages
    subscription.full_clean(validate_constraints=False)
    with transaction.atomic():
        subscription.save()
        subscription.follows.set(places)
    return subscription


def email_subscription_delete(*, key) -> bool:
    """Delete the alerts (the address with them, and what was waiting to be sent)."""
    deleted, _ = EmailSubscription.objects.filter(key=key).delete()
    return deleted > 0


@transaction.atomic
def email_suppress(*, subscription_id: int, reason: str) -> bool:
    """Send nothing more to this address (its mail server refused it for good)."""
    now = timezone.now()
    changed = EmailSubscription.objects.filter(
        pk=subscription_id, suppressed_at__isnull=True
    ).update(suppressed_at=now, suppressed_reason=reason[:500] or "suppressed", updated_at=now)
    Delivery.objects.filter(email_subscription_id=subscription_id).fail_pending(
        error=f"address suppressed: {reason}", now=now
    )
    return changed == 1


def email_provider_report(*, kind: str, recipient: str, description: str) -> int:
    """A hosted provider reports a permanent bounce or a spam complaint for an address (its
    tracking webhook): suppress every subscription with that address. Returns how many."""
    ids = EmailSubscription.objects.filter(email__iexact=recipient.strip()).values_list(
        "pk", flat=True
    )
    reason = f"{kind} (reported by the mail provider)" + (f": {description}" if description else "")
    return sum(email_suppress(subscription_id=pk, reason=reason) for pk in ids)


# Who is mailed about a change, and when ---------------------------------------------------


def touched_categories(data: dict) -> set[str]:
    """The product categories whose rule (scope, age or limit) a change touches; every one
    for a place's first status."""
    if not data["previous"]:
        return set(Category.values)
    before, after = data["previous"]["rules"], data["new"]["rules"]
    return {category for category in Category.values if before[category] != after[category]}


def measure_touched_categories(data: dict) -> set[str]:
    """The product categories a measure would change, or may (not yet known): those /pending/
    lists it under."""
    changes = data["measure"]["would_change"]
    return {category for category in Category.values if changes[category] != "unchanged"}


def email_recipients(*, event: Event) -> tuple[list[EmailSubscription], list[EmailSubscription]]:
    """The live subscriptions that follow this place and one of the categories the change
    touches (for a bill's or rule's stage, those that chose stages): those mailed now, and
    those waiting for the weekly digest."""
    measure = event.type in MEASURE_EVENTS
    touched = (measure_touched_categories if measure else touched_categories)(event.data)
    if not touched:
        return [], []
    # Only what is read here: a federal change may concern every ZIP subscriber.
    candidates = EmailSubscription.objects.filter(
        follows=event.jurisdiction_id, suppressed_at__isnull=True
    ).only("pk", "categories", "frequency")
    if measure:
        candidates = candidates.filter(measure_stages=True)
    matching = [s for s in candidates if touched & set(s.categories)]
    now = [s for s in matching if s.frequency == Frequency.IMMEDIATE]
    weekly = [s for s in matching if s.frequency == Frequency.WEEKLY]
    return now, weekly


def digest_due(now: datetime.datetime) -> datetime.datetime:
    """The next digest time after `now` (Monday 08:00 in TIME_ZONE)."""
    local = timezone.localtime(now)
    days = (DIGEST_WEEKDAY - local.weekday()) % 7
    due = (local + datetime.timedelta(days=days)).replace(
        hour=DIGEST_HOUR, minute=0, second=0, microsecond=0
    )
    return due if due > local else due + datetime.timedelta(days=7)


def email_digests_send(*, now: datetime.datetime | None = None) -> int:
    """Put the due digest deliveries on the broker, each subscriber's together (one mail);
    returns how many subscribers. What this misses, the sweeper sends a lease later."""
    from tracker.alerts.services import deliveries_enqueue

    now = now or timezone.now()
    rows = (
        Delivery.objects.filter(
            state=DeliveryState.PENDING,
            attempts=0,
            next_attempt_at__lte=now,
            queued_until__gt=now,
            email_subscription__frequency=Frequency.WEEKLY,
        )
        .order_by("email_subscription_id", "pk")
        .values_list("email_subscription_id", "pk")
    )
    by_subscriber: dict[int, list[int]] = {}
    for subscriber, pk in rows:
        by_subscriber.setdefault(subscriber, []).append(pk)
    chunk: list[int] = []
    for ids in by_subscriber.values():
        if chunk and len(chunk) + len(ids) > settings.WEBHOOK_BATCH_SIZE:
            _enqueue_now(chunk, deliveries_enqueue)
            chunk = []
        chunk += ids
    _enqueue_now(chunk, deliveries_enqueue)
    return len(by_subscriber)


def _enqueue_now(ids: list[int], enqueue) -> None:
    if ids:
        with transaction.atomic():
            enqueue(ids)
