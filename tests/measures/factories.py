"""Builders for measures in tests."""

import datetime

from tests.factories import make_jurisdiction
from tracker.measures.models import Kind, Measure, Provider, Review, Stage


def make_measure(jurisdiction=None, **fields) -> Measure:
    jurisdiction = jurisdiction or make_jurisdiction("US-TX")
    values = {
        "kind": Kind.BILL,
        "identifier": "HB 1",
        "title": "Relating to kratom",
        "provider": Provider.OPENSTATES,
        "provider_key": f"ocd-bill/{jurisdiction.code}-{fields.get('identifier', 'HB 1')}",
        "stage": Stage.INTRODUCED,
        "stage_date": datetime.date(2026, 1, 20),
        "review": Review.RELEVANT,
        **fields,
    }
    return Measure.objects.create(jurisdiction=jurisdiction, **values)
