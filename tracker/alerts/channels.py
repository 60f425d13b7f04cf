"""One class per channel (as Healthchecks does): each turns claimed deliveries into messages
and sends one message, with the same methods, so the delivery engine in services.py (claims,
retries, the sweeper, the log) is shared by webhooks and email.

A message is a group of deliveries: a webhook request carries one; a mail carries all the
claimed deliveries of one email subscription (one change, or a week's in a digest).
"""

import logging
import smtplib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tracker.alerts import signing
from tracker.alerts.models import MEASURE_EVENTS, Channel, Delivery, EventType, Subscription
from tracker.lib import http
from tracker.lib.retry_after import retry_after_seconds

logger = logging.getLogger(__name__)

EXCERPT_BYTES = 2048
GONE = 410
THROTTLED = {429, 503}
# An SMTP connection idle longer than this is closed before the next mail: servers drop
# idle clients (RFC 5321 asks them to wait 5 minutes; many wait less).
SMTP_IDLE_SECONDS = 30


@dataclass
class Outcome:
    # An HTTP status, or an SMTP reply code: both protocols say success with 2xx.
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    latency_ms: int = 0
    retry_after: float | None = None
    permanent: str = ""  # why no retry can succeed (a refused endpoint, 410, SMTP 5xx)

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


Message = tuple[list[Delivery], Callable[[], Outcome]]


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


class WebhookChannel:
    def timeout(self) -> float:
        return settings.WEBHOOK_TIMEOUT_SECONDS

    def messages(self, deliveries: list[Delivery], now) -> list[Message]:
        from tracker.alerts.services import event_body, subscription_secrets

        timestamp = int(time.time())
        bodies: dict = {}
        messages = []
        for delivery in deliveries:
            event = delivery.event
            if event.pk not in bodies:
                bodies[event.pk] = event_body(event=event)
            body = bodies[event.pk]
            secrets_now = subscription_secrets(subscription=delivery.subscription, now=now)
            headers = signing.headers(
                secrets=secrets_now, webhook_id=event.webhook_id, timestamp=timestamp, body=body
            )
            url = delivery.subscription.url
            messages.append(([delivery], partial(self.post, url, headers, body)))
        return messages

    def post(self, url: str, headers: dict, body: bytes) -> Outcome:
        timeout = settings.WEBHOOK_TIMEOUT_SECONDS
        started = time.monotonic()
        try:
            response = http.request(
                "POST",
                url,
                headers=headers,
                data=body,
                timeout=(min(5.0, timeout), timeout),
                deadline_seconds=timeout,
                max_bytes=EXCERPT_BYTES,
                truncate=True,
                max_redirects=0,
            )
        except http.BlockedDestination as exc:
            return Outcome(
                error=str(exc),
                permanent=f"endpoint refused by the outbound guard: {exc}",
                latency_ms=_ms_since(started),
            )
        except http.OutboundError as exc:
            return Outcome(error=str(exc), latency_ms=_ms_since(started))
        except Exception as exc:  # one odd endpoint must not lose the batch's other outcomes
            logger.exception("Webhook request to %s failed unexpectedly", url)
            return Outcome(error=f"{type(exc).__name__}: {exc}", latency_ms=_ms_since(started))
        return self._outcome(response)

    def _outcome(self, response) -> Outcome:
        outcome = Outcome(
            status_code=response.status_code,
            # PostgreSQL text cannot hold NUL; the excerpt is for people to read.
            excerpt=response.text.replace("\x00", "\ufffd"),
            latency_ms=response.elapsed_ms,
        )
        if response.status_code in THROTTLED:
            outcome.retry_after = retry_after_seconds(
                response.headers.get("Retry-After"), now=timezone.now()
            )
        if response.status_code == GONE:
            outcome.permanent = "endpoint answered 410 Gone"
        if not outcome.succeeded:
            outcome.error = f"HTTP {response.status_code}"
            if 300 <= response.status_code < 400:
                outcome.error += " (redirects are not followed)"
        return outcome

    def give_up(self, owner_id: int, reason: str) -> None:
        """Disable the subscription (and tell the curators, once)."""
        from tracker.alerts.services import curators_tell_disabled, subscription_disable

        if subscription_disable(subscription_id=owner_id, reason=reason):
            curators_tell_disabled(Subscription.objects.get(pk=owner_id), reason)


class EmailChannel:
    """Mail through Django's email framework (SMTP, or a hosted provider's backend).

    Each sending thread keeps its own connection open across the mails it sends, so a batch
    pays for one SMTP handshake per thread, not per mail.
    """

    local = threading.local()

    def timeout(self) -> float:
        return settings.EMAIL_TIMEOUT

    def messages(self, deliveries: list[Delivery], now) -> list[Message]:
        groups: dict[int, list[Delivery]] = {}
        for delivery in sorted(deliveries, key=lambda d: d.event.created_at):
            groups.setdefault(delivery.email_subscription_id, []).append(delivery)
        # Rendered here, in the task's thread (the pool's threads only send), each distinct
        # mail once.
        rendered: dict = {}
        return [
            (group, partial(self.send, alert_message(group, rendered))) for group in groups.values()
        ]

    def _connection(self):
        """This thread's open connection, or a new one when it idled too long or the mail
        settings changed since it was made (a test's SMTP server)."""
        made_for = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)
        connection = getattr(self.local, "connection", None)
        idle = time.monotonic() - getattr(self.local, "used_at", 0.0)
        if connection is not None and (idle > SMTP_IDLE_SECONDS or self.local.made_for != made_for):
            connection.close()
            connection = None
        if connection is None:
            connection = self.local.connection = mail.get_connection(fail_silently=False)
            self.local.made_for = made_for
        return connection

    def send(self, message: mail.EmailMessage) -> Outcome:
        started = time.monotonic()
        connection = self._connection()
        try:
            connection.open()  # no-op while it is open
            connection.send_messages([message])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            return self._refused(code, text, started)
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the connection
                connection.close()
            return self._refused(exc.smtp_code, exc.smtp_error, started)
        except Exception as exc:  # connection lost or refused, a provider's API error
            connection.close()
            return Outcome(error=f"{type(exc).__name__}: {exc}", latency_ms=_ms_since(started))
        finally:
            self.local.used_at = time.monotonic()
        return Outcome(status_code=250, latency_ms=_ms_since(started))

    def _refused(self, code: int, text, started: float) -> Outcome:
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        outcome = Outcome(
            status_code=code, error=f"SMTP {code} {text}"[:2000], latency_ms=_ms_since(started)
        )
        if 500 <= code < 600:
            outcome.permanent = f"the mail server refused the address: SMTP {code} {text}"[:500]
        return outcome

    def give_up(self, owner_id: int, reason: str) -> None:
        from tracker.alerts.email_services import email_suppress

        email_suppress(subscription_id=owner_id, reason=reason)


CHANNELS = {Channel.WEBHOOK: WebhookChannel(), Channel.EMAIL: EmailChannel()}


# The mail ------------------------------------------------------------------------------


def manage_links(key) -> dict:
    return {
        "manage": settings.SITE_URL + reverse("alerts:manage", args=[key]),
        "unsubscribe": settings.SITE_URL + reverse("alerts:unsubscribe", args=[key]),
    }


def _changes(event, categories: list[str]) -> dict:
    """One change as the mail tells it, for the subscriber's product categories only."""
    from jurisdictions.models import Category
    from jurisdictions.rules import ProductRule

    data = event.data
    labels = [Category(category).label for category in categories]
    rules = []
    for category in categories:
        rule = data["new"]["rules"][category]
        rules.append(
            ProductRule(
                category=category,
                rule=rule["rule"],
                scope=rule["scope"] or "",
                min_age=rule["min_age"],
                limit=rule["limit"] or "",
            )
        )
    return {
        "place": data["jurisdiction"]["name"],
        "subject": f"Kratom law: a change in {data['jurisdiction']['name']}",
        "in_force": event.type == EventType.STATUS_CHANGED,
        "changes": [line for line in data["changes"] if line.split(":")[0] in labels],
        "rules": rules,
        "effective_date": data["new"]["effective_date"],
        "summary": data["new"]["summary"],
        "citations": data["new"]["citations"],
        "url": data["url"],
    }


def _measure_stage(event, categories: list[str]) -> dict:
    """A bill or rule that appeared or moved, as the mail tells it: what /pending/ says of it
    (its stage, next date, what it would change to the subscriber's products, its source)."""
    from jurisdictions.models import Category
    from tracker.measures.models import Kind, NextDateKind, Stage

    data, measure = event.data, event.data["measure"]
    previous = data["previous_stage"]
    next_kind, kind = measure["next_date_kind"], Kind(measure["kind"]).label
    place = data["jurisdiction"]["name"]
    return {
        "place": place,
        "subject": f"Kratom {kind.lower()} {measure['identifier']} in {place}: "
        + measure["stage_label"].lower(),
        "measure": measure,
        "kind": kind,
        "previous_stage": Stage(previous).label if previous else "",
        "next": f"{NextDateKind(next_kind).label} {measure['next_date']}" if next_kind else "",
        "would_change": [
            (Category(category).label, change)
            for category, change in measure["would_change"].items()
            if category in categories and change != "unchanged"
        ],
        "url": data["url"],
    }


def _mail_item(event, categories: list[str]) -> dict:
    if event.type in MEASURE_EVENTS:
        return _measure_stage(event, categories)
    return _changes(event, categories)


# Stand-ins for a subscriber's own links: the rest of a mail depends only on its changes
# and products, so a fan-out renders each distinct mail once and fills in the links.
KEY_STAND_IN = "00000000-0000-4000-8000-a1e7a1e7a1e7"


class AlertMail(mail.EmailMultiAlternatives):
    """An alert: text and HTML, with a MIME boundary of its own. Left to the email package,
    each mail's boundary was a random one checked against the body with a regular expression
    compiled for it, a twentieth of a sending worker's time; 128 random bits cannot occur in
    a body by chance."""

    def message(self):
        message = super().message()
        message.set_boundary(f"=_{uuid.uuid4().hex}")
        return message


def alert_message(deliveries: list[Delivery], rendered: dict | None = None):
    """The mail of these deliveries (one subscriber's), with RFC 8058's one-click headers.

    `rendered`: a cache of subject, parts and unsubscribe header by content, shared across a
    batch.
    """
    subscription = deliveries[0].email_subscription
    content = (tuple(d.event_id for d in deliveries), tuple(subscription.categories))
    if rendered is None or content not in rendered:
        parts = _alert_parts(deliveries, subscription.categories)
        if rendered is None:
            rendered = {}
        rendered[content] = parts
    subject, text, html, list_unsubscribe = (
        part.replace(KEY_STAND_IN, str(subscription.key)) for part in rendered[content]
    )
    message = AlertMail(
        subject=subject,
        body=text,
        to=[subscription.email],
        headers={
            "List-Unsubscribe": list_unsubscribe,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _alert_parts(deliveries: list[Delivery], categories: list[str]) -> tuple[str, str, str, str]:
    """Subject, text, HTML and List-Unsubscribe header, with KEY_STAND_IN for the key."""
    links = manage_links(KEY_STAND_IN)
    context = {
        "items": [_mail_item(d.event, categories) for d in deliveries],
        "digest": len(deliveries) > 1,
        **links,
    }
    subject = context["items"][0]["subject"]
    if context["digest"]:
        places = ", ".join(sorted({item["place"] for item in context["items"]}))
        subject = f"Kratom law: {len(deliveries)} changes in {places}"
    return (
        subject[:200],
        render_to_string("alerts/email/alert.txt", context),
        render_to_string("alerts/email/alert.html", context),
        f"<{links['unsubscribe']}>, <{unsubscribe_mailto(KEY_STAND_IN)}>",
    )


def unsubscribe_mailto(key) -> str:
    return f"{settings.EMAIL_UNSUBSCRIBE_ADDRESS}?subject=unsubscribe%20{key}"
