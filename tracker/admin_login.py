"""The admin login, throttled per account and per client.

After ADMIN_LOGIN_FAILURE_LIMIT failed logins within ADMIN_LOGIN_FAILURE_WINDOW seconds,
for one username or from one client address, the login form refuses every attempt
(the right password too) until the oldest of those failures is a window old. Failures
are kept in Redis as sorted sets of their times (a sliding window), so every web
process sees them; attempts refused while locked are not counted, so a set never grows
past the limit.
"""

import hashlib
import logging
import math
import secrets
import time

import redis
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from tracker.lib.ratelimit import client_address
from tracker.lib.redis import redis_client

log = logging.getLogger(__name__)


def _keys(*, username: str, client: str) -> list[str]:
    # Hashed: a username is whatever an attacker types, of any length.
    account = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return [f"login-failures:account:{account}", f"login-failures:client:{client}"]


def login_lockout_seconds(*, username: str, client: str, now: float | None = None) -> int:
    """Seconds until this account and client may try again; 0 when they may now.

    A Redis failure lets the attempt through (and is logged), like the rate limits:
    the password check still stands, and the admin stays usable.
    """
    now = time.time() if now is None else now
    window = settings.ADMIN_LOGIN_FAILURE_WINDOW
    pipe = redis_client().pipeline(transaction=False)
    for key in _keys(username=username, client=client):
        pipe.zremrangebyscore(key, "-inf", now - window)
        pipe.zrange(key, 0, 0, withscores=True)
        pipe.zcard(key)
    try:
        results = pipe.execute()
    except redis.RedisError:
        log.exception("Login throttle check failed; letting the attempt through")
        return 0
    waits = [
        math.ceil(oldest[0][1] + window - now)
        for _removed, oldest, count in zip(results[::3], results[1::3], results[2::3], strict=True)
        if count >= settings.ADMIN_LOGIN_FAILURE_LIMIT
    ]
    return max([0, *waits])


def login_failure_record(*, username: str, client: str, now: float | None = None) -> None:
    """Count one failed login against the account and the client."""
    now = time.time() if now is None else now
    member = f"{now}:{secrets.token_hex(4)}"  # two failures in the same instant both count
    pipe = redis_client().pipeline(transaction=False)
    for key in _keys(username=username, client=client):
        pipe.zadd(key, {member: now})
        pipe.expire(key, settings.ADMIN_LOGIN_FAILURE_WINDOW + 1)
    try:
        pipe.execute()
    except redis.RedisError:
        log.exception("Could not record a failed login")


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, refusing a locked account or client before any password check."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        client = client_address(self.request)
        wait = login_lockout_seconds(username=username, client=client)
        if wait:
            raise ValidationError(
                "Too many failed logins for this account or from your address. "
                "Try again in %(minutes)d minute(s).",
                code="throttled",
                params={"minutes": math.ceil(wait / 60)},
            )
        try:
            return super().clean()
        except ValidationError:
            login_failure_record(username=username, client=client)
            raise
