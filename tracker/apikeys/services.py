"""Writes on API keys: create (the plain key is returned once, never stored), revoke, count use,
and the self-serve request: a signed link by mail, then a key for whoever opens it."""

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tracker.apikeys.models import ApiKey
from tracker.lib.ratelimit import address_limit_hit
from tracker.lib.signed_links import link_digest, link_load

KEY_PREFIX = "kt_"
PREFIX_LENGTH = len(KEY_PREFIX) + 8
LINK_SALT = "tracker.apikeys.request"


def key_hash(plain: str) -> str:
    # A key is 256 random bits, so a fast hash is as safe as a slow one and keeps the
    # per-request lookup cheap; a password hasher is for guessable secrets.
    return hashlib.sha256(plain.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    plain: str  # shown once, then gone


class KeyLinkInvalid(Exception):
    """The confirmation link is malformed, altered or expired."""


class KeyLinkUsed(Exception):
    """The confirmation link has already made its key."""


@dataclass(frozen=True)
class KeyRequest:
    email: str
    name: str


def _key_new(**fields) -> CreatedKey:
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(prefix=plain[:PREFIX_LENGTH], key_hash=key_hash(plain), **fields)
    key.full_clean()
    key.save()
    return CreatedKey(key=key, plain=plain)


@transaction.atomic
def apikey_create(*, actor, name: str, contact: str, daily_quota: int | None = None) -> CreatedKey:
    return _key_new(
        name=name.strip(), contact=contact.strip(), created_by=actor, daily_quota=daily_quota
    )


def apikey_revoke(*, actor, key_id: int) -> bool:
    """Revoke a key; False when it was already revoked. Takes effect on the next request."""
    updated = ApiKey.objects.filter(pk=key_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    return bool(updated)


def apikey_usage_count(*, key_id: int, requests: int = 1, daily_quota: int | None = None) -> bool:
    """Add to today's count in one statement (an upsert), so concurrent requests all count.

    With a daily quota the upsert adds only while the day's total stays within it; False
    (nothing added) when this request would pass it.
    """
    if daily_quota is not None and requests > daily_quota:
        return False
    table = "apikeys_apikeyusage"
    sql = (
        f"INSERT INTO {table} (key_id, day, requests) VALUES (%s, %s, %s) "
        f"ON CONFLICT (key_id, day) DO UPDATE SET requests = {table}.requests + EXCLUDED.requests"
    )
    params = [key_id, timezone.now().date(), requests]
    if daily_quota is not None:
        sql += f" WHERE {table}.requests + EXCLUDED.requests <= %s"
        params.append(daily_quota)
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING requests", params)
        return cursor.fetchone() is not None


def apikey_request(*, email: str, name: str) -> bool:
    """Mail a confirmation link for a self-serve key to `email`; False when the address has
    asked API_KEY_REQUEST_ADDRESS_LIMIT times today (nothing is sent).

    Whether the address already holds a key changes nothing here: the caller answers the
    same either way, and so does the mail. SMTP errors propagate (the caller says so).
    """
    email = email.strip()
    if address_limit_hit(
        bucket="keyrequest-address", email=email, limit=settings.API_KEY_REQUEST_ADDRESS_LIMIT
    ):
        return False
    token = signing.dumps({"email": email, "name": name.strip()}, salt=LINK_SALT)
    context = {
        "link": settings.SITE_URL + reverse("apikeys:confirm", args=[token]),
        "hours": settings.API_KEY_LINK_MAX_AGE // 3600,
        "quota": f"{settings.API_KEY_FREE_DAILY_QUOTA:,}",
        "sellers": settings.SITE_URL + reverse("public:sellers"),
    }
    body = render_to_string("apikeys/request_mail.txt", context)
    send_mail("Your API key: confirm your address", body, None, [email])
    return True


def apikey_request_read(*, token: str) -> KeyRequest:
    """What a confirmation link asks for; KeyLinkInvalid when altered or expired."""
    data = link_load(token, salt=LINK_SALT, max_age=settings.API_KEY_LINK_MAX_AGE)
    if data is None:
        raise KeyLinkInvalid
    return KeyRequest(email=data["email"], name=data["name"])


def apikey_self_serve_create(*, token: str) -> CreatedKey:
    """The key a confirmation link asks for, made once: the link's hash is kept on the key,
    so opening it again is KeyLinkUsed. The address's earlier self-serve key stops working
    (a lost key is replaced, never shown again)."""
    request = apikey_request_read(token=token)
    digest = link_digest(token)
    try:
        with transaction.atomic():
            if ApiKey.objects.filter(request_digest=digest).exists():
                raise KeyLinkUsed
            ApiKey.objects.filter(
                contact__iexact=request.email,
                request_digest__isnull=False,
                revoked_at__isnull=True,
            ).update(revoked_at=timezone.now())
            return _key_new(
                name=request.name,
                contact=request.email,
                daily_quota=settings.API_KEY_FREE_DAILY_QUOTA,
                request_digest=digest,
            )
    except IntegrityError:  # the same link confirmed twice at once
        raise KeyLinkUsed from None
