import time

import pytest
from django.test import override_settings

from tracker import health
from tracker.health import beat_tick_record

pytestmark = pytest.mark.django_db


def test_healthz_is_200_with_database_redis_and_a_recent_beat(client):
    beat_tick_record()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["healthy"] is True
    assert body["checks"]["beat"]["last_tick_age_seconds"] <= 1
    assert isinstance(body["checks"]["queue"]["length"], int)


def test_a_fresh_start_is_healthy_at_once_and_says_beat_is_pending(
    client, private_redis, monkeypatch
):
    _, url = private_redis  # an empty Redis: beat has never ticked
    monkeypatch.setattr(health, "WEB_STARTED", time.time())  # the web process just started
    with override_settings(REDIS_URL=url):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["healthy"] is True
    assert body["checks"]["web"]["ok"] is True
    assert body["checks"]["beat"] == {"ok": True, "pending": True, "last_tick_age_seconds": None}
    assert body["pending"][0].startswith("beat has not ticked yet")


def test_healthz_without_a_beat_tick_long_after_the_start_is_unhealthy(
    client, private_redis, monkeypatch
):
    _, url = private_redis
    monkeypatch.setattr(health, "WEB_STARTED", time.time() - 181)  # the default limit: 180 s
    with override_settings(REDIS_URL=url):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["beat"] == {"ok": False, "last_tick_age_seconds": None}
    assert body["checks"]["web"]["ok"] is True and body["pending"] == []


def test_healthz_reports_a_stopped_redis_as_unhealthy(client, private_redis):
    process, url = private_redis
    with override_settings(REDIS_URL=url):
        beat_tick_record()
        assert client.get("/healthz").status_code == 200
        process.kill()
        process.wait()
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["redis"]["ok"] is False
    assert "Connection" in body["checks"]["redis"]["error"]
