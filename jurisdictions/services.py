"""Writes to jurisdictions and their statuses. Every status change passes through status_record."""

import datetime
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from jurisdictions import signals
from jurisdictions.citations import NOT_IN_FORCE
from jurisdictions.generation import public_generation_bump
from jurisdictions.models import (
    MIN_AGE_RANGE,
    ApprovalState,
    DatePrecision,
    Decision,
    DecisionAction,
    Jurisdiction,
    Lead,
    OneTimePassword,
    Origin,
    Status,
    StatusApproval,
    StatusVersion,
)
from jurisdictions.permissions import CURATOR_PERMISSIONS, OPERATOR_PERMISSIONS
from jurisdictions.rules import (
    ProductRule,
    derived_fields,
    rule_columns,
    rules_errors,
    rules_of,
    unknown_rules,
)
from jurisdictions.selectors import user_is_curator

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
        if NOT_IN_FORCE.search(item["text"]):
            raise ValidationError(
                {"citations": f"Citation {position} names a measure that is not law "
                 f"(“{item['text']}”): cite the law the answer rests on."}
            )  # fmt: skip
        cleaned.append(item)
    return cleaned


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
    _pointers_copy(source=locked, target=jurisdiction)
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
    derived = derived_fields(rules)
    if derived["status"] != Status.UNVERIFIED and not citations:
        raise ValidationError({"citations": "A status needs at least one citation."})
    version = StatusVersion(
        jurisdiction=locked,
        **derived,
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
    # curator's rules were checked by _facts_check before), and the FKs are rows in hand.
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


def _pointers_copy(*, source: Jurisdiction, target: Jurisdiction) -> None:
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


# Curator review: decisions, four-eyes approvals, re-verification, leads. Every decision
# is checked here (not only in the admin) and leaves a row in the audit trail (Decision).


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


def curator_require(*, user) -> None:
    if not user_is_curator(user):
        raise PermissionDenied("Only members of the Curators group may review and decide.")


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
    errors = rules_errors(facts.rules)
    if not citations_clean(facts.citations):
        errors["citations"] = "A curator's decision needs at least one citation."
    for category, rule in facts.rules.items():
        if rule.min_age is not None and not MIN_AGE_RANGE[0] <= rule.min_age <= MIN_AGE_RANGE[1]:
            errors[f"min_age_{category}"] = "A minimum age is between 14 and 30."
    if errors:
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
    _pointers_copy(source=locked, target=jurisdiction)
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


@transaction.atomic
def curator_create(
    *, username: str, email: str, password: str | None, operator: bool = False
) -> tuple:
    """A staff user in the Curators group (and the Operators group when `operator`).
    Without a password, one is generated and returned; the user must change it at first
    login (OneTimePassword)."""
    User = get_user_model()
    if User.objects.filter(**{User.USERNAME_FIELD: username}).exists():
        raise ValidationError(f"A user named {username!r} already exists.")
    validate_email(email)
    generated = not password
    password = password or secrets.token_urlsafe(15)
    user = User(**{User.USERNAME_FIELD: username}, email=email, is_staff=True)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(curators_group_sync())
    if operator:
        user.groups.add(operators_group_sync())
    if generated:
        OneTimePassword.objects.create(user=user, password_hash=user.password)
    return user, password


def one_time_password_forget(*, user) -> None:
    """The user chose their own password: their one-time one is no longer asked about."""
    OneTimePassword.objects.filter(user=user).delete()


def curators_group_sync() -> Group:
    """The Curators group with exactly CURATOR_PERMISSIONS (created if it went missing)."""
    return _group_sync(settings.CURATORS_GROUP, CURATOR_PERMISSIONS)


def operators_group_sync() -> Group:
    """The Operators group with exactly OPERATOR_PERMISSIONS (created if it went missing)."""
    return _group_sync(settings.OPERATORS_GROUP, OPERATOR_PERMISSIONS)


def _group_sync(name: str, wanted_permissions: list[tuple[str, str]]) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    wanted = Q()
    for app_label, codename in wanted_permissions:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.filter(wanted))
    if len(permissions) != len(wanted_permissions):
        raise ImproperlyConfigured(f"Some {name} permissions are missing: run migrate.")
    group.permissions.set(permissions)
    return group


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
