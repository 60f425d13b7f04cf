"""Reads for curators: who may decide, what waits, the audit trail."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from jurisdictions.models import Decision, Jurisdiction, Lead, StatusApproval, StatusVersion


def user_is_curator(user) -> bool:
    """Members of the Curators group and superusers; nobody else (staff included)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_curator"):
        # Cached on the user object: an admin page asks several times per request.
        user._is_curator = user.groups.filter(name=settings.CURATORS_GROUP).exists()
    return user._is_curator


def jurisdiction_latest_version_id(*, jurisdiction_id: int) -> int | None:
    """The newest status version recorded for a jurisdiction: what a curator saw when opening."""
    return (
        StatusVersion.objects.filter(jurisdiction_id=jurisdiction_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def stale_verification_cutoff(*, today: datetime.date | None = None) -> datetime.date:
    """Verified before this day means not verified within VERIFICATION_STALE_DAYS."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.VERIFICATION_STALE_DAYS)


def jurisdictions_stale(*, today: datetime.date | None = None) -> QuerySet[Jurisdiction]:
    """Jurisdictions with a status that nobody has verified within the stale window."""
    cutoff = stale_verification_cutoff(today=today)
    return Jurisdiction.objects.filter(current_status__isnull=False).verified_before(cutoff)


def leads_open() -> QuerySet[Lead]:
    """Leads still waiting for a curator, oldest first."""
    return (
        Lead.objects.filter(state=Lead.State.OPEN)
        .select_related("jurisdiction")
        .order_by("created_at", "id")
    )


def approvals_pending() -> QuerySet[StatusApproval]:
    """Confirmations waiting for a second curator, oldest first."""
    return (
        StatusApproval.objects.pending()
        .select_related("jurisdiction", "requested_by")
        .order_by("requested_at", "id")
    )


def decisions_trail(*, jurisdiction_id: int | None = None) -> QuerySet[Decision]:
    """The audit trail, newest first, optionally for one jurisdiction."""
    decisions = Decision.objects.select_related("jurisdiction", "actor").order_by("-at", "-id")
    if jurisdiction_id is not None:
        decisions = decisions.filter(jurisdiction_id=jurisdiction_id)
    return decisions


DECISIONS_CSV_HEADER = [
    "at",
    "jurisdiction",
    "action",
    "curator",
    "subject",
    "status",
    "status_version",
    "reason",
]
# A cell starting with one of these is a formula to a spreadsheet: prefix it so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def decisions_csv_rows(*, jurisdiction_id: int | None = None):
    """The audit trail as CSV rows (header first), streamed in chunks."""
    yield DECISIONS_CSV_HEADER
    decisions = decisions_trail(jurisdiction_id=jurisdiction_id)
    for decision in decisions.iterator(chunk_size=500):
        yield [
            _csv_cell(cell)
            for cell in (
                decision.at.isoformat(),
                decision.jurisdiction.code,
                decision.action,
                decision.actor.get_username(),
                decision.subject,
                decision.status,
                decision.status_version_id,
                decision.reason,
            )
        ]


def curator_emails() -> list[str]:
    """Addresses of active curators (the digest's recipients when CURATOR_EMAILS is empty)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=settings.CURATORS_GROUP)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))
