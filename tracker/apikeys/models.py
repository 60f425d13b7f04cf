"""API keys for integrators (sellers): a name and contact, stored hashed, revocable; made by
an operator or by the seller (self-serve, after confirming their address)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """An integrator's key. Only its SHA-256 and its public prefix are stored."""

    name = models.CharField(max_length=200, help_text="Who uses the key, e.g. the shop's name.")
    contact = models.EmailField(help_text="Whom to write to about the key.")
    # The first characters of the key ("kt_" and 8 more): shown, so a key can be recognised.
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Empty when made from the command line without --by.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Requests (batch items) a day (UTC) the key may make; empty: no daily quota.
    daily_quota = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Requests a day (UTC), each batch item counting. Empty: no daily quota.",
    )
    # A self-serve key: the SHA-256 of the confirmation link that made it (so a link makes
    # one key only). Empty for a key an operator made.
    request_digest = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        constraints = [
            # Revoked by someone only if revoked. A self-serve key replaced by its holder's
            # next one is revoked by no one; an operator may revoke any key.
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=False) | Q(revoked_by__isnull=True),
                name="apikeys_apikey_revoked_by_whom",
            ),
            # One active self-serve key per address: a new one replaces it.
            models.UniqueConstraint(
                Lower("contact"),
                condition=Q(request_digest__isnull=False, revoked_at__isnull=True),
                name="apikeys_apikey_one_self_serve_per_address",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="apikeys_apikey_name_required"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def self_serve(self) -> bool:
        return self.request_digest is not None


class ApiKeyUsage(models.Model):
    """Requests made with a key on one day (UTC); a batch counts each of its items."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    requests = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["key", "day"], name="apikeys_usage_one_row_per_day")
        ]

    def __str__(self):
        return f"{self.day}: {self.requests}"
