"""Webhook subscriptions: creating them, their secrets, pausing, replaying; telling
curators when one is disabled."""

import base64
import datetime
import logging
import secrets

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jurisdictions.models import Jurisdiction
from tracker.alerts import selectors
from tracker.alerts.models import (
    DEFAULT_EVENTS,
    Delivery,
    Event,
    EventType,
    Subscription,
)
from tracker.alerts.services.outbox import _deliveries_create, _deliveries_restart
from tracker.lib import http

logger = logging.getLogger(__name__)

ROTATION_GRACE = datetime.timedelta(hours=24)


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
