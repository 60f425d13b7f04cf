"""Accepting a page as the new baseline swallows a change unseen: curators only, audited."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from jurisdictions.models import Decision
from tests.factories import make_curator, make_user
from tracker.monitoring import services

pytestmark = pytest.mark.django_db


def _view_only_staff(*codenames):
    user = make_user("viewer", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_a_curator_rebaselines_a_flagged_source_and_the_trail_says_so(make_source):
    source = make_source("https://law.example.gov/a", consecutive_failures=5, etag='"x"')
    curator = make_curator()
    services.source_rebaseline(actor=curator, source_id=source.pk, reason="page redesigned")
    source.refresh_from_db()
    assert (source.consecutive_failures, source.etag, source.flagged_at) == (0, "", None)
    decision = Decision.objects.get()
    assert (decision.action, decision.actor, decision.reason) == (
        "rebaseline",
        curator,
        "page redesigned",
    )


def test_someone_who_is_not_a_curator_cannot_rebaseline(make_source):
    source = make_source("https://law.example.gov/a", etag='"x"')
    with pytest.raises(PermissionDenied):
        services.source_rebaseline(actor=_view_only_staff("view_source"), source_id=source.pk)
    source.refresh_from_db()
    assert source.etag == '"x"'
    assert not Decision.objects.exists()


def test_view_only_staff_are_offered_no_source_actions(client, make_source):
    make_source("https://law.example.gov/a")
    client.force_login(_view_only_staff("view_source"))
    response = client.get("/admin/monitoring/source/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "law.example.gov" in page
    assert 'value="rebaseline"' not in page and 'value="check_now"' not in page
    client.force_login(make_curator())
    page = client.get("/admin/monitoring/source/").content.decode()
    assert 'value="rebaseline"' in page and 'value="check_now"' in page


def test_view_only_staff_cannot_rotate_a_webhook_secret_or_resend(client):
    client.force_login(_view_only_staff("view_subscription", "view_delivery"))
    responses = [client.get(f"/admin/alerts/{name}/") for name in ("subscription", "delivery")]
    assert [response.status_code for response in responses] == [200, 200]
    subscriptions, deliveries = (response.content.decode() for response in responses)
    assert 'value="rotate_secret"' not in subscriptions
    assert 'value="enable"' not in subscriptions
    assert 'value="resend"' not in deliveries


def test_a_source_url_on_a_private_address_is_refused_in_the_admin(admin_client, settings):
    from jurisdictions.models import Jurisdiction
    from tests.factories import make_jurisdiction
    from tracker.monitoring.models import Source

    settings.OUTBOUND_ALLOWED_NETWORKS = []  # production policy: loopback is not allowed
    texas = make_jurisdiction("US-TX")
    form = {
        "jurisdiction": texas.pk,
        "url": "http://169.254.169.254/latest/meta-data/",
        "kind": "html",
        "check_interval": "1 00:00:00",
        "enabled": "on",
        "next_check_at_0": "2026-11-22",
        "next_check_at_1": "00:00:00",
    }
    response = admin_client.post("/admin/monitoring/source/add/", form)
    assert response.status_code == 200
    assert "non-public address" in response.content.decode()
    assert not Source.objects.exists()
    assert Jurisdiction.objects.count() == 2  # nothing else was written
