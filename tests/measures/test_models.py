import datetime

import pytest
from django.db import IntegrityError, transaction

from tests.measures.factories import make_measure
from tracker.measures.models import MeasureAction, NextDateKind, Provider

pytestmark = pytest.mark.django_db


def test_a_provider_record_is_one_measure():
    measure = make_measure()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measure(measure.jurisdiction, provider_key=measure.provider_key)
    # The same key from another provider is another record.
    make_measure(
        measure.jurisdiction, provider=Provider.LEGISCAN, provider_key=measure.provider_key
    )


def test_a_next_date_says_what_happens_on_it():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measure(next_date=datetime.date(2026, 7, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measure(next_date_kind=NextDateKind.EFFECTIVE)
    make_measure(next_date=datetime.date(2026, 7, 1), next_date_kind=NextDateKind.EFFECTIVE)


def test_would_change_takes_a_rule_value_or_unchanged_only():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measure(change_7oh="forbidden")
    assert make_measure(change_7oh="banned", change_leaf="unchanged").changes == {
        "leaf": "unchanged",
        "extract": "unknown",
        "7oh": "banned",
        "synthetic": "unknown",
    }


def test_a_low_confidence_row_is_not_public_until_a_curator_reviewed_it():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_measure(confidence="low", review="relevant")
    make_measure(confidence="low", review="lead")


def test_actions_are_append_only_in_the_database():
    measure = make_measure()
    action = MeasureAction.objects.create(
        measure=measure, date=datetime.date(2026, 1, 20), description="Introduced", key="k1"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasureAction.objects.create(measure=measure, description="Introduced", key="k1")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        MeasureAction.objects.filter(pk=action.pk).update(description="Rewritten")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        MeasureAction.objects.filter(pk=action.pk).delete()
    with pytest.raises(ValueError):
        action.save()
