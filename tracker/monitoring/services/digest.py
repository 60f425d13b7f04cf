"""The curators' daily digest by email."""

import datetime

from django.conf import settings
from django.core.mail import send_mail

from jurisdictions import selectors as jurisdiction_selectors
from tracker.monitoring import selectors


def curators_digest_send(*, today: datetime.date | None = None) -> int:
    """Email curators what waits for them. Returns the number of recipients (0: nothing to say)."""
    digest = selectors.curator_digest(today=today)
    recipients = settings.CURATOR_EMAILS or jurisdiction_selectors.curator_emails()
    if not digest.has_news or not recipients:
        return 0
    send_mail(
        subject=f"[kratom tracker] {digest.headline}",
        message=digest.text(site_url=settings.SITE_URL),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
    return len(recipients)
