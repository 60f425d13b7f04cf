"""Status recording: every status change passes through status_record (or
status_record_locked), and scheduled changes become current through statuses_promote_due."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jurisdictions import signals
from jurisdictions.citations import citations_clean, citations_error
from jurisdictions.generation import public_generation_bump
from jurisdictions.models import DatePrecision, Jurisdiction, StatusVersion
from jurisdictions.rules import ProductRule, derived_fields, rule_columns, rules_stated


def _pointers_after(jurisdiction: Jurisdiction, version: StatusVersion, today: datetime.date):
    """Where the new version goes: current (in force) or upcoming (effective in the future)."""
    if version.effective_date and version.effective_date > today:
        # The newest word on the future wins: a curator cancels or moves a scheduled change
        # by confirming another future version.
        return jurisdiction.current_status_id, version.id
    # A correction of today's status leaves a scheduled change in place: the law that
    # takes effect later still does.
    return version.id, jurisdiction.upcoming_status_id


def _last_verified_after(jurisdiction: Jurisdiction, *, as_of: datetime.date, by) -> dict:
    """The newer of the two verifications wins, with its author (None: the reference data),
    so a page never credits one with the other's date."""
    if jurisdiction.last_verified_on and jurisdiction.last_verified_on > as_of:
        return {"last_verified_on": jurisdiction.last_verified_on}
    return {"last_verified_on": as_of, "last_verified_by_id": getattr(by, "pk", None)}


@transaction.atomic
def status_record(*, jurisdiction: Jurisdiction, **facts) -> StatusVersion:
    """Append a status version and move the jurisdiction's pointers, all or nothing.

    The keyword arguments are status_record_locked's. `jurisdiction` gets the new pointers too.
    """
    # Lock the row so two confirmations for one jurisdiction serialise.
    locked = Jurisdiction.objects.select_for_update().get(pk=jurisdiction.pk)
    version = status_record_locked(locked=locked, **facts)
    pointers_copy(source=locked, target=jurisdiction)
    return version


def status_record_locked(
    *,
    locked: Jurisdiction,
    rules: dict[str, ProductRule],
    summary: str,
    citations: list[dict],
    as_of: datetime.date,
    origin: str,
    confirmed_by=None,
    effective_date: datetime.date | None = None,
    effective_date_precision: str = DatePrecision.DAY,
    note: str = "",
    today: datetime.date | None = None,
) -> StatusVersion:
    """status_record on a jurisdiction row the caller has locked in its transaction (a
    caller that holds the lock passes the row down rather than lock it again); `locked`
    gets the new pointers.

    The headline status, minimum age and 7-OH text are derived from the rules (rules.py).
    A version effective in the future becomes *upcoming*; statuses_promote_due makes it
    current on the day.
    """
    today = today or timezone.localdate()
    citations = citations_clean(citations)
    if error := citations_error(citations, required=rules_stated(rules)):
        raise ValidationError({"citations": error})
    version = StatusVersion(
        jurisdiction=locked,
        **derived_fields(rules),
        **rule_columns(rules),
        summary=summary.strip(),
        effective_date=effective_date,
        effective_date_precision=effective_date_precision,
        citations=citations,
        as_of=as_of,
        origin=origin,
        note=note,
        confirmed_by=confirmed_by,
        confirmed_at=timezone.now(),
    )
    # Field checks only: the table's CHECK constraints are the database's to enforce (a
    # curator's rules were checked by rules_errors before), and the FKs are rows in hand.
    version.full_clean(exclude=["jurisdiction", "confirmed_by"], validate_constraints=False)
    version.save()
    previous_id = locked.current_status_id
    current_id, upcoming_id = _pointers_after(locked, version, today)
    pointers = {
        "current_status_id": current_id,
        "upcoming_status_id": upcoming_id,
        **_last_verified_after(locked, as_of=as_of, by=confirmed_by),
        "updated_at": timezone.now(),
    }
    Jurisdiction.objects.filter(pk=locked.pk).update(**pointers)
    for name, value in pointers.items():
        setattr(locked, name, value)
    signals.status_changed.send(
        sender=StatusVersion,
        jurisdiction_id=locked.pk,
        version=version,
        previous_id=previous_id,
        became_current=current_id == version.id,
    )
    transaction.on_commit(public_generation_bump)
    return version


POINTER_FIELDS = (
    "current_status_id",
    "upcoming_status_id",
    "last_verified_on",
    "last_verified_by_id",
    "updated_at",
)


def pointers_copy(*, source: Jurisdiction, target: Jurisdiction) -> None:
    """Give the caller's instance the pointers just written (no read-back: they are known)."""
    if target is not source:
        for name in POINTER_FIELDS:
            setattr(target, name, getattr(source, name))


def statuses_promote_due(*, today: datetime.date | None = None) -> list[int]:
    """Make every upcoming version whose effective date has come current. Returns their ids."""
    today = today or timezone.localdate()
    due = Jurisdiction.objects.filter(upcoming_status__effective_date__lte=today)
    promoted = []
    for jurisdiction in due.select_related("upcoming_status"):
        version = jurisdiction.upcoming_status
        if _promote(jurisdiction.pk, version):
            promoted.append(version.pk)
    return promoted


@transaction.atomic
def _promote(jurisdiction_id: int, version: StatusVersion) -> bool:
    previous_id = Jurisdiction.objects.values_list("current_status_id", flat=True).get(
        pk=jurisdiction_id
    )
    # Conditional update: a second run (or a second beat) finds nothing to do.
    changed = Jurisdiction.objects.filter(pk=jurisdiction_id, upcoming_status=version).update(
        current_status=version, upcoming_status=None, updated_at=timezone.now()
    )
    if changed:
        signals.status_changed.send(
            sender=StatusVersion,
            jurisdiction_id=jurisdiction_id,
            version=version,
            previous_id=previous_id,
            became_current=True,
        )
        transaction.on_commit(public_generation_bump)
    return changed == 1
