"""Writes on API keys: create (the plain key is returned once, never stored), revoke, count use."""

import hashlib
import secrets
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from tracker.apikeys.models import ApiKey

KEY_PREFIX = "kt_"
PREFIX_LENGTH = len(KEY_PREFIX) + 8


def key_hash(plain: str) -> str:
    # A key is 256 random bits, so a fast hash is as safe as a slow one and keeps the
    # per-request lookup cheap; a password hasher is for guessable secrets.
    return hashlib.sha256(plain.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    plain: str  # shown to the curator once, then gone


@transaction.atomic
def apikey_create(*, actor, name: str, contact: str) -> CreatedKey:
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name.strip(),
        contact=contact.strip(),
        prefix=plain[:PREFIX_LENGTH],
        key_hash=key_hash(plain),
        created_by=actor,
    )
    key.full_clean()
    key.save()
    return CreatedKey(key=key, plain=plain)


def apikey_revoke(*, actor, key_id: int) -> bool:
    """Revoke a key; False when it was already revoked. Takes effect on the next request."""
    updated = ApiKey.objects.filter(pk=key_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    return bool(updated)


def apikey_usage_count(*, key_id: int, requests: int = 1) -> None:
    """Add to today's count in one statement (an upsert), so concurrent requests all count."""
    table = "apikeys_apikeyusage"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key_id, day, requests) VALUES (%s, %s, %s) "
            f"ON CONFLICT (key_id, day) DO UPDATE SET requests = {table}.requests + EXCLUDED.requests",
            [key_id, timezone.now().date(), requests],
        )
