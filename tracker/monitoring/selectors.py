"""Reads of source monitoring, and of the curators' review of change proposals."""

import datetime
import json
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from jurisdictions import selectors as jurisdiction_selectors
from jurisdictions.models import ApprovalState, Lead
from tracker.monitoring.models import (
    ChangeProposal,
    ProposalApproval,
    ProposalState,
    Snapshot,
    Source,
)

DIGEST_LISTED = 20


def sources_for_check(*, source_ids) -> dict[int, Source]:
    """The sources of these ids that exist, by id, for the check path (one query).

    Every check reads its source, and building that SELECT of two dozen columns through the
    ORM cost more worker CPU than running it. On PostgreSQL the statement is written once
    and each call only runs it; the driver already returns every Source column as its
    Python type (a test compares the result with the ORM's, field by field).
    """
    source_ids = list(source_ids)
    if connection.vendor != "postgresql":
        return Source.objects.in_bulk(source_ids)
    sql, attnames, json_attnames = _sources_by_pk_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [source_ids])
        rows = cursor.fetchall()
    sources = {}
    for row in rows:
        values = dict(zip(attnames, row, strict=True))
        for name in json_attnames:  # Django reads jsonb as text and decodes it itself
            if isinstance(values[name], str):
                values[name] = json.loads(values[name])
        source = Source(**values)
        sources[source.pk] = source
    return sources


@cache
def _sources_by_pk_sql() -> tuple[str, list[str], list[str]]:
    fields = [f for f in Source._meta.get_fields() if f.concrete and not f.many_to_many]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = (
        f"SELECT {columns} FROM {quote(Source._meta.db_table)} "
        f"WHERE {quote(Source._meta.pk.column)} = ANY(%s)"
    )
    json_fields = [f.attname for f in fields if f.get_internal_type() == "JSONField"]
    return sql, [field.attname for field in fields], json_fields


def snapshots_recent(*, source: Source, limit: int) -> list[Snapshot]:
    """The source's last `limit` current texts, newest first (the flapping look-back)."""
    return list(
        Snapshot.objects.filter(source=source, became_current_at__isnull=False)
        .order_by("-became_current_at")
        .only("id", "content_hash", "became_current_at")[:limit]
    )


# --- Curator review


def claim_cutoff(*, now: datetime.datetime) -> datetime.datetime:
    """A claim taken at or before this moment has expired."""
    return now - datetime.timedelta(minutes=settings.PROPOSAL_CLAIM_MINUTES)


def claim_expires_at(proposal: ChangeProposal) -> datetime.datetime:
    return proposal.claimed_at + datetime.timedelta(minutes=settings.PROPOSAL_CLAIM_MINUTES)


def claim_holder(proposal: ChangeProposal, *, now: datetime.datetime | None = None):
    """Who holds a live claim on the proposal, or None."""
    if proposal.claimed_by_id is None or claim_expires_at(proposal) <= (now or timezone.now()):
        return None
    return proposal.claimed_by


def proposals_queue() -> QuerySet[ChangeProposal]:
    """The review queue: pending first, then by relevance (highest first), then oldest first."""
    waiting = _approval_links_pending().filter(proposal=OuterRef("pk"))
    return (
        ChangeProposal.objects.select_related("source__jurisdiction", "claimed_by", "decided_by")
        .annotate(
            pending_first=Case(
                When(state=ProposalState.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            awaiting_approval=Exists(waiting),
        )
        .order_by("pending_first", "-relevance_score", "created_at", "id")
    )


def _approval_links_pending() -> QuerySet[ProposalApproval]:
    return ProposalApproval.objects.filter(approval__state=ApprovalState.PENDING)


def proposal_awaits_approval(*, proposal_id: int) -> bool:
    """A confirmation of the proposal waits for a second curator."""
    return _approval_links_pending().filter(proposal_id=proposal_id).exists()


def proposals_pending() -> QuerySet[ChangeProposal]:
    return ChangeProposal.objects.filter(state=ProposalState.PENDING)


def sources_flagged() -> QuerySet[Source]:
    return Source.objects.flagged()


@dataclass
class CuratorCounts:
    pending_proposals: int
    flagged_sources: int
    pending_approvals: int
    open_leads: int
    stale_statuses: int


def curator_counts(*, today: datetime.date | None = None) -> CuratorCounts:
    """What waits for curators: shown on the admin index and in the digest."""
    return CuratorCounts(
        pending_proposals=proposals_pending().count(),
        flagged_sources=sources_flagged().count(),
        pending_approvals=jurisdiction_selectors.approvals_pending().count(),
        open_leads=Lead.objects.open().count(),
        stale_statuses=jurisdiction_selectors.jurisdictions_stale(today=today).count(),
    )


@dataclass
class CuratorDigest:
    counts: CuratorCounts
    proposals: list = field(default_factory=list)
    sources: list = field(default_factory=list)

    @property
    def has_news(self) -> bool:
        c = self.counts
        return bool(c.pending_proposals or c.flagged_sources or c.pending_approvals or c.open_leads)

    @property
    def headline(self) -> str:
        c = self.counts
        return (
            f"{c.pending_proposals} changes to review, {c.pending_approvals} approvals, "
            f"{c.flagged_sources} broken sources"
        )

    def text(self, *, site_url: str) -> str:
        c = self.counts
        lines = [
            "Good morning. This is what waits for the curators today.",
            "",
            f"Changes to review: {c.pending_proposals}",
            f"Confirmations waiting for a second curator: {c.pending_approvals}",
            f"Leads to verify: {c.open_leads}",
            f"Broken (flagged) sources: {c.flagged_sources}",
            f"Statuses not re-verified within {settings.VERIFICATION_STALE_DAYS} days: "
            f"{c.stale_statuses}",
        ]
        if self.proposals:
            lines += ["", "Pending changes, most relevant first:"]
            lines += [
                f"- {p.source.jurisdiction.code} {p.source}: relevance {p.relevance_score} — "
                f"{site_url}{reverse('admin:monitoring_changeproposal_change', args=[p.pk])}"
                for p in self.proposals
            ]
        if self.sources:
            lines += ["", "Flagged sources:"]
            lines += [
                f"- {s.jurisdiction.code} {s.url}: {s.consecutive_failures} failures, "
                f"last error: {s.last_error[:200]}"
                for s in self.sources
            ]
        lines += [
            "",
            f"Review queue: {site_url}{reverse('admin:monitoring_changeproposal_changelist')}",
        ]
        return "\n".join(lines)


def curator_digest(*, today: datetime.date | None = None) -> CuratorDigest:
    pending = proposals_queue().filter(state=ProposalState.PENDING)
    return CuratorDigest(
        counts=curator_counts(today=today),
        proposals=list(pending[:DIGEST_LISTED]),
        sources=list(sources_flagged().select_related("jurisdiction")[:DIGEST_LISTED]),
    )
