"""A hosted provider's tracking webhooks (django-anymail) through the real URLs, with each
provider's payloads as it posts them (Postmark; Mailgun, signed; Amazon SES, through SNS):
a permanent bounce or a spam complaint suppresses the address, so the next change mails it
nothing; deliveries, opens and temporary failures change nothing; a request without the
webhooks' basic auth is refused, and reports are ignored while they have none."""

import base64
import datetime
import hashlib
import hmac
import json
import warnings
from dataclasses import dataclass, field

import pytest
import time_machine
from anymail.exceptions import AnymailInsecureWebhookWarning

from tests.alerts.email_flows import recipients, subscribed
from tests.factories import make_curator, make_jurisdiction, record_status
from tracker.alerts import services
from tracker.alerts.models import Delivery, EmailSubscription

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 4, 12, 0, tzinfo=datetime.UTC)
SECRET = "provider:a-long-webhook-password"
MAILGUN_SIGNING_KEY = "key-mailgun-webhook-signing-for-tests"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_SIGNING_KEY,
    }
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def florida(db):
    state = make_jurisdiction("US-FL", name="Florida")
    record_status(state, "regulated")
    return state


@dataclass
class Report:
    """One tracking webhook request as its provider sends it."""

    path: str
    body: str
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


def _post(client, report: Report, secret: str | None = SECRET):
    headers = dict(report.headers)
    if secret:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(secret.encode()).decode()
    return client.post(report.path, report.body, content_type=report.content_type, **headers)


# Postmark: one JSON record per request. -----------------------------------------------------


def postmark(record: dict) -> Report:
    return Report("/anymail/postmark/tracking/", json.dumps(record))


def _postmark_bounce(email: str, kind: str = "HardBounce") -> dict:
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


def _postmark_complaint(email: str) -> dict:
    return {
        **_postmark_bounce(email),
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Description": "The subscriber explicitly marked this email as spam.",
        "Details": "Test spam complaint details",
    }


def _postmark_delivery(email: str) -> dict:
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


def _postmark_open(email: str) -> dict:
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


# Mailgun: the event under "event-data", signed with the webhook signing key (HMAC-SHA256 of
# timestamp and token). -----------------------------------------------------------------------


def mailgun(event_data: dict, signing_key: str = MAILGUN_SIGNING_KEY) -> Report:
    timestamp = str(int(event_data["timestamp"]))
    token = "651869375b9df3c98fc15c4889b102119add1235c38fc92824"
    signature = hmac.new(
        signing_key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    payload = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": event_data,
    }
    return Report("/anymail/mailgun/tracking/", json.dumps(payload))


def _mailgun_event(kind: str, email: str, **fields) -> dict:
    return {
        "event": kind,
        "id": "hTWCTD81RtiDN-Qae8UNJA",
        "timestamp": 1793793534.389832,
        "log-level": "info",
        "recipient": email,
        "message": {
            "headers": {
                "to": email,
                "message-id": "20261104115854.1.0DF563D0B3597700@example.org",
                "from": "tracker@example.org",
                "subject": "Kratom law: a change in Florida",
            }
        },
        **fields,
    }


def _mailgun_failed(email: str, severity: str = "permanent") -> dict:
    permanent = severity == "permanent"
    return _mailgun_event(
        "failed",
        email,
        severity=severity,
        reason="bounce" if permanent else "generic",
        **{"log-level": "error" if permanent else "warn"},
        **{
            "delivery-status": {
                "attempt-no": 1,
                "description": "" if permanent else "No MX for example.org",
                "code": 550 if permanent else 498,
                "message": "5.1.1 The email account that you tried to reach does not exist."
                if permanent
                else "No MX for example.org",
            }
        },
    )


def _mailgun_complained(email: str) -> dict:
    return _mailgun_event("complained", email, **{"log-level": "warn"})


def _mailgun_delivered(email: str) -> dict:
    status = {"code": 250, "message": "OK", "description": "", "attempt-no": 1}
    return _mailgun_event("delivered", email, **{"delivery-status": status})


# Amazon SES: an SES event inside an SNS notification, posted as text/plain with SNS's
# headers; SNS sends basic auth only after a 401 asks for it. -----------------------------------


def ses(ses_event: dict) -> Report:
    message_id = "19ba9823-d7f2-53c1-860e-cb10e0d13dfc"
    notification = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-events",
        "Subject": "Amazon SES Email Event Notification",
        "Message": json.dumps(ses_event) + "\n",
        "Timestamp": "2026-11-04T11:58:59.675Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE-SIGNATURE==",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    }
    headers = {
        "HTTP_X_AMZ_SNS_MESSAGE_ID": message_id,
        "HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification",
    }
    return Report(
        "/anymail/amazon_ses/tracking/",
        json.dumps(notification),
        "text/plain; charset=UTF-8",
        headers,
    )


def _ses_mail(email: str) -> dict:
    return {
        "timestamp": "2026-11-04T11:58:38.237Z",
        "source": "tracker@example.org",
        "messageId": "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
        "destination": [email],
        "headersTruncated": False,
    }


def _ses_bounce(email: str, bounce_type: str = "Permanent") -> dict:
    permanent = bounce_type == "Permanent"
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General" if permanent else "MailboxFull",
            "bouncedRecipients": [
                {
                    "emailAddress": email,
                    "status": "5.1.1" if permanent else "4.2.2",
                    "action": "failed",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown"
                    if permanent
                    else "smtp; 452 4.2.2 mailbox full",
                }
            ],
            "timestamp": "2026-11-04T11:58:44.101Z",
            "feedbackId": "00000138111222aa-44455566-cccc-cccc-cccc-ddddaaaa068a-000000",
            "reportingMTA": "dns; email.example.org",
        },
        "mail": _ses_mail(email),
    }


def _ses_complaint(email: str) -> dict:
    return {
        "eventType": "Complaint",
        "complaint": {
            "userAgent": "AnyCompany Feedback Loop (V0.01)",
            "complainedRecipients": [{"emailAddress": email}],
            "complaintFeedbackType": "abuse",
            "timestamp": "2026-11-04T11:59:44.101Z",
            "feedbackId": "00000138111222aa-44455566-cccc-cccc-cccc-ddddaaaa068b-000000",
        },
        "mail": _ses_mail(email),
    }


def _ses_delivery(email: str) -> dict:
    return {
        "eventType": "Delivery",
        "delivery": {
            "timestamp": "2026-11-04T11:58:39.237Z",
            "recipients": [email],
            "processingTimeMillis": 546,
            "reportingMTA": "a8-70.smtp-out.amazonses.com",
            "smtpResponse": "250 ok:  Message 64111812 accepted",
        },
        "mail": _ses_mail(email),
    }


def _change_mailed(state) -> None:
    """A curator's next change to the place, sent to its subscribers (real SMTP backend)."""
    record_status(state, "banned", user=make_curator())
    ids = list(Delivery.objects.filter(state="pending").values_list("pk", flat=True))
    services.deliveries_send(delivery_ids=ids)


@pytest.mark.parametrize(
    ("report", "reason"),
    [
        (
            postmark(_postmark_bounce("Gone@Example.org")),
            "bounced at Postmark (reported by the mail provider)",
        ),
        (
            postmark(_postmark_complaint("gone@example.ORG")),
            "complained at Postmark (reported by the mail provider)",
        ),
        (
            mailgun(_mailgun_failed("Gone@Example.org")),
            "bounced at Mailgun (reported by the mail provider): 5.1.1 The email account",
        ),
        (
            mailgun(_mailgun_complained("gone@example.org")),
            "complained at Mailgun (reported by the mail provider)",
        ),
        (
            ses(_ses_bounce("gone@example.org")),
            "bounced at Amazon SES (reported by the mail provider): Permanent: General",
        ),
        (
            ses(_ses_complaint("GONE@example.org")),
            "complained at Amazon SES (reported by the mail provider): abuse",
        ),
    ],
    ids=[
        "postmark-hard-bounce",
        "postmark-spam-complaint",
        "mailgun-permanent-failure",
        "mailgun-complaint",
        "ses-permanent-bounce",
        "ses-complaint",
    ],
)
def test_a_bounce_or_complaint_suppresses_the_address(client, florida, smtp_inbox, report, reason):
    gone = subscribed("gone@example.org", "US-FL")
    kept = subscribed("kept@example.org", "US-FL")

    assert _post(client, report).status_code == 200

    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.suppressed_at is not None
    assert gone.suppressed_reason.startswith(reason)
    assert kept.suppressed_at is None
    _change_mailed(florida)
    assert recipients(smtp_inbox.wait_for(1)) == ["kept@example.org"]


@pytest.mark.parametrize(
    "report",
    [
        postmark(_postmark_delivery("ann@example.org")),
        postmark(_postmark_open("ann@example.org")),
        postmark(_postmark_bounce("ann@example.org", "Transient")),
        mailgun(_mailgun_delivered("ann@example.org")),
        mailgun(_mailgun_failed("ann@example.org", severity="temporary")),
        ses(_ses_delivery("ann@example.org")),
        ses(_ses_bounce("ann@example.org", "Transient")),
        ses(_ses_bounce("ann@example.org", "Undetermined")),
    ],
    ids=[
        "postmark-delivery",
        "postmark-open",
        "postmark-transient-bounce",
        "mailgun-delivered",
        "mailgun-temporary-failure",
        "ses-delivery",
        "ses-transient-bounce",
        "ses-undetermined-bounce",
    ],
)
def test_other_events_change_nothing(client, florida, smtp_inbox, report):
    subscribed("ann@example.org", "US-FL")

    assert _post(client, report).status_code == 200

    assert EmailSubscription.objects.get().suppressed_at is None
    _change_mailed(florida)
    assert recipients(smtp_inbox.wait_for(1)) == ["ann@example.org"]


PERMANENT_BOUNCES = {
    "postmark": postmark(_postmark_bounce("gone@example.org")),
    "mailgun": mailgun(_mailgun_failed("gone@example.org")),
    "ses": ses(_ses_bounce("gone@example.org")),
}


@pytest.mark.parametrize(
    ("provider", "secret", "status"),
    [
        ("postmark", None, 400),
        ("postmark", "provider:a-wrong-password", 400),
        ("mailgun", None, 400),
        ("mailgun", "provider:a-wrong-password", 400),
        ("ses", None, 401),  # SNS sends its basic auth only when asked (401)
        ("ses", "provider:a-wrong-password", 400),
    ],
)
def test_a_request_without_the_secret_is_refused(client, florida, provider, secret, status):
    subscribed("gone@example.org", "US-FL")

    assert _post(client, PERMANENT_BOUNCES[provider], secret=secret).status_code == status

    assert EmailSubscription.objects.get().suppressed_at is None


def test_a_mailgun_report_signed_with_another_key_is_refused(client, florida):
    subscribed("gone@example.org", "US-FL")
    forged = mailgun(_mailgun_failed("gone@example.org"), signing_key="someone-elses-key")

    assert _post(client, forged).status_code == 400

    assert EmailSubscription.objects.get().suppressed_at is None


@pytest.mark.parametrize("provider", ["postmark", "mailgun", "ses"])
def test_reports_are_ignored_while_the_webhooks_have_no_secret(client, florida, settings, provider):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_SIGNING_KEY}
    subscribed("gone@example.org", "US-FL")

    with warnings.catch_warnings():
        # Postmark's and SES's views warn that they are open to anyone (Mailgun's checks
        # its signature instead): that is the point of ignoring their reports.
        warnings.simplefilter("ignore", AnymailInsecureWebhookWarning)
        response = _post(client, PERMANENT_BOUNCES[provider], secret=None)

    assert response.status_code == 200
    assert EmailSubscription.objects.get().suppressed_at is None
