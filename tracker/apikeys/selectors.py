"""Reads on API keys: who an Authorization header names."""

from tracker.apikeys.models import ApiKey
from tracker.apikeys.services import key_hash


class InvalidApiKey(Exception):
    """The request named a key that is malformed, unknown or revoked."""


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None when there is no header."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidApiKey("The Authorization header must be 'Bearer <API key>'.")
    return token.strip()


def apikey_authenticate(authorization: str) -> ApiKey | None:
    """The active key an Authorization header names; None without one; InvalidApiKey if bad."""
    token = bearer_token(authorization)
    if token is None:
        return None
    key = (
        ApiKey.objects.filter(key_hash=key_hash(token))
        .only("pk", "revoked_at", "daily_quota")
        .first()
    )
    if key is None:
        raise InvalidApiKey("This API key is not known.")
    if key.revoked:
        raise InvalidApiKey("This API key has been revoked.")
    return key
