"""Writes of source monitoring, one module per job: checking sources, scheduling checks, a
curator's actions on sources, reviewing proposals, the digest. Callers use these names."""

from tracker.monitoring.services.checking import source_check, sources_check
from tracker.monitoring.services.digest import curators_digest_send
from tracker.monitoring.services.proposals import (
    proposal_approval_approved,
    proposal_claim,
    proposal_confirm,
    proposal_dismiss,
    proposal_next_claim,
    proposal_release,
)
from tracker.monitoring.services.scheduling import checks_purge, sources_dispatch, sources_enqueue
from tracker.monitoring.services.sources import source_rebaseline, sources_delete

__all__ = [
    "checks_purge",
    "curators_digest_send",
    "proposal_approval_approved",
    "proposal_claim",
    "proposal_confirm",
    "proposal_dismiss",
    "proposal_next_claim",
    "proposal_release",
    "source_check",
    "source_rebaseline",
    "sources_check",
    "sources_delete",
    "sources_dispatch",
    "sources_enqueue",
]
