"""API keys: made once, stored hashed, revocable, counted per day; admin and command."""

import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_user
from tracker.apikeys import selectors, services
from tracker.apikeys.models import ApiKey, ApiKeyUsage

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return make_user("keeper", is_staff=True, is_superuser=True)


def test_the_plain_key_is_returned_once_and_only_its_hash_is_stored(curator):
    created = services.apikey_create(actor=curator, name="Leaf & Co", contact="ops@leaf.example")
    stored = ApiKey.objects.get(pk=created.key.pk)
    assert created.plain.startswith("kt_") and len(created.plain) > 40
    assert stored.key_hash == hashlib.sha256(created.plain.encode()).hexdigest()
    assert stored.prefix == created.plain[:11]
    row = ApiKey.objects.filter(pk=stored.pk).values().get()
    assert all(created.plain not in str(value) for value in row.values())


def test_a_bearer_header_names_the_key(curator):
    created = services.apikey_create(actor=curator, name="Shop", contact="a@shop.example")
    assert selectors.apikey_authenticate(f"Bearer {created.plain}").pk == created.key.pk
    assert selectors.apikey_authenticate("") is None


@pytest.mark.parametrize(
    "header, message",
    [
        ("Bearer kt_not-a-key", "not known"),
        ("Basic dXNlcjpwYXNz", "must be 'Bearer"),
        ("Bearer ", "must be 'Bearer"),
    ],
)
def test_a_bad_header_is_refused_with_its_reason(header, message):
    with pytest.raises(selectors.InvalidApiKey, match=message):
        selectors.apikey_authenticate(header)


def test_a_revoked_key_is_refused(curator):
    created = services.apikey_create(actor=curator, name="Shop", contact="a@shop.example")
    assert services.apikey_revoke(actor=curator, key_id=created.key.pk)
    assert not services.apikey_revoke(actor=curator, key_id=created.key.pk)
    with pytest.raises(selectors.InvalidApiKey, match="revoked"):
        selectors.apikey_authenticate(f"Bearer {created.plain}")


def test_usage_adds_up_per_day(curator):
    created = services.apikey_create(actor=curator, name="Shop", contact="a@shop.example")
    services.apikey_usage_count(key_id=created.key.pk)
    services.apikey_usage_count(key_id=created.key.pk, requests=1000)
    assert ApiKeyUsage.objects.get(key=created.key).requests == 1001


def test_the_admin_shows_a_new_key_once_and_never_again(client, curator):
    client.force_login(curator)
    response = client.post(
        "/admin/apikeys/apikey/add/",
        {"name": "Leaf & Co", "contact": "ops@leaf.example"},
        follow=True,
    )
    key = ApiKey.objects.get()
    shown = [str(m) for m in response.context["messages"] if "shown once" in str(m)]
    assert len(shown) == 1 and key.prefix in shown[0]
    plain = shown[0].rsplit(" ", 1)[-1]
    assert selectors.apikey_authenticate(f"Bearer {plain}").pk == key.pk
    for path in [f"/admin/apikeys/apikey/{key.pk}/change/", "/admin/apikeys/apikey/"]:
        page = client.get(path).content.decode()
        assert key.prefix in page and plain not in page and "shown once" not in page
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert all(plain not in str(value) for value in stored.values())


def test_the_admin_revokes(client, curator):
    created = services.apikey_create(actor=curator, name="Shop", contact="a@shop.example")
    client.force_login(curator)
    client.post(
        "/admin/apikeys/apikey/",
        {"action": "revoke", "_selected_action": [created.key.pk]},
    )
    created.key.refresh_from_db()
    assert created.key.revoked and created.key.revoked_by == curator


def test_staff_without_the_permission_cannot_make_keys(client):
    client.force_login(make_user("staff", is_staff=True))
    assert client.get("/admin/apikeys/apikey/add/").status_code == 403


def test_the_command_prints_the_key_once_and_revokes_by_prefix(curator):
    out = io.StringIO()
    call_command("apikeys", "create", "Leaf & Co", "--contact", "ops@leaf.example", stdout=out)
    plain = out.getvalue().strip().splitlines()[-1]
    key = selectors.apikey_authenticate(f"Bearer {plain}")
    call_command("apikeys", "revoke", key.prefix, "--by", "keeper", stdout=io.StringIO())
    with pytest.raises(selectors.InvalidApiKey):
        selectors.apikey_authenticate(f"Bearer {plain}")
    with pytest.raises(CommandError, match="No API key"):
        call_command("apikeys", "revoke", "kt_nothing", "--by", "keeper")


def test_the_command_sets_a_daily_quota_and_an_operator_changes_it_in_the_admin(client, curator):
    call_command(
        "apikeys", "create", "Shop", "--contact", "a@shop.example", "--daily-quota", "500",
        stdout=io.StringIO(),
    )  # fmt: skip
    key = ApiKey.objects.get()
    assert key.daily_quota == 500
    client.force_login(curator)
    response = client.post(
        f"/admin/apikeys/apikey/{key.pk}/change/",
        {"daily_quota": "2000", "usage-TOTAL_FORMS": "0", "usage-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert (key.daily_quota, key.name, key.contact) == (2000, "Shop", "a@shop.example")
