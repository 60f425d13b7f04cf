import pytest
from django.test import override_settings

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


def test_healthz_without_a_beat_tick_is_unhealthy(client, private_redis):
    _, url = private_redis
    with override_settings(REDIS_URL=url):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {"ok": False, "last_tick_age_seconds": None}


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
