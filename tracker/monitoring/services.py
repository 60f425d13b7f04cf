"""Writes to sources, checks, snapshots and change proposals."""

# Curator review of change proposals: claims, confirm, dismiss, the daily digest. The
# rules (curators only, four-eyes, stale protection, audit trail) live in
# jurisdictions.services; these functions add what is particular to a proposal.

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from jurisdictions import selectors as jurisdiction_selectors
from jurisdictions.models import DecisionAction, StatusApproval, StatusVersion
from jurisdictions.services import (
    StatusFacts,
    curator_require,
    decision_log,
    status_decide,
)
from tracker.monitoring import selectors
from tracker.monitoring.models import ChangeProposal, ProposalState


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
    proposal = candidates.select_for_update(skip_locked=skip_locked, of=("self",)).first()
    if proposal is None:
        return None
    ChangeProposal.objects.filter(pk=proposal.pk).update(claimed_by=actor, claimed_at=now)
    proposal.claimed_by, proposal.claimed_at = actor, now
    return proposal


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
    if StatusApproval.objects.pending().filter(proposal=proposal).exists():
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
        StatusApproval.objects.filter(pk=result.pk).update(proposal=proposal)
        result.proposal = proposal
        ChangeProposal.objects.filter(pk=proposal.pk).update(claimed_by=None, claimed_at=None)
        return result
    proposal_mark_confirmed(proposal_id=proposal.pk, actor=actor, version=result)
    return result


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


def curators_digest_send(*, today: datetime.date | None = None) -> int:
    """Email curators what waits for them. Returns the number of recipients (0: nothing to say)."""
    digest = selectors.curator_digest(today=today)
    recipients = settings.CURATOR_EMAILS or jurisdiction_selectors.curator_emails()
    if not digest.has_news or not recipients:
        return 0
    send_mail(
        subject=f"[kratom tracker] {digest.headline}",
        message=digest.text(site_url=settings.SITE_URL),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )
    return len(recipients)
