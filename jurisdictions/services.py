"""Writes to jurisdictions and their statuses. Every status change passes through status_record."""

import datetime
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jurisdictions.models import (
    DatePrecision,
    Jurisdiction,
    Lead,
    Origin,
    Status,
    StatusVersion,
)
from jurisdictions.public_cache import public_generation_bump

CITATION_KEYS = ("title", "url", "text")


def citations_clean(citations: list[dict]) -> list[dict]:
    """Keep title/url/text of each citation; each needs an http(s) URL or a citation text."""
    cleaned = []
    for position, citation in enumerate(citations, start=1):
        if not isinstance(citation, dict):
            raise ValidationError({"citations": f"Citation {position} is not an object."})
        item = {key: str(citation.get(key) or "").strip() for key in CITATION_KEYS}
        if not item["url"] and not item["text"]:
            raise ValidationError({"citations": f"Citation {position} needs a URL or a text."})
        if item["url"] and urlsplit(item["url"]).scheme not in {"http", "https"}:
            raise ValidationError({"citations": f"Citation {position} URL must be http(s)."})
        cleaned.append(item)
    return cleaned


def _pointers_after(jurisdiction: Jurisdiction, version: StatusVersion, today: datetime.date):
    """Where the new version goes: current (in force) or upcoming (effective in the future)."""
    if version.effective_date and version.effective_date > today:
        return jurisdiction.current_status_id, version.id
    # A version in force today supersedes any upcoming one confirmed before it.
    return version.id, None


@transaction.atomic
def status_record(
    *,
    jurisdiction: Jurisdiction,
    status: str,
    summary: str,
    citations: list[dict],
    as_of: datetime.date,
    origin: str,
    confirmed_by=None,
    min_age: int | None = None,
    seven_oh_rule: str = "",
    effective_date: datetime.date | None = None,
    effective_date_precision: str = DatePrecision.DAY,
    note: str = "",
    today: datetime.date | None = None,
) -> StatusVersion:
    """Append a status version and move the jurisdiction's pointers, all or nothing.

    A version effective in the future becomes *upcoming*; statuses_promote_due makes it
    current on the day.
    """
    today = today or timezone.localdate()
    # Lock the row so two confirmations for one jurisdiction serialise.
    locked = Jurisdiction.objects.select_for_update().get(pk=jurisdiction.pk)
    citations = citations_clean(citations)
    if status != Status.UNVERIFIED and not citations:
        raise ValidationError({"citations": "A status needs at least one citation."})
    version = StatusVersion(
        jurisdiction=locked,
        status=status,
        summary=summary.strip(),
        min_age=min_age,
        seven_oh_rule=seven_oh_rule.strip(),
        effective_date=effective_date,
        effective_date_precision=effective_date_precision,
        citations=citations,
        as_of=as_of,
        origin=origin,
        note=note,
        confirmed_by=confirmed_by,
        confirmed_at=timezone.now(),
    )
    version.full_clean(exclude=["jurisdiction"])
    version.save()
    current_id, upcoming_id = _pointers_after(locked, version, today)
    Jurisdiction.objects.filter(pk=locked.pk).update(
        current_status_id=current_id,
        upcoming_status_id=upcoming_id,
        last_verified_on=max(filter(None, [locked.last_verified_on, as_of])),
        last_verified_by=confirmed_by if origin == Origin.CURATOR else locked.last_verified_by,
        updated_at=timezone.now(),
    )
    jurisdiction.refresh_from_db()
    transaction.on_commit(public_generation_bump)
    return version


def statuses_promote_due(*, today: datetime.date | None = None) -> list[int]:
    """Make every upcoming version whose effective date has come current. Returns their ids."""
    today = today or timezone.localdate()
    due = Jurisdiction.objects.filter(upcoming_status__effective_date__lte=today)
    promoted = []
    for jurisdiction_id, version_id in due.values_list("id", "upcoming_status_id"):
        if _promote(jurisdiction_id, version_id):
            promoted.append(version_id)
    return promoted


@transaction.atomic
def _promote(jurisdiction_id: int, version_id: int) -> bool:
    # Conditional update: a second run (or a second beat) finds nothing to do.
    changed = Jurisdiction.objects.filter(pk=jurisdiction_id, upcoming_status_id=version_id).update(
        current_status_id=version_id, upcoming_status_id=None, updated_at=timezone.now()
    )
    if changed:
        transaction.on_commit(public_generation_bump)
    return changed == 1


def lead_report_correction(
    *, jurisdiction: Jurisdiction, summary: str, source_url: str, contact_email: str = ""
) -> Lead:
    """A visitor's correction, queued for curators as an open lead; never shown publicly."""
    lead = Lead(
        jurisdiction=jurisdiction,
        origin=Lead.Origin.PUBLIC,
        summary=summary.strip(),
        source_url=source_url.strip(),
        contact_email=contact_email.strip(),
    )
    lead.full_clean()
    lead.save()
    return lead
