"""The changes list (the API's /changes, the changes feed, the home page): each version with
the one before it, in a number of queries that does not grow with the number of rows."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jurisdictions import selectors
from jurisdictions.models import DatePrecision, Jurisdiction
from tests.factories import make_curator, make_jurisdiction, record_status

pytestmark = pytest.mark.django_db

# A place's versions, in order: a seeded legal status, a regulated one from a month on, then
# a curator's ban. Each differs from the one before in status, rules and effective date.
STEPS = [
    {"status": "legal"},
    {
        "status": "regulated",
        "min_age": 21,
        "effective_date": datetime.date(2026, 3, 1),
        "effective_date_precision": DatePrecision.MONTH,
    },
    {"status": "banned", "curator": True},
]


def _record(count: int, curator) -> None:
    """`count` more versions, three per place, each place after the last one recorded."""
    start = Jurisdiction.objects.filter(code__startswith="US-X").count()
    for n in itertools.count(start):
        place = make_jurisdiction(f"US-X{n}", name=f"Place {n}")
        for step in STEPS:
            if count == 0:
                return
            step = dict(step)
            user = curator if step.pop("curator", False) else None
            record_status(place, step.pop("status"), user=user, **step)
            count -= 1


def _changes(**kwargs) -> tuple[list[str], list]:
    with CaptureQueriesContext(connection) as queries:
        changes = selectors.changes_list(**kwargs)
    return [query["sql"] for query in queries.captured_queries], changes


def _previous(version) -> tuple:
    return version.previous_status, version.previous_rules, version.previous_effective


def test_the_changes_list_reads_50_changes_in_as_many_queries_as_5():
    curator = make_curator()
    _record(5, curator)
    few, changes = _changes()
    assert len(changes) == 5
    _record(45, curator)
    many, changes = _changes()
    assert len(changes) == 50
    assert len(few) == len(many) == 1
    # In it, one subquery per row finds the previous version and returns all its columns
    # (one per column, 19, did before).
    assert many[0].count("SELECT") == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"oldest_first": True},
        # The previous version of a curator's change may be the reference data's.
        {"curator_only": True},
        {"since": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC), "limit": 4},
    ],
)
def test_each_change_carries_the_version_before_it_as_the_history_shows_it(kwargs):
    _record(8, make_curator())
    _, changes = _changes(**kwargs)
    assert changes
    history = {
        version.pk: _previous(version)
        for place in Jurisdiction.objects.filter(code__startswith="US-X")
        for version in selectors.jurisdiction_history(jurisdiction=place)
    }
    assert [_previous(version) for version in changes] == [history[v.pk] for v in changes]
    assert {version.previous_status for version in changes} - {None}
    if kwargs.get("curator_only"):
        assert {version.previous_status for version in changes} == {"regulated"}
    # The regulated versions stand beside the legal ones before them, month precision kept.
    regulated = [version for version in changes if version.status == "regulated"]
    for version in regulated:
        assert version.previous_status == "legal"
        assert version.previous_effective == (None, DatePrecision.DAY)
    for version in changes:
        if version.previous_status == "regulated":
            assert version.previous_effective == (datetime.date(2026, 3, 1), DatePrecision.MONTH)
            assert version.previous_rules["leaf"].min_age == 21
