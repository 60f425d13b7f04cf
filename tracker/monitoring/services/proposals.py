"""Curator review of change proposals: claims, confirm, dismiss.

The rules (curators only, four-eyes, stale protection, audit trail) live in
jurisdictions.services; these functions add what is particular to a proposal. An approval by a
second curator arrives through jurisdictions.signals.approval_approved (apps.py).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from jurisdictions.models import DecisionAction, StatusApproval, StatusVersion
from jurisdictions.services import StatusFacts, curator_require, decision_log, status_decide
from tracker.monitoring import selectors
from tracker.monitoring.models import ChangeProposal, ProposalApproval, ProposalState

NEXT_CLAIM_ATTEMPTS = 5


def _claim_free(now: datetime.datetime) -> Q:
    """Unclaimed, or claimed at least PROPOSAL_CLAIM_MINUTES ago."""
    return Q(claimed_by__isnull=True) | Q(claimed_at__lte=selectors.claim_cutoff(now=now))


def proposal_claim(
    *, actor, proposal_id: int, now: datetime.datetime | None = None
) -> ChangeProposal:
    """Opening a pending proposal claims it for the actor, unless another curator holds it.

    Returns the proposal; its claimed_by says who holds it now.
    """
    curator_require(user=actor)
    now = now or timezone.now()
    # Conditional update: two curators opening at once cannot both win.
    ChangeProposal.objects.filter(pk=proposal_id, state=ProposalState.PENDING).filter(
        _claim_free(now) | Q(claimed_by=actor)
    ).update(claimed_by=actor, claimed_at=now)
    return ChangeProposal.objects.select_related("claimed_by").get(pk=proposal_id)


def proposal_release(*, actor, proposal_id: int) -> None:
    """Give up one's own claim (e.g. when leaving a proposal undecided)."""
    curator_require(user=actor)
    ChangeProposal.objects.filter(pk=proposal_id, claimed_by=actor).update(
        claimed_by=None, claimed_at=None
    )


@transaction.atomic
def proposal_next_claim(*, actor, now: datetime.datetime | None = None) -> ChangeProposal | None:
    """Claim the next pending, unclaimed proposal in queue order; None when there is none.

    On PostgreSQL the candidate row is locked with SKIP LOCKED, so two curators asking at
    the same moment get two different proposals.
    """
    curator_require(user=actor)
    now = now or timezone.now()
    candidates = (
        selectors.proposals_queue()
        .filter(state=ProposalState.PENDING, awaiting_approval=False)
        .filter(_claim_free(now))
    )
    skip_locked = connection.features.has_select_for_update_skip_locked
    lost: list[int] = []
    for _attempt in range(NEXT_CLAIM_ATTEMPTS):
        locked = candidates.exclude(pk__in=lost).select_for_update(
            skip_locked=skip_locked, of=("self",)
        )
        proposal = locked.first()
        if proposal is None:
            return None
        # Conditional: without row locks (SQLite) another curator may have just taken it.
        claim = ChangeProposal.objects.filter(pk=proposal.pk).filter(_claim_free(now))
        if claim.update(claimed_by=actor, claimed_at=now) == 1:
            proposal.claimed_by, proposal.claimed_at = actor, now
            return proposal
        lost.append(proposal.pk)
    return None


def _proposal_decidable(*, actor, proposal_id: int, now: datetime.datetime) -> ChangeProposal:
    proposal = (
        ChangeProposal.objects.select_for_update(of=("self",))
        .select_related("source__jurisdiction", "claimed_by")
        .get(pk=proposal_id)
    )
    if proposal.state != ProposalState.PENDING:
        raise ValidationError(f"This proposal was already {proposal.state}.", code="decided")
    held = proposal.claimed_by_id not in (None, actor.pk)
    if held and selectors.claim_expires_at(proposal) > now:
        raise ValidationError(
            f"{proposal.claimed_by} is working on this proposal (claimed at "
            f"{proposal.claimed_at:%H:%M}); wait for the claim to expire.",
            code="claimed",
        )
    if selectors.proposal_awaits_approval(proposal_id=proposal.pk):
        raise ValidationError(
            "A confirmation of this proposal already waits for a second curator.",
            code="awaiting_approval",
        )
    return proposal


@transaction.atomic
def proposal_confirm(
    *,
    actor,
    proposal_id: int,
    facts: StatusFacts,
    seen_version_id: int | None,
    reason: str = "",
    today: datetime.date | None = None,
) -> StatusVersion | StatusApproval:
    """Confirm a proposal with a status: recorded now, or held for a second curator."""
    curator_require(user=actor)
    now = timezone.now()
    proposal = _proposal_decidable(actor=actor, proposal_id=proposal_id, now=now)
    result = status_decide(
        actor=actor,
        jurisdiction=proposal.source.jurisdiction,
        facts=facts,
        seen_version_id=seen_version_id,
        subject=f"proposal {proposal.pk}",
        reason=reason,
        today=today,
    )
    if isinstance(result, StatusApproval):
        ProposalApproval.objects.create(approval=result, proposal=proposal)
        ChangeProposal.objects.filter(pk=proposal.pk).update(claimed_by=None, claimed_at=None)
        return result
    proposal_mark_confirmed(proposal_id=proposal.pk, actor=actor, version=result)
    return result


def proposal_approval_approved(*, approval: StatusApproval, version: StatusVersion, **_) -> None:
    """Receiver of jurisdictions' approval_approved: the proposal the approval came from (if
    any) is confirmed, in the first curator's name, in the approval's transaction."""
    link = ProposalApproval.objects.filter(approval=approval).first()
    if link is not None:
        proposal_mark_confirmed(
            proposal_id=link.proposal_id, actor=approval.requested_by, version=version
        )


def proposal_mark_confirmed(*, proposal_id: int, actor, version: StatusVersion) -> None:
    """Close a proposal as confirmed by a recorded version (directly or after an approval)."""
    changed = ChangeProposal.objects.filter(pk=proposal_id, state=ProposalState.PENDING).update(
        state=ProposalState.CONFIRMED,
        decided_by=actor,
        decided_at=timezone.now(),
        status_version=version,
        claimed_by=None,
        claimed_at=None,
    )
    if changed != 1:
        raise ValidationError("This proposal was already decided.", code="decided")


@transaction.atomic
def proposal_dismiss(*, actor, proposal_id: int, reason: str) -> ChangeProposal:
    """The change does not alter the status (formatting, unrelated text): reason required."""
    curator_require(user=actor)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the change is dismissed."})
    proposal = _proposal_decidable(actor=actor, proposal_id=proposal_id, now=timezone.now())
    proposal.state = ProposalState.DISMISSED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = reason.strip()
    proposal.claimed_by = proposal.claimed_at = None
    proposal.save(
        update_fields=["state", "decided_by", "decided_at", "reason", "claimed_by", "claimed_at"]
    )
    decision_log(
        jurisdiction_id=proposal.source.jurisdiction_id,
        action=DecisionAction.DISMISS,
        actor=actor,
        subject=f"proposal {proposal.pk}",
        reason=reason,
    )
    return proposal
