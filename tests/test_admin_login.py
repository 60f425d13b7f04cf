"""The admin login is throttled per account and per client, and the lockout ends."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 21, 9, 0, tzinfo=datetime.UTC)
LOCKED = "Too many failed logins"


def log_in(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_the_eleventh_attempt_is_refused_even_with_the_right_password_until_the_window_ends(
    client, settings
):
    make_user("alice", is_staff=True)
    assert settings.ADMIN_LOGIN_FAILURE_LIMIT == 10
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(10):
            response = log_in(client, "alice", "wrong")
            assert response.status_code == 200 and LOCKED not in response.content.decode()
        refused = log_in(client, "alice", "pw-for-tests-only")
        assert refused.status_code == 200
        assert "Try again in 15 minute(s)." in refused.content.decode()
        assert "_auth_user_id" not in client.session
        clock.shift(datetime.timedelta(seconds=settings.ADMIN_LOGIN_FAILURE_WINDOW - 60))
        assert (
            "Try again in 1 minute(s)."
            in log_in(client, "alice", "pw-for-tests-only").content.decode()
        )
        clock.shift(datetime.timedelta(seconds=61))
        assert log_in(client, "alice", "pw-for-tests-only").status_code == 302
        # Read under the same clock: the session expires 14 days after NOW in real time.
        assert client.session["_auth_user_id"]


def test_failures_from_one_client_lock_out_every_account_from_that_client(client, settings):
    settings.ADMIN_LOGIN_FAILURE_LIMIT = 3
    make_user("bob", is_staff=True)
    for name in ("x", "y", "z"):
        log_in(client, name, "guess")
    assert LOCKED in log_in(client, "bob", "pw-for-tests-only").content.decode()
    assert log_in(client, "bob", "pw-for-tests-only", address="198.51.100.2").status_code == 302


def test_failures_from_many_clients_lock_out_the_account(client, settings):
    settings.ADMIN_LOGIN_FAILURE_LIMIT = 3
    make_user("carol", is_staff=True)
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        log_in(client, "Carol", "guess", address=address)
    assert LOCKED in log_in(client, "carol", "pw-for-tests-only", "192.0.2.9").content.decode()


def test_a_redis_failure_leaves_the_password_check_in_place(client, settings, private_redis):

    process, url = private_redis
    process.kill()
    process.wait()
    settings.REDIS_URL = url  # the shared client is kept per URL: this one is a new client
    make_user("dana", is_staff=True)
    assert log_in(client, "dana", "wrong").status_code == 200
    assert log_in(client, "dana", "pw-for-tests-only").status_code == 302
