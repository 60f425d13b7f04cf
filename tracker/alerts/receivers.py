"""django-anymail's tracking signal: a hosted provider's reports about sent mail."""

from anymail.signals import EventType
from django.conf import settings

from tracker.alerts.email_services import email_provider_report

# Anymail's "bounced" is permanent (a temporary failure is "deferred"); a complaint is a
# person marking the mail as spam. Every other event (delivered, opened, ...) changes nothing.
SUPPRESSING_EVENTS = {EventType.BOUNCED, EventType.COMPLAINED}


def provider_tracking_receive(sender, event, esp_name, **kwargs):
    # Without the webhooks' basic auth anyone could post a bounce and stop someone's alerts.
    if event.event_type not in SUPPRESSING_EVENTS or not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        return
    if event.recipient and not _soft_bounce(event, esp_name):
        email_provider_report(
            kind=f"{event.event_type} at {esp_name}",
            recipient=event.recipient,
            description=event.description or event.mta_response or "",
        )


def _soft_bounce(event, esp_name: str) -> bool:
    """Amazon SES reports a transient or undetermined bounce (a full mailbox, an
    auto-reply) as "bounced" too; only its bounceType "Permanent" is for good."""
    if esp_name != "Amazon SES" or event.event_type != EventType.BOUNCED:
        return False
    return event.esp_event.get("bounce", {}).get("bounceType") != "Permanent"
