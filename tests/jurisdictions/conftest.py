import pytest


@pytest.fixture(autouse=True)
def _fixed_date_data_stays_current(settings):
    """The sample data carries fixed dates (verified 2026-11-01) while the clock moves on:
    without this, the pages and API answers these tests check would turn stale on their own
    some day. Tests of staleness set VERIFICATION_STALE_DAYS themselves."""
    settings.VERIFICATION_STALE_DAYS = 36500
