"""The one Retry-After parser, for source checks and webhook deliveries."""

import datetime
import email.utils


def retry_after_seconds(value: str | None, *, now: datetime.datetime) -> float | None:
    """Seconds to wait from `now`: a Retry-After of delta-seconds or an HTTP date.

    None when absent or unreadable; never negative. An HTTP date is GMT by definition
    (RFC 9110), so one written without a zone is read as UTC rather than thrown away.
    """
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return max(0.0, (moment - now).total_seconds())
