"""Signed, expiring links sent by mail (an API key request, an email alert opt-in)."""

import hashlib

from django.core import signing


def link_load(token: str, *, salt: str, max_age: int) -> dict | None:
    """What a link's token carries; None when it was altered or has expired."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None


def link_digest(token: str) -> str:
    """The token's SHA-256, kept by what the link made, so that the link works once."""
    return hashlib.sha256(token.encode()).hexdigest()
