"""API keys for integrators (sellers): a name and contact, stored hashed, revocable."""

from django.conf import settings
from django.db import models
from django.db.models import Q


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
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="apikeys_apikey_revoked_by_whom",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="apikeys_apikey_name_required"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


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
