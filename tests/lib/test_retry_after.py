"""One Retry-After parser for source checks and webhook deliveries."""

import datetime

import pytest

from tracker.lib.retry_after import retry_after_seconds

NOW = datetime.datetime(2026, 11, 21, 12, 0, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7200 ", 7200.0),
        ("Sat, 21 Nov 2026 12:02:00 GMT", 120.0),
        # An HTTP date is GMT by definition: one written without a zone means the same.
        ("Sat, 21 Nov 2026 12:02:00", 120.0),
        ("Sat, 21 Nov 2026 13:02:00 +0100", 120.0),
        ("Sat, 21 Nov 2026 11:00:00 GMT", 0.0),  # in the past: now
    ],
)
def test_seconds_and_http_dates_are_understood(header, seconds):
    assert retry_after_seconds(header, now=NOW) == seconds


@pytest.mark.parametrize("header", [None, "", "soon", "-5", "1.5", "١٢٠", "Sat, 99 Nov 2026"])
def test_anything_else_is_no_retry_after(header):
    assert retry_after_seconds(header, now=NOW) is None
