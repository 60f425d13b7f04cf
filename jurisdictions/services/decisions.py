"""Curator review: decisions, four-eyes approvals, re-verification and leads. Every
decision is checked here (not only in the admin) and leaves a row in the audit trail
(Decision)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from jurisdictions import signals
from jurisdictions.citations import citations_clean
from jurisdictions.generation import public_generation_bump
from jurisdictions.models import (
    ApprovalState,
    DatePrecision,
    Decision,
    DecisionAction,
    Jurisdiction,
    Lead,
    Origin,
    StatusApproval,
    StatusVersion,
)
from jurisdictions.rules import (
    ProductRule,
    derived_fields,
    rule_columns,
    rules_errors,
    rules_of,
    unknown_rules,
)
from jurisdictions.services.curators import curator_require
from jurisdictions.services.statuses import pointers_copy, status_record_locked


@dataclass(frozen=True)
class StatusFacts:
    """What a curator states when confirming: the body of the status version to record."""

    rules: dict[str, ProductRule]
    summary: str
    citations: list[dict]
    as_of: datetime.date
    effective_date: datetime.date | None = None
    effective_date_precision: str = DatePrecision.DAY

    @property
    def status(self) -> str:
        return derived_fields(self.rules)["status"]

    def record_kwargs(self) -> dict:
        """The keyword arguments of status_record."""
        return {
            "rules": self.rules,
            "summary": self.summary,
            "citations": self.citations,
            "as_of": self.as_of,
            "effective_date": self.effective_date,
            "effective_date_precision": self.effective_date_precision,
        }

    def approval_columns(self) -> dict:
        """The columns of a StatusApproval holding these facts."""
        kwargs = self.record_kwargs()
        rules = kwargs.pop("rules")
        return {**kwargs, **derived_fields(rules), **rule_columns(rules)}

    @classmethod
    def of(cls, row) -> "StatusFacts":
        """The facts held by an approval (or a version)."""
        return cls(
            rules=rules_of(row),
            summary=row.summary,
            citations=row.citations,
            as_of=row.as_of,
            effective_date=row.effective_date,
            effective_date_precision=row.effective_date_precision,
        )


def four_eyes_required(*, before: list[dict[str, ProductRule]], after: dict) -> bool:
    """A change to or from a watched rule (FOUR_EYES_RULES) in any category needs a second
    curator; rules that stay as they were do not count."""
    watched = set(settings.FOUR_EYES_RULES)
    for category, new in after.items():
        olds = {rules[category].rule for rules in before}
        changed = olds != {new.rule}
        if changed and (new.rule in watched or olds & watched):
            return True
    return False


def _jurisdiction_lock(*, jurisdiction_id: int) -> Jurisdiction:
    """The jurisdiction's row, locked, with its newest version's id (for _stale_refuse) and
    its current and upcoming versions: one statement for what a decision reads."""
    latest = StatusVersion.objects.filter(jurisdiction=OuterRef("pk")).order_by("-id")
    return (
        Jurisdiction.objects.select_for_update(of=("self",))
        .select_related("current_status", "upcoming_status")
        .annotate(latest_version_id=Subquery(latest.values("id")[:1]))
        .get(pk=jurisdiction_id)
    )


def _stale_refuse(*, jurisdiction: Jurisdiction, seen_version_id: int | None) -> None:
    """Refuse a decision taken on a status that changed since the curator opened the page.

    `jurisdiction` comes from _jurisdiction_lock.
    """
    if jurisdiction.latest_version_id != seen_version_id:
        raise ValidationError(
            f"The status of {jurisdiction.name} changed after you opened this page "
            f"(it is now {jurisdiction.status}). Reload, review the new status, and decide again.",
            code="stale",
        )


def _facts_check(facts: StatusFacts) -> None:
    # Checked now, not only when a second curator approves (the version's constraints).
    if errors := rules_errors(facts.rules, citations_clean(facts.citations)):
        raise ValidationError(errors)


def decision_log(
    *,
    jurisdiction_id: int,
    action: str,
    actor,
    subject: str = "",
    reason: str = "",
    version: StatusVersion | None = None,
    status: str = "",
) -> Decision:
    decision = Decision(
        jurisdiction_id=jurisdiction_id,
        action=action,
        actor=actor,
        at=timezone.now(),
        subject=subject,
        reason=reason.strip(),
        status_version=version,
        status=version.status if version else status,
    )
    # The action's CHECK constraint is the database's; clean_fields checks the choice already.
    decision.full_clean(
        exclude=["jurisdiction", "actor", "status_version"], validate_constraints=False
    )
    decision.save()
    return decision


@transaction.atomic
def status_decide(
    *,
    actor,
    jurisdiction: Jurisdiction,
    facts: StatusFacts,
    seen_version_id: int | None,
    action: str = DecisionAction.CONFIRM,
    subject: str = "",
    reason: str = "",
    lead: Lead | None = None,
    today: datetime.date | None = None,
) -> StatusVersion | StatusApproval:
    """A curator confirms a status: recorded now, or held for a second curator (four-eyes).

    Returns the recorded StatusVersion, or the pending StatusApproval.
    """
    curator_require(user=actor)
    _facts_check(facts)
    locked = _jurisdiction_lock(jurisdiction_id=jurisdiction.pk)
    _stale_refuse(jurisdiction=locked, seen_version_id=seen_version_id)
    versions = [v for v in (locked.current_status, locked.upcoming_status) if v]
    before = [v.rules for v in versions] or [unknown_rules()]
    if four_eyes_required(before=before, after=facts.rules):
        approval = StatusApproval(
            jurisdiction=locked,
            seen_version_id=seen_version_id,
            lead=lead,
            requested_by=actor,
            requested_at=timezone.now(),
            note=reason.strip(),
            **facts.approval_columns(),
        )
        approval.full_clean(
            exclude=["jurisdiction", "seen_version", "lead", "requested_by"],
            validate_constraints=False,  # the rules were checked by _facts_check
        )
        approval.save()
        decision_log(
            jurisdiction_id=locked.pk,
            action=DecisionAction.REQUEST_APPROVAL,
            actor=actor,
            subject=subject or f"approval {approval.pk}",
            reason=reason,
            status=facts.status,
        )
        return approval
    version = status_record_locked(
        locked=locked,
        origin=Origin.CURATOR,
        confirmed_by=actor,
        note=reason.strip(),
        today=today,
        **facts.record_kwargs(),
    )
    decision_log(
        jurisdiction_id=locked.pk,
        action=action,
        actor=actor,
        subject=subject,
        reason=reason,
        version=version,
    )
    if lead is not None:
        _lead_close(lead=lead, actor=actor, reason=f"Confirmed as status version {version.pk}.")
    pointers_copy(source=locked, target=jurisdiction)
    return version


def status_enter_manual(
    *,
    actor,
    jurisdiction: Jurisdiction,
    facts: StatusFacts,
    seen_version_id: int | None,
    reason: str = "",
    today: datetime.date | None = None,
) -> StatusVersion | StatusApproval:
    """A status recorded without a proposal (e.g. from a signed bill): same rules, same trail."""
    return status_decide(
        actor=actor,
        jurisdiction=jurisdiction,
        facts=facts,
        seen_version_id=seen_version_id,
        action=DecisionAction.MANUAL_ENTRY,
        reason=reason,
        today=today,
    )


def _approval_lock(*, approval_id: int) -> StatusApproval:
    approval = StatusApproval.objects.select_for_update().get(pk=approval_id)
    if approval.state != ApprovalState.PENDING:
        raise ValidationError(f"This approval was already {approval.state}.", code="decided")
    return approval


@transaction.atomic
def approval_approve(
    *, actor, approval_id: int, today: datetime.date | None = None
) -> StatusVersion:
    """The second curator approves: the status is recorded now, in the first curator's name."""
    curator_require(user=actor)
    approval = _approval_lock(approval_id=approval_id)
    if approval.requested_by_id == actor.pk:
        raise PermissionDenied("You cannot approve your own confirmation: another curator must.")
    locked = _jurisdiction_lock(jurisdiction_id=approval.jurisdiction_id)
    _stale_refuse(jurisdiction=locked, seen_version_id=approval.seen_version_id)
    facts = StatusFacts.of(approval)
    note = "\n".join(filter(None, [approval.note, f"Approved by {actor.get_username()}."]))
    version = status_record_locked(
        locked=locked,
        origin=Origin.CURATOR,
        confirmed_by=approval.requested_by,
        note=note,
        today=today,
        **facts.record_kwargs(),
    )
    StatusApproval.objects.filter(pk=approval.pk).update(
        state=ApprovalState.APPROVED,
        decided_by=actor,
        decided_at=timezone.now(),
        status_version=version,
    )
    decision_log(
        jurisdiction_id=locked.pk,
        action=DecisionAction.APPROVE,
        actor=actor,
        subject=f"approval {approval.pk}",
        version=version,
    )
    # Monitoring closes the change proposal the approval came from (if any).
    signals.approval_approved.send(sender=StatusApproval, approval=approval, version=version)
    if approval.lead_id:
        _lead_close(
            lead=approval.lead, actor=actor, reason=f"Approved as status version {version.pk}."
        )
    return version


@transaction.atomic
def approval_reject(*, actor, approval_id: int, reason: str) -> StatusApproval:
    """Another curator turns a pending confirmation down; the reason is required and kept."""
    curator_require(user=actor)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the confirmation is rejected."})
    approval = _approval_lock(approval_id=approval_id)
    if approval.requested_by_id == actor.pk:
        raise PermissionDenied("You cannot reject your own confirmation: another curator must.")
    approval.state = ApprovalState.REJECTED
    approval.decided_by = actor
    approval.decided_at = timezone.now()
    approval.reason = reason.strip()
    approval.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    decision_log(
        jurisdiction_id=approval.jurisdiction_id,
        action=DecisionAction.REJECT,
        actor=actor,
        subject=f"approval {approval.pk}",
        reason=reason,
        status=approval.status,
    )
    return approval


@transaction.atomic
def status_reverify(
    *, actor, jurisdiction: Jurisdiction, reason: str = "", today: datetime.date | None = None
) -> Decision:
    """A curator checked the current status and it still holds: last verified moves, no version."""
    curator_require(user=actor)
    today = today or timezone.localdate()
    locked = Jurisdiction.objects.select_for_update().get(pk=jurisdiction.pk)
    if locked.current_status_id is None:
        raise ValidationError(
            f"{locked.name} has no confirmed status to re-verify: record a status instead."
        )
    Jurisdiction.objects.filter(pk=locked.pk).update(
        last_verified_on=today, last_verified_by=actor, updated_at=timezone.now()
    )
    # The public pages show "last verified": they must not keep the old date.
    transaction.on_commit(public_generation_bump)
    decision = decision_log(
        jurisdiction_id=locked.pk,
        action=DecisionAction.REVERIFY,
        actor=actor,
        reason=reason,
        version=locked.current_status,
    )
    jurisdiction.refresh_from_db()
    return decision


def _lead_close(*, lead: Lead, actor, reason: str) -> None:
    closed = Lead.objects.filter(pk=lead.pk, state=Lead.State.OPEN).update(
        state=Lead.State.CLOSED, closed_by=actor, closed_at=timezone.now(), close_reason=reason
    )
    if closed != 1:
        raise ValidationError("This lead was already closed by another curator.", code="decided")


def _lead_open(*, lead_id: int) -> Lead:
    lead = Lead.objects.select_for_update().select_related("jurisdiction").get(pk=lead_id)
    if lead.state != Lead.State.OPEN:
        raise ValidationError("This lead was already closed.", code="decided")
    return lead


@transaction.atomic
def lead_confirm(
    *,
    actor,
    lead_id: int,
    facts: StatusFacts,
    seen_version_id: int | None,
    reason: str = "",
    today: datetime.date | None = None,
) -> StatusVersion | StatusApproval:
    """A curator verified a lead against the official text and confirms a status from it."""
    curator_require(user=actor)
    lead = _lead_open(lead_id=lead_id)
    if lead.approvals.pending().exists():
        raise ValidationError(
            "A confirmation of this lead already waits for a second curator.",
            code="awaiting_approval",
        )
    return status_decide(
        actor=actor,
        jurisdiction=lead.jurisdiction,
        facts=facts,
        seen_version_id=seen_version_id,
        subject=f"lead {lead.pk}",
        reason=reason,
        lead=lead,
        today=today,
    )


@transaction.atomic
def lead_dismiss(*, actor, lead_id: int, reason: str) -> Lead:
    """A curator closes a lead without a status; the reason is required and kept."""
    curator_require(user=actor)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the lead is dismissed."})
    lead = _lead_open(lead_id=lead_id)
    _lead_close(lead=lead, actor=actor, reason=reason.strip())
    decision_log(
        jurisdiction_id=lead.jurisdiction_id,
        action=DecisionAction.DISMISS,
        actor=actor,
        subject=f"lead {lead.pk}",
        reason=reason,
    )
    lead.refresh_from_db()
    return lead
