"""Endpoint URLs go through the outbound guard when created and at every delivery.

The test run allows plain HTTP and loopback (make test sets OUTBOUND_ALLOW_HTTP and
OUTBOUND_ALLOWED_NETWORKS); here those settings are switched off to show the refusals.
No refused address is ever contacted: the check happens before any connection.
"""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from tests.alerts.conftest import subscribe
from tests.factories import make_jurisdiction
from tracker.alerts.models import Subscription

pytestmark = pytest.mark.django_db

NON_PUBLIC = [
    "https://127.0.0.1/",
    "https://localhost/",
    "https://0x7f000001/",
    "https://2130706433/",
    "https://127.1/",
    "https://017700000001/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]/",
    "https://10.0.0.1/",
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[ff02::1]/",
    "https://[64:ff9b::7f00:1]/",
    "https://[2002:7f00:1::]/",
    "https://[::]/",
]


@pytest.fixture
def texas():
    return make_jurisdiction("US-TX")


@pytest.mark.parametrize("url", NON_PUBLIC)
@override_settings(OUTBOUND_ALLOW_HTTP=False, OUTBOUND_ALLOWED_NETWORKS=[])
def test_it_refuses_an_endpoint_on_a_non_public_address_in_every_form(texas, url):
    with pytest.raises(ValidationError, match="non-public address"):
        subscribe(url, "US-TX")
    assert not Subscription.objects.exists()


@override_settings(OUTBOUND_ALLOW_HTTP=False, OUTBOUND_ALLOWED_NETWORKS=[])
def test_it_refuses_plain_http_unless_the_setting_allows_it(texas):
    with pytest.raises(ValidationError, match="must be https"):
        subscribe("http://hooks.example.org/", "US-TX")


@override_settings(OUTBOUND_ALLOW_HTTP=True, OUTBOUND_ALLOWED_NETWORKS=[])
def test_allowing_http_does_not_allow_loopback(texas, receiver):
    with pytest.raises(ValidationError, match="non-public address"):
        subscribe(receiver.url(), "US-TX")


def test_with_the_test_settings_a_loopback_receiver_is_allowed(texas, receiver):
    assert subscribe(receiver.url(), "US-TX").pk


def test_an_unknown_jurisdiction_or_event_type_is_a_clear_error(texas, receiver):
    with pytest.raises(ValidationError, match="Unknown jurisdiction codes: US-ZZ"):
        subscribe(receiver.url(), "US-ZZ")
    with pytest.raises(ValidationError, match="Choose from"):
        subscribe(receiver.url(), "US-TX", event_types=["status.deleted"])
    assert not Subscription.objects.exists()
