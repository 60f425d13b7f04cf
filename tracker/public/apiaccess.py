"""Who calls the API and how much they may: the holder of an API key (Authorization: Bearer)
or, without one, the client's address under the public limits.

A key that is malformed, unknown or revoked is refused with 401, never served as an
anonymous client: an integrator must learn that their key stopped working.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tracker.apikeys.selectors import InvalidApiKey, apikey_authenticate
from tracker.apikeys.services import apikey_usage_count
from tracker.lib.ratelimit import client_address, rate_limit_hit
from tracker.public.responses import Refused, api_error


@dataclass(frozen=True)
class Caller:
    bucket: str
    client: str
    limit: int
    window: int
    key_id: int | None = None
    daily_quota: int | None = None


def api_caller(request, *, batch: bool = False) -> Caller:
    """The caller of an API request (the caller step); a bad Authorization header is
    refused with a 401 (Refused).

    Without a key a batch check has a budget of its own, in items, sized so that one whole
    batch fits; every other request counts against the public per-request limit.
    """
    try:
        key = apikey_authenticate(request.META.get("HTTP_AUTHORIZATION", ""))
    except InvalidApiKey as error:
        raise Refused(_invalid_key_response(error)) from None
    if key is not None:
        limit, window = settings.API_KEY_RATE_LIMIT, settings.API_RATE_LIMIT_WINDOW
        return Caller("apikey", str(key.pk), limit, window, key.pk, key.daily_quota)
    if batch:
        limit, window = settings.API_CHECK_ANONYMOUS_LIMIT, settings.API_CHECK_ANONYMOUS_WINDOW
        return Caller("check", client_address(request), limit, window)
    return anonymous_caller(request)


def anonymous_caller(request) -> Caller:
    """A caller without a key: the client's address under the public limit."""
    return Caller(
        "api", client_address(request), settings.API_RATE_LIMIT, settings.API_RATE_LIMIT_WINDOW
    )


def _invalid_key_response(error: InvalidApiKey):
    return api_error(
        401,
        "invalid_api_key",
        f"{error} Send a valid key as 'Authorization: Bearer <key>', or no Authorization "
        "header for the public limit.",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def _key_hint() -> str:
    return f"get a free API key at {settings.SITE_URL}{reverse('public:sellers')}#key"


def _too_many(message: str, wait: int | None):
    # Retry-After only where waiting helps: a batch over the whole limit never fits.
    headers = {"Retry-After": str(wait)} if wait is not None else None
    return api_error(429, "rate_limited", message, headers=headers)


def _seconds_to_utc_midnight() -> int:
    now = timezone.now().astimezone(datetime.UTC)
    midnight = datetime.datetime.combine(now.date(), datetime.time(), datetime.UTC)
    return max(1, int((midnight + datetime.timedelta(days=1) - now).total_seconds()))


def api_limit_refusal(caller: Caller, *, cost: int = 1):
    """A 429 response when the caller is over their limit; else None, and a keyed caller's
    use (cost: a batch counts its items) is added to the key's count for today."""
    anonymous = caller.key_id is None
    if cost > caller.limit or (caller.daily_quota is not None and cost > caller.daily_quota):
        most = caller.limit if caller.daily_quota is None else min(caller.limit, caller.daily_quota)
        advice = _key_hint() if anonymous else "send smaller batches"
        return _too_many(
            f"A batch of {cost} items is more than this client may check ({most}): {advice}.", None
        )
    wait = rate_limit_hit(
        bucket=caller.bucket,
        client=caller.client,
        limit=caller.limit,
        window=caller.window,
        cost=cost,
    )
    if wait is not None:
        hint = f"; or, not to wait, {_key_hint()}" if anonymous else ""
        return _too_many(f"Too many requests: try again in {wait} s{hint}.", wait)
    if anonymous or apikey_usage_count(
        key_id=caller.key_id, requests=cost, daily_quota=caller.daily_quota
    ):
        return None
    wait = _seconds_to_utc_midnight()
    return _too_many(
        f"This key's daily quota of {caller.daily_quota:,} requests (batch items) is used up; "
        f"it starts again at 00:00 UTC, in {wait} s. For a larger quota, write to "
        f"{settings.CONTACT_EMAIL}.",
        wait,
    )
