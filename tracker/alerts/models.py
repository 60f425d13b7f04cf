import base64
import binascii
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

SECRET_PREFIX = "whsec_"
SECRET_MIN_BYTES, SECRET_MAX_BYTES = 24, 64


class EventType(models.TextChoices):
    STATUS_CHANGED = "status.changed", "A status became current"
    STATUS_SCHEDULED = "status.scheduled", "A future status change was confirmed"
    MEASURE_CREATED = "measure.created", "A public measure appeared"
    MEASURE_STAGE_CHANGED = "measure.stage_changed", "A public measure moved to another stage"
    PING = "ping", "Test ping"


# What a subscription gets unless it chooses: the status events. Measure events go only to
# subscriptions that ask for them (a measure is not law, and older receivers expect none).
DEFAULT_EVENTS = [EventType.STATUS_CHANGED, EventType.STATUS_SCHEDULED]
# A bill or rule that appeared or moved: sent to webhooks and email alerts that chose it.
MEASURE_EVENTS = [EventType.MEASURE_CREATED, EventType.MEASURE_STAGE_CHANGED]
# What a subscription may choose; a ping goes to the one subscription it is sent to.
SUBSCRIBABLE = [*DEFAULT_EVENTS, *MEASURE_EVENTS]


def secret_key_bytes(secret: str) -> bytes:
    """The HMAC key of a `whsec_` secret: the base64-decoded part after the prefix."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValidationError(f"A signing secret starts with {SECRET_PREFIX}.")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except binascii.Error:
        raise ValidationError("A signing secret is whsec_ and base64.") from None
    if not SECRET_MIN_BYTES <= len(key) <= SECRET_MAX_BYTES:
        raise ValidationError(
            f"A signing secret holds {SECRET_MIN_BYTES} to {SECRET_MAX_BYTES} bytes."
        )
    return key


class Subscription(models.Model):
    url = models.URLField("endpoint URL", max_length=1000)
    description = models.CharField(max_length=200, blank=True)
    follows = models.ManyToManyField(
        "jurisdictions.Jurisdiction",
        related_name="+",
        help_text="A state includes its counties and cities; US includes everything in the US.",
    )
    event_types = models.JSONField(
        default=list,
        help_text="status.changed, status.scheduled; measure.created, measure.stage_changed "
        "only when chosen",
    )
    secret = models.CharField(max_length=120, editable=False)
    # During a rotation the old secret still signs (a second signature) until it expires.
    previous_secret = models.CharField(max_length=120, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enabled=True) | ~Q(disabled_reason=""),
                name="alerts_subscription_disabled_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(secret__startswith=SECRET_PREFIX),
                name="alerts_subscription_secret_format",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.url}"

    def clean(self):
        unknown = set(self.event_types) - set(SUBSCRIBABLE)
        if not self.event_types or unknown:
            raise ValidationError(
                {"event_types": f"Choose from {', '.join(SUBSCRIBABLE)}; not {sorted(unknown)}."}
            )
        if self.secret:
            secret_key_bytes(self.secret)


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "Every change as it is confirmed"
    WEEKLY = "weekly", "A weekly digest"


def all_categories() -> list[str]:
    from jurisdictions.models import Category

    return list(Category.values)


class EmailSubscription(models.Model):
    """A person's email alerts. A row exists only once its owner opened the confirmation
    link (nothing is kept of an unconfirmed request), and deleting it removes the address."""

    email = models.EmailField(max_length=254)
    follows = models.ManyToManyField(
        "jurisdictions.Jurisdiction",
        related_name="+",
        help_text="Each place's own changes (a ZIP adds every place that answers for it).",
    )
    categories = models.JSONField(default=all_categories)
    frequency = models.CharField(
        max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    # Bills and rules about its places as they move (measure events): only when chosen, as
    # for webhooks (a measure is not law).
    measure_stages = models.BooleanField("bills and rules as they move", default=False)
    # The secret of the manage and unsubscribe links in every mail (no login, no cookie).
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # sha256 of the confirmation link that made or last changed it: a link works once.
    confirm_digests = models.JSONField(default=list, editable=False)
    confirmed_at = models.DateTimeField()
    # A permanent failure (SMTP 5xx, or every retry used up): nothing more is sent to it.
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        permissions = [("view_email_address", "Can see subscribers' email addresses")]
        constraints = [
            # One subscription per address: a second confirmed request changes the first.
            models.UniqueConstraint(
                Lower("email"), name="alerts_emailsubscription_one_per_address"
            ),
            models.CheckConstraint(
                condition=Q(suppressed_at__isnull=True) | ~Q(suppressed_reason=""),
                name="alerts_emailsubscription_suppressed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values),
                name="alerts_emailsubscription_frequency_valid",
            ),
        ]

    def __str__(self):
        return f"email subscription #{self.pk}"

    def clean(self):
        unknown = set(self.categories) - set(all_categories())
        if not self.categories or unknown:
            raise ValidationError({"categories": "Choose at least one known product category."})


class ConfirmationMails(models.Model):
    """Confirmation mails sent per day (no addresses): the admin's confirmation rate."""

    day = models.DateField(unique=True)
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "confirmation mails"

    def __str__(self):
        return f"{self.day}: {self.sent}"


class Event(models.Model):
    """The outbox: every event is stored, whoever (if anyone) it is delivered to."""

    # The webhook-id: the same on every retry, so receivers can de-duplicate on it.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=32, choices=EventType.choices)
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.ForeignKey(
        "jurisdictions.StatusVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    data = models.JSONField()
    # Indexed for replays: events created since a date.
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=EventType.values), name="alerts_event_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(type=EventType.PING) | Q(jurisdiction__isnull=False),
                name="alerts_event_status_names_jurisdiction",
            ),
        ]

    def __str__(self):
        return f"{self.type} {self.webhook_id}"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.id.hex}"


class Channel(models.TextChoices):
    WEBHOOK = "webhook", "Webhook"
    EMAIL = "email", "Email"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class DeliveryQuerySet(models.QuerySet):
    def fail_pending(self, *, error: str, now) -> int:
        """Fail what is still pending of these (its owner stopped): nothing more is sent."""
        return self.filter(state=DeliveryState.PENDING).update(
            state=DeliveryState.FAILED,
            next_attempt_at=None,
            last_error=error[:2000],
            updated_at=now,
        )


class Delivery(models.Model):
    """One event to one subscription (a webhook's or an email's), with its retry schedule
    kept here, not in the broker."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    email_subscription = models.ForeignKey(
        EmailSubscription,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # Due when next_attempt_at has passed. Claiming pushes it one lease ahead, so a worker
    # that dies mid-send leaves a delivery that falls due again.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set when a message is put on the broker; the sweeper leaves it alone until then.
    queued_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"], name="alerts_delivery_one_per_subscription"
            ),
            models.UniqueConstraint(
                fields=["event", "email_subscription"],
                name="alerts_delivery_one_per_email_subscription",
            ),
            models.CheckConstraint(
                condition=Q(subscription__isnull=False, email_subscription__isnull=True)
                | Q(subscription__isnull=True, email_subscription__isnull=False),
                name="alerts_delivery_one_channel",
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="alerts_delivery_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.PENDING) | Q(next_attempt_at__isnull=False),
                name="alerts_delivery_pending_is_scheduled",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SUCCEEDED) | Q(delivered_at__isnull=False),
                name="alerts_delivery_succeeded_has_time",
            ),
        ]
        indexes = [
            # The sweeper: state = 'pending' AND next_attempt_at <= now ORDER BY next_attempt_at.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="alerts_delivery_due_idx",
            ),
        ]

    def __str__(self):
        return f"{self.event} to {self.subscription or self.email_subscription}"

    @property
    def channel(self) -> str:
        return Channel.WEBHOOK if self.subscription_id else Channel.EMAIL

    @property
    def owner_id(self) -> int:
        return self.subscription_id or self.email_subscription_id


class Attempt(models.Model):
    """The delivery log: one row per request sent (or refused before it was sent)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="log"
    )
    email_subscription = models.ForeignKey(
        EmailSubscription, null=True, blank=True, on_delete=models.CASCADE, related_name="log"
    )
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-attempted_at"]
        indexes = [
            # The subscription's log in the admin, newest first.
            models.Index(fields=["subscription", "-attempted_at"], name="alerts_attempt_log_idx"),
            # The purge: attempted_at < now - retention.
            models.Index(fields=["attempted_at"], name="alerts_attempt_purge_idx"),
        ]

    def __str__(self):
        return f"attempt {self.number} of {self.delivery_id}"
