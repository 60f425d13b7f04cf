"""Writes to jurisdictions and their statuses, one module per job:

- statuses: recording a status version and promoting scheduled ones (status_record is the
  one door every status change passes through);
- decisions: curators' decisions, four-eyes approvals, re-verification and leads;
- curators: curator accounts and who may decide;
- corrections: a visitor's correction, queued as a lead.

Import from the module that owns a function. The names below are also kept here: the
README names status_record here, and the curators' admin pages (admin_review.py and
monitoring's), monitoring's proposal services and the public correction form call the
rest through the package.
"""

from jurisdictions.services.corrections import lead_report_correction
from jurisdictions.services.curators import curator_require
from jurisdictions.services.decisions import (
    StatusFacts,
    approval_approve,
    approval_reject,
    decision_log,
    lead_confirm,
    lead_dismiss,
    status_decide,
    status_enter_manual,
    status_reverify,
)
from jurisdictions.services.statuses import status_record

__all__ = [
    "StatusFacts",
    "approval_approve",
    "approval_reject",
    "curator_require",
    "decision_log",
    "lead_confirm",
    "lead_dismiss",
    "lead_report_correction",
    "status_decide",
    "status_enter_manual",
    "status_record",
    "status_reverify",
]
