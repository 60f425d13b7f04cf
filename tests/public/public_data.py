"""A small published data set for the public page and API tests."""

import datetime

from jurisdictions.models import Category, DatePrecision, Level, Rule
from jurisdictions.rules import ProductRule
from tests.factories import make_jurisdiction, record_status, rules_for

TODAY = datetime.date(2026, 11, 21)


def publish_sample() -> dict:
    """Texas regulated (with history and an upcoming ban), California restricted with a
    banned city and an unverified county, Guam unverified, Thailand legal."""
    us = make_jurisdiction("US", name="United States (federal)")
    texas = make_jurisdiction("US-TX", name="Texas", parent=us)
    record_status(texas, "legal", today=TODAY)
    record_status(
        texas,
        "regulated",
        rules=rules_for(
            "regulated",
            min_age=18,
            seven_oh=ProductRule(
                Category.SEVEN_OH, Rule.REGULATED, limit="capped at 2% of alkaloids"
            ),
        ),
        effective_date=datetime.date(2019, 1, 1),
        effective_date_precision=DatePrecision.YEAR,
        today=TODAY,
    )
    record_status(
        texas,
        "banned",
        summary="Ban enacted for testing",
        effective_date=datetime.date(2027, 3, 1),
        today=TODAY,
    )
    california = make_jurisdiction("US-CA", name="California", parent=us)
    record_status(california, "restricted", today=TODAY)
    san_diego = make_jurisdiction(
        "US-CA-SAN-DIEGO", name="San Diego (city)", level=Level.CITY, parent=california
    )
    record_status(san_diego, "banned", today=TODAY)
    san_diego_county = make_jurisdiction(
        "US-CA-SAN-DIEGO-COUNTY", name="San Diego County", level=Level.COUNTY, parent=california
    )
    guam = make_jurisdiction("US-GU", name="Guam", level=Level.TERRITORY, parent=us)
    thailand = make_jurisdiction("TH", name="Thailand")
    record_status(thailand, "legal", today=TODAY)
    return {
        "us": us,
        "texas": texas,
        "california": california,
        "san_diego": san_diego,
        "san_diego_county": san_diego_county,
        "guam": guam,
        "thailand": thailand,
    }
