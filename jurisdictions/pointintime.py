"""The law as it was (or will be) on a date: `?on=YYYY-MM-DD` on the public reads.

A version is in force from its effective date (scheduled versions included) until a later
confirmed version has started; a version with no effective date is known to hold from the
date it was verified as of. An effective date known only to the year or month covers a period: a date inside it
is *uncertain* (the earlier version or this one), never a guess. A date before the first
version is *unknown*: the baseline, never an invented status.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.utils.dateparse import parse_date

from jurisdictions.models import DatePrecision, Jurisdiction, StatusVersion


class Certainty:
    KNOWN = "known"
    UNCERTAIN = "uncertain"
    UNKNOWN = "unknown"


class OnMalformed(ValueError):
    pass


ON_FORMAT = "on must be a date YYYY-MM-DD, e.g. 2016-05-10."


def on_parse(raw: str | None) -> datetime.date | None:
    """The `on` parameter as a date, None when absent; OnMalformed when it is not a date."""
    if raw is None:
        return None
    try:
        day = parse_date(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise OnMalformed(ON_FORMAT)
    return day


def _period(version: StatusVersion) -> tuple[datetime.date, datetime.date]:
    """The first and last day the version may have taken effect on."""
    day = version.effective_date
    if day is None:
        return version.as_of, version.as_of
    if version.effective_date_precision == DatePrecision.YEAR:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    if version.effective_date_precision == DatePrecision.MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return datetime.date(day.year, day.month, 1), datetime.date(day.year, day.month, last)
    return day, day


@dataclass(frozen=True)
class InForce:
    """What held on one date: the version (None unless known), or the two candidates."""

    on: datetime.date
    certainty: str
    version: StatusVersion | None = None
    # When uncertain: the version that may not have taken effect yet, and the one before it.
    candidates: tuple[StatusVersion | None, StatusVersion | None] = (None, None)

    @property
    def label(self) -> str:
        return on_label(self.on)


def on_label(on: datetime.date) -> str:
    return f"as in force on {on.isoformat()}"


def in_force(versions: list[StatusVersion], on: datetime.date) -> InForce:
    """The version in force on a date among one place's versions (any order): of those
    that had started by then, the latest confirmed, as the status service makes a version
    current (a later confirmation corrects an earlier one)."""
    started = sorted(
        (v for v in versions if _period(v)[0] <= on), key=lambda v: (v.confirmed_at, v.pk)
    )
    if not started:
        return InForce(on, Certainty.UNKNOWN)
    latest = started[-1]
    if on < _period(latest)[1]:
        earlier = started[-2] if len(started) > 1 else None
        return InForce(on, Certainty.UNCERTAIN, candidates=(earlier, latest))
    return InForce(on, Certainty.KNOWN, version=latest)


def versions_by_jurisdiction(ids) -> dict[int, list[StatusVersion]]:
    """Every version of these places, in one query."""
    found: dict[int, list[StatusVersion]] = {}
    for version in StatusVersion.objects.filter(jurisdiction_id__in=list(ids)):
        found.setdefault(version.jurisdiction_id, []).append(version)
    return found


def as_in_force_on(jurisdictions: list[Jurisdiction], on: datetime.date) -> None:
    """Make these (freshly read, never saved) places answer as on `on`: the version then in
    force becomes current, nothing is upcoming, and each carries its InForce as `in_force`.

    Every reader of `current_status` (rules, serializers, ZIP answers) then answers for that
    date with no code of its own; one query for all the places."""
    versions = versions_by_jurisdiction(j.pk for j in jurisdictions)
    for jurisdiction in jurisdictions:
        held = in_force(versions.get(jurisdiction.pk, []), on)
        jurisdiction.current_status = held.version
        jurisdiction.upcoming_status = None
        jurisdiction.in_force = held
