"""How old a jurisdiction's status is, and who verified it: the same answer on every page,
the ZIP answer, the map, the badge and the API."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from jurisdictions.models import Jurisdiction, Status
from jurisdictions.rules import HEADLINE_CATEGORIES, current_rules, verified_split

BY_CURATOR = "curator"
BY_REFERENCE_DATA = "curated reference data"


@dataclass(frozen=True)
class Verification:
    on: datetime.date
    by: str
    age_days: int

    @property
    def stale(self) -> bool:
        """Older than VERIFICATION_STALE_DAYS: 90 days old is still current, 91 is not."""
        return self.age_days > settings.VERIFICATION_STALE_DAYS

    @property
    def by_curator(self) -> bool:
        return self.by == BY_CURATOR

    def data(self) -> dict:
        """The API's `last_verified` object."""
        return {
            "on": self.on.isoformat(),
            "by": self.by,
            "age_days": self.age_days,
            "stale": self.stale,
        }


def verification_of(
    jurisdiction: Jurisdiction, *, today: datetime.date | None = None
) -> Verification | None:
    """None when nothing was ever verified (the place shows the baseline instead)."""
    if jurisdiction.last_verified_on is None or jurisdiction.current_status_id is None:
        return None
    today = today or timezone.localdate()
    # last_verified_by is set by a curator's confirmation or re-verification and never by the
    # seed: it, not the current version's origin, says who verified last.
    by = BY_CURATOR if jurisdiction.last_verified_by_id else BY_REFERENCE_DATA
    return Verification(
        on=jurisdiction.last_verified_on,
        by=by,
        age_days=(today - jurisdiction.last_verified_on).days,
    )


def badge_label(jurisdiction: Jurisdiction, verification: Verification | None) -> str:
    """The headline in a word, then what of it was not verified and, when stale, how old the
    rest is: "restricted · leaf not verified · others verified Aug 2026"."""
    status = jurisdiction.status
    parts = [Status(status).label.lower()]
    if status == Status.UNVERIFIED:
        return parts[0]
    not_verified = verified_split(current_rules(jurisdiction), HEADLINE_CATEGORIES)[1]
    if not_verified:
        parts.append(f"{not_verified} not verified")
    if verification and verification.stale:
        # Stale facts stay shown, labelled with their age.
        parts.append(f"{'others ' if not_verified else ''}verified {verification.on:%b %Y}")
    return " · ".join(parts)
