"""Small builders for test data."""

import datetime

from django.contrib.auth import get_user_model

from jurisdictions.models import Jurisdiction, Level, Origin
from jurisdictions.services import status_record

CITATION = {
    "title": "Test statute",
    "url": "https://law.example.gov/kratom",
    "text": "Test Code 1-2-3",
}


def make_jurisdiction(code: str, *, name: str | None = None, level=None, parent=None):
    if level is None:
        level = Level.COUNTRY if "-" not in code else Level.STATE
    if parent is None and level != Level.COUNTRY:
        parent = Jurisdiction.objects.get_or_create(
            code=code.split("-")[0], defaults={"name": code.split("-")[0], "level": Level.COUNTRY}
        )[0]
    return Jurisdiction.objects.create(code=code, name=name or code, level=level, parent=parent)


def make_user(username: str = "someone", **extra):
    return get_user_model().objects.create_user(
        username=username, password="pw-for-tests-only", **extra
    )


def record_status(jurisdiction, status="regulated", *, user=None, **overrides):
    fields = {
        "summary": f"{status} for testing",
        "citations": [CITATION],
        "as_of": datetime.date(2026, 11, 1),
        "origin": Origin.CURATOR if user else Origin.SEED,
        "confirmed_by": user,
    }
    fields.update(overrides)
    return status_record(jurisdiction=jurisdiction, status=status, **fields)
