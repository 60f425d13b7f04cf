import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jurisdictions.models import Decision, Jurisdiction, Level, Origin, StatusVersion
from jurisdictions.services import decisions
from jurisdictions.services.decisions import StatusFacts
from tests.factories import CITATION, make_curator, make_jurisdiction, record_status, rules_for

pytestmark = pytest.mark.django_db


def _version(jurisdiction, **overrides):
    fields = {
        "jurisdiction": jurisdiction,
        "status": "legal",
        "summary": "No law found.",
        "as_of": datetime.date(2026, 1, 1),
        "origin": Origin.SEED,
        "confirmed_at": timezone.now(),
    }
    fields.update(overrides)
    return StatusVersion(**fields)


def _rejected(build):
    with pytest.raises(IntegrityError), transaction.atomic():
        build()


def test_the_database_rejects_a_malformed_code():
    _rejected(lambda: Jurisdiction.objects.create(code="texas", name="Texas", level=Level.COUNTRY))


def test_the_database_rejects_a_duplicate_code_and_ocd_id():
    make_jurisdiction("US")
    _rejected(lambda: Jurisdiction.objects.create(code="US", name="Again", level=Level.COUNTRY))
    Jurisdiction.objects.create(
        code="TH", name="Thailand", level="country", ocd_id="ocd-division/country:th"
    )
    _rejected(
        lambda: Jurisdiction.objects.create(
            code="MY", name="Malaysia", level="country", ocd_id="ocd-division/country:th"
        )
    )


def test_the_database_rejects_a_country_with_a_parent_and_a_state_without_one():
    us = make_jurisdiction("US")
    _rejected(lambda: Jurisdiction.objects.create(code="TH", name="T", level="country", parent=us))
    _rejected(lambda: Jurisdiction.objects.create(code="US-TX", name="Texas", level="state"))


def test_the_database_rejects_an_unknown_level_and_a_bad_ocd_id():
    _rejected(lambda: Jurisdiction.objects.create(code="FR", name="France", level="planet"))
    _rejected(
        lambda: Jurisdiction.objects.create(code="FR", name="France", level="country", ocd_id="fr")
    )


def test_clean_refuses_a_parent_of_a_lower_level():
    texas = make_jurisdiction("US-TX")
    city = make_jurisdiction("US-TX-AUSTIN", level=Level.CITY, parent=texas)
    county = Jurisdiction(code="US-TX-TRAVIS", name="Travis", level=Level.COUNTY, parent=city)
    with pytest.raises(Exception, match="cannot sit below a city"):
        county.full_clean()


def test_the_database_rejects_an_absurd_min_age_an_empty_summary_and_an_unnamed_curator():
    texas = make_jurisdiction("US-TX")
    _rejected(lambda: _version(texas, min_age=99).save())
    _rejected(lambda: _version(texas, summary="").save())
    _rejected(lambda: _version(texas, status="maybe").save())
    _rejected(lambda: _version(texas, origin=Origin.CURATOR, confirmed_by=None).save())


def test_a_status_version_cannot_be_updated_or_deleted():
    version = record_status(make_jurisdiction("US-TX"))
    version.summary = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        version.save()
    with pytest.raises(ValueError, match="append-only"):
        version.delete()
    assert StatusVersion.objects.get(pk=version.pk).summary != "rewritten"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE jurisdictions_statusversion SET summary = 'rewritten'",
        "DELETE FROM jurisdictions_statusversion",
        "UPDATE jurisdictions_decision SET reason = 'rewritten'",
        "DELETE FROM jurisdictions_decision",
    ],
)
def test_the_database_refuses_a_raw_update_or_delete_of_history(statement):
    texas = make_jurisdiction("US-TX")
    curator = make_curator()
    decisions.status_decide(
        actor=curator,
        jurisdiction=texas,
        facts=StatusFacts(
            rules=rules_for("regulated"),
            summary="KCPA.",
            citations=[CITATION],
            as_of=datetime.date.today(),
        ),
        seen_version_id=None,
        reason="KCPA",
    )
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)
    assert StatusVersion.objects.get().summary == "KCPA."
    assert Decision.objects.get().reason == "KCPA"


def test_the_database_refuses_a_queryset_update_of_a_superseded_version():
    texas = make_jurisdiction("US-TX")
    old = record_status(texas, "legal")
    record_status(texas, "regulated")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        StatusVersion.objects.filter(pk=old.pk).update(status="banned")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        StatusVersion.objects.filter(pk=old.pk)._raw_delete(connection.alias)
    assert StatusVersion.objects.get(pk=old.pk).status == "legal"
