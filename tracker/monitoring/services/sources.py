"""A curator's actions on sources themselves: taking the page as it is now, deleting."""

from django.db import transaction

from jurisdictions.models import DecisionAction
from jurisdictions.services import curator_require, decision_log
from tracker.monitoring.models import Source


@transaction.atomic
def source_rebaseline(*, actor, source_id: int, reason: str = "") -> None:
    """Forget the accepted text, so the next check takes the page as it is now (no proposal).

    For a curator who has looked at a flagged source (say, a page that really did shrink).
    A change accepted this way is never proposed, so only curators may, and it is audited.
    """
    curator_require(user=actor)
    source = Source.objects.select_for_update().get(pk=source_id)
    decision_log(
        jurisdiction_id=source.jurisdiction_id,
        action=DecisionAction.REBASELINE,
        actor=actor,
        subject=f"source {source.pk}",
        reason=reason,
    )
    Source.objects.filter(pk=source_id).update(
        current_snapshot=None,
        current_hash="",
        candidate_hash="",
        etag="",
        last_modified="",
        body_hash="",
        consecutive_failures=0,
        flagged_at=None,
        last_error="",
    )


@transaction.atomic
def sources_delete(*, source_ids: list[int]) -> None:
    """Delete sources with their checks and snapshots (a source with proposals is protected).

    The current text's pointer and hash are cleared first: the snapshot cascade would only
    null the pointer, leaving a hash without a snapshot, which the table refuses.
    """
    sources = Source.objects.filter(pk__in=source_ids)
    sources.update(current_snapshot=None, current_hash="", candidate_hash="")
    sources.delete()
