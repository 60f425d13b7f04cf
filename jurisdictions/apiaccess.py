"""Who calls the API and how much they may: the holder of an API key (Authorization: Bearer)
or, without one, the client's address under the public limit.

A key that is malformed, unknown or revoked is refused with 401, never served as an
anonymous client: an integrator must learn that their key stopped working.
"""

from dataclasses import dataclass

from django.conf import settings

from jurisdictions.ratelimit import client_address, rate_limit_hit
from jurisdictions.responses import api_error
from tracker.apikeys.selectors import InvalidApiKey, apikey_authenticate
from tracker.apikeys.services import apikey_usage_count


@dataclass(frozen=True)
class Caller:
    bucket: str
    client: str
    limit: int
    key_id: int | None = None


def api_caller(request) -> Caller:
    """The caller of an API request; raises InvalidApiKey for a bad Authorization header."""
    key = apikey_authenticate(request.META.get("HTTP_AUTHORIZATION", ""))
    if key is None:
        return anonymous_caller(request)
    return Caller("apikey", str(key.pk), settings.API_KEY_RATE_LIMIT, key.pk)


def anonymous_caller(request) -> Caller:
    """A caller without a key: the client's address under the public limit."""
    return Caller("api", client_address(request), settings.API_RATE_LIMIT)


def invalid_key_response(error: InvalidApiKey):
    return api_error(
        401,
        "invalid_api_key",
        f"{error} Send a valid key as 'Authorization: Bearer <key>', or no Authorization "
        "header for the public limit.",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def api_limit_refusal(caller: Caller, *, cost: int = 1):
    """A 429 response when the caller is over their limit; else None, and a keyed caller's
    use (cost: a batch counts its items) is added to the key's count for today."""
    if cost > caller.limit:
        message = (
            f"A batch of {cost} items is more than this client's limit of {caller.limit} per "
            f"{settings.API_RATE_LIMIT_WINDOW} s: send smaller batches, or use an API key."
        )
        window = str(settings.API_RATE_LIMIT_WINDOW)
        return api_error(429, "rate_limited", message, headers={"Retry-After": window})
    wait = rate_limit_hit(
        bucket=caller.bucket,
        client=caller.client,
        limit=caller.limit,
        window=settings.API_RATE_LIMIT_WINDOW,
        cost=cost,
    )
    if wait is not None:
        return api_error(
            429,
            "rate_limited",
            f"Too many requests: try again in {wait} s.",
            headers={"Retry-After": str(wait)},
        )
    if caller.key_id is not None:
        apikey_usage_count(key_id=caller.key_id, requests=cost)
    return None
