"""A hosted provider's tracking webhooks (django-anymail, Postmark's payloads as Postmark
posts them) through the real URL: a permanent bounce or a spam complaint suppresses the
address, so the next change mails it nothing; deliveries and opens change nothing; a
request without the webhooks' basic auth is refused."""

import base64
import datetime
import json

import pytest
import time_machine

from tests.alerts.email_flows import recipients, subscribed
from tests.factories import make_curator, make_jurisdiction, record_status
from tracker.alerts import services
from tracker.alerts.models import Delivery, EmailSubscription

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 4, 12, 0, tzinfo=datetime.UTC)
URL = "/anymail/postmark/tracking/"
SECRET = "postmark:a-long-webhook-password"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def florida(db):
    state = make_jurisdiction("US-FL", name="Florida")
    record_status(state, "regulated")
    return state


def _post(client, payload: dict, secret: str | None = SECRET):
    headers = {}
    if secret:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(secret.encode()).decode()
    return client.post(URL, json.dumps(payload), content_type="application/json", **headers)


def _bounce(email: str, kind: str = "HardBounce") -> dict:
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 2,
        "Name": "Hard bounce",
        "Tag": "",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "tracker@example.org",
        "BouncedAt": "2026-11-04T11:58:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Kratom law change: Florida",
        "Content": "",
    }


def _complaint(email: str) -> dict:
    return {
        **_bounce(email),
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Description": "The subscriber explicitly marked this email as spam.",
        "Details": "Test spam complaint details",
    }


def _delivery(email: str) -> dict:
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Recipient": email,
        "Tag": "",
        "DeliveredAt": "2026-11-04T11:58:54.9070259Z",
        "Details": "Test delivery webhook details",
        "Metadata": {},
    }


def _open(email: str) -> dict:
    return {
        "RecordType": "Open",
        "MessageStream": "outbound",
        "FirstOpen": True,
        "Client": {"Name": "Chrome 35.0.1916.153", "Company": "Google", "Family": "Chrome"},
        "OS": {"Name": "OS X 10.7 Lion", "Company": "Apple Computer, Inc.", "Family": "OS X 10"},
        "Platform": "WebMail",
        "UserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_5)",
        "ReadSeconds": 5,
        "Geo": {},
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {},
        "ReceivedAt": "2026-11-04T11:59:54.9070259Z",
        "Tag": "",
        "Recipient": email,
    }


def _change_mailed(state) -> None:
    """A curator's next change to the place, sent to its subscribers (real SMTP backend)."""
    record_status(state, "banned", user=make_curator())
    ids = list(Delivery.objects.filter(state="pending").values_list("pk", flat=True))
    services.deliveries_send(delivery_ids=ids)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (_bounce("Gone@Example.org"), "bounced at Postmark (reported by the mail provider)"),
        (_complaint("gone@example.ORG"), "complained at Postmark (reported by the mail provider)"),
    ],
    ids=["hard-bounce", "spam-complaint"],
)
def test_a_bounce_or_complaint_suppresses_the_address(client, florida, smtp_inbox, payload, reason):
    gone = subscribed("gone@example.org", "US-FL")
    kept = subscribed("kept@example.org", "US-FL")

    assert _post(client, payload).status_code == 200

    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.suppressed_at is not None
    assert gone.suppressed_reason.startswith(reason)
    assert kept.suppressed_at is None
    _change_mailed(florida)
    assert recipients(smtp_inbox.wait_for(1)) == ["kept@example.org"]


@pytest.mark.parametrize(
    "payload",
    [
        _delivery("ann@example.org"),
        _open("ann@example.org"),
        _bounce("ann@example.org", "Transient"),
    ],
    ids=["delivery", "open", "transient-bounce"],
)
def test_other_events_change_nothing(client, florida, smtp_inbox, payload):
    subscribed("ann@example.org", "US-FL")

    assert _post(client, payload).status_code == 200

    assert EmailSubscription.objects.get().suppressed_at is None
    _change_mailed(florida)
    assert recipients(smtp_inbox.wait_for(1)) == ["ann@example.org"]


@pytest.mark.parametrize("secret", [None, "postmark:a-wrong-password"], ids=["none", "wrong"])
def test_a_request_without_the_secret_is_refused(client, florida, secret):
    subscribed("gone@example.org", "US-FL")

    assert _post(client, _bounce("gone@example.org"), secret=secret).status_code == 400

    assert EmailSubscription.objects.get().suppressed_at is None


def test_reports_are_ignored_while_the_webhooks_have_no_secret(client, florida, settings):
    settings.ANYMAIL = {}
    subscribed("gone@example.org", "US-FL")

    with pytest.warns(Warning, match="insecure"):
        assert _post(client, _bounce("gone@example.org"), secret=None).status_code == 200

    assert EmailSubscription.objects.get().suppressed_at is None
