import datetime

import pytest
from django.core.exceptions import ValidationError

from jurisdictions.models import Status, StatusVersion
from jurisdictions.services import statuses
from tests.factories import make_jurisdiction, make_user, record_status

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 21)


def test_recording_a_status_appends_a_version_and_moves_the_pointer():
    texas = make_jurisdiction("US-TX")
    first = record_status(texas, "legal", today=TODAY)
    second = record_status(texas, "regulated", user=make_user(), min_age=21, today=TODAY)
    texas.refresh_from_db()
    assert texas.current_status == second
    assert texas.status == Status.REGULATED
    assert list(texas.versions.newest_first()) == [second, first]
    assert StatusVersion.objects.get(pk=first.pk).status == "legal"  # untouched


def test_a_jurisdiction_without_a_version_is_unverified():
    assert make_jurisdiction("US-GU").status == Status.UNVERIFIED


def test_a_failure_half_way_leaves_no_version_and_no_moved_pointer(monkeypatch):
    texas = make_jurisdiction("US-TX")
    before = record_status(texas, "legal", today=TODAY)

    # Fault injection (the only stand-in here): the process fails after the version row is
    # written and before the pointer moves.
    def crash(*args, **kwargs):
        raise RuntimeError("crash between the two writes")

    monkeypatch.setattr(statuses, "_pointers_after", crash)
    with pytest.raises(RuntimeError):
        record_status(texas, "banned", today=TODAY)
    texas.refresh_from_db()
    assert texas.current_status == before
    assert texas.versions.count() == 1


def test_a_status_without_a_citation_is_refused():
    texas = make_jurisdiction("US-TX")
    with pytest.raises(ValidationError, match="at least one citation"):
        record_status(texas, "banned", citations=[])
    with pytest.raises(ValidationError, match="must be http"):
        record_status(texas, "banned", citations=[{"url": "javascript:alert(1)"}])
    assert texas.versions.count() == 0


def test_a_future_dated_version_stays_upcoming_until_its_day():
    texas = make_jurisdiction("US-TX")
    current = record_status(texas, "legal", today=TODAY)
    upcoming = record_status(
        texas, "banned", effective_date=datetime.date(2026, 12, 1), today=TODAY
    )
    texas.refresh_from_db()
    assert (texas.current_status, texas.upcoming_status) == (current, upcoming)

    assert statuses.statuses_promote_due(today=datetime.date(2026, 11, 30)) == []
    assert statuses.statuses_promote_due(today=datetime.date(2026, 12, 1)) == [upcoming.id]
    assert statuses.statuses_promote_due(today=datetime.date(2026, 12, 1)) == []  # once only
    texas.refresh_from_db()
    assert (texas.current_status, texas.upcoming_status) == (upcoming, None)


def test_correcting_todays_status_keeps_the_scheduled_change():
    texas = make_jurisdiction("US-TX")
    scheduled = record_status(
        texas, "banned", effective_date=datetime.date(2027, 1, 1), today=TODAY
    )
    corrected = record_status(texas, "regulated", summary="corrected wording", today=TODAY)
    texas.refresh_from_db()
    assert (texas.current_status, texas.upcoming_status) == (corrected, scheduled)


def test_a_newer_future_version_replaces_the_scheduled_one():
    texas = make_jurisdiction("US-TX")
    record_status(texas, "banned", effective_date=datetime.date(2027, 1, 1), today=TODAY)
    moved = record_status(texas, "banned", effective_date=datetime.date(2027, 7, 1), today=TODAY)
    texas.refresh_from_db()
    assert texas.upcoming_status == moved


def test_a_curator_confirmation_records_who_verified_and_when():
    texas = make_jurisdiction("US-TX")
    curator = make_user("carol")
    record_status(texas, "regulated", user=curator, as_of=datetime.date(2026, 11, 20), today=TODAY)
    texas.refresh_from_db()
    assert texas.last_verified_on == datetime.date(2026, 11, 20)
    assert texas.last_verified_by == curator
