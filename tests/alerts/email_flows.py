"""What the email alert tests share: subscribing through the public form, confirming from
the captured mail, and reading the mails a local SMTP server (aiosmtpd) received."""

import datetime
import re
from urllib.parse import urlsplit

from django.utils import timezone

from jurisdictions.models import Category
from jurisdictions.rules import ProductRule
from tests.factories import record_status, rules_for
from tracker.alerts import email_services, services
from tracker.alerts.models import Delivery, Frequency

LINK = re.compile(r"https?://\S+/alerts/confirm/\S+/")


NOW = datetime.datetime(2026, 11, 4, 12, 0, tzinfo=datetime.UTC)  # a Wednesday


def subscribe_post(client, email="ann@example.org", **fields):
    data = {"email": email, "place": "US-FL", "frequency": "immediate", **fields}
    return client.post("/alerts/subscribe/", data)


def confirm_path(message) -> str:
    """The path of the confirmation link in a captured mail."""
    return urlsplit(LINK.search(message.get_content()).group(0)).path


def subscribed(
    email: str,
    *codes: str,
    zip_code="",
    categories=None,
    frequency=Frequency.IMMEDIATE,
    measure_stages=False,
):
    """A confirmed subscription, made by the confirmation service from a signed link."""
    from django.core import signing

    request = email_services.AlertRequest(
        email=email,
        codes=list(codes),
        zip_code=zip_code,
        categories=categories or list(Category.values),
        frequency=frequency,
        measure_stages=measure_stages,
    )
    token = signing.dumps(request.__dict__, salt=email_services.LINK_SALT)
    return email_services.email_subscription_confirm(token=token)


def seven_oh_banned(state, **fields):
    """A change that touches 7-OH products only (from "regulated")."""
    rules = rules_for("regulated", seven_oh=ProductRule("7oh", "banned", "sale"))
    return record_status(state, rules=rules, **fields)


def recipients(messages) -> list[str]:
    return sorted(message["To"] for message in messages)


def text_part(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def send_due() -> int:
    """Send what is due now, in the order it was made, as the worker's tasks would."""
    ids = list(
        Delivery.objects.filter(state="pending", next_attempt_at__lte=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return services.deliveries_send(delivery_ids=ids)
