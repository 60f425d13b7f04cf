"""Operators manage the integrators (API keys, webhook subscriptions) in the admin; a curator
is one when made with `createcurator --operator`."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from jurisdictions.permissions import OPERATOR_PERMISSIONS
from tests.factories import make_jurisdiction
from tracker.alerts.models import Subscription
from tracker.apikeys.models import ApiKey
from tracker.apikeys.services import apikey_create

pytestmark = pytest.mark.django_db


def curator_login(client, username: str, *flags: str):
    call_command(
        "createcurator", username, "--email", f"{username}@example.org", "--one-time-password",
        *flags, stdout=io.StringIO(),
    )  # fmt: skip
    user = get_user_model().objects.get(username=username)
    user.set_password("a-password-of-their-own")  # as they must at their first login
    user.save()
    client.force_login(user)
    return user


def test_a_curator_alone_may_not_manage_keys_or_webhooks(client):
    curator_login(client, "dana")
    for path in ["/admin/apikeys/apikey/add/", "/admin/alerts/subscription/add/"]:
        assert client.get(path).status_code == 403


def test_an_operator_makes_and_revokes_a_key_and_adds_a_webhook(client):
    operator = curator_login(client, "omar", "--operator")
    assert {g.name for g in operator.groups.all()} == {"Curators", "Operators"}
    response = client.post(
        "/admin/apikeys/apikey/add/", {"name": "Leaf & Co", "contact": "ops@leaf.example"}
    )
    assert response.status_code == 302
    key = ApiKey.objects.get()
    assert key.created_by == operator
    client.post("/admin/apikeys/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_by == operator

    texas = make_jurisdiction("US-TX", name="Texas")
    response = client.post(
        "/admin/alerts/subscription/add/",
        {
            "url": "http://127.0.0.1:9/hook",
            "follows": [texas.pk],
            "event_types": ["status.changed"],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Subscription.objects.get().follows.get() == texas
    # The follows box searches jurisdictions, which operators may read.
    search = client.get("/admin/autocomplete/", {"term": "Tex", **AUTOCOMPLETE})
    assert search.status_code == 200 and "Texas" in search.content.decode()
    for path in ["/admin/alerts/delivery/", "/admin/alerts/event/", "/admin/apikeys/apikey/"]:
        assert client.get(path).status_code == 200


AUTOCOMPLETE = {"app_label": "alerts", "model_name": "subscription", "field_name": "follows"}


def test_the_key_page_shows_usage_to_an_operator(client):
    curator_login(client, "olga", "--operator")
    created = apikey_create(actor=None, name="Shop", contact="a@shop.example")
    page = client.get(f"/admin/apikeys/apikey/{created.key.pk}/change/")
    assert page.status_code == 200 and "Requests per day" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_operators_group_has_exactly_its_permissions_after_a_flush():
    call_command("flush", "--no-input", verbosity=0)
    permissions = set(
        Group.objects.get(name="Operators").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert permissions == set(OPERATOR_PERMISSIONS)
