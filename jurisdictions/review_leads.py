"""Load seeds/review_leads.csv: public findings newer than the reference data, as leads.

Each row names a place (created, unverified, when not yet known), a claim, the source it
came from with its date, and what a curator should check. Nothing here becomes a status:
a curator reads the official text and decides.
"""

import csv
from pathlib import Path

from django.db import transaction

from jurisdictions.generation import public_generation_bump
from jurisdictions.models import LEVEL_RANK, Jurisdiction, Lead
from jurisdictions.seeding import (
    SEEDS_DIR,
    SeedReport,
    changed_fields_save,
    ocd_id_for,
    partial_date,
)

REVIEW_LEADS_CSV = SEEDS_DIR / "review_leads.csv"


def read_review_rows(path: Path = REVIEW_LEADS_CSV) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # Parents before children, so a new city finds its state.
    return sorted(rows, key=lambda row: (LEVEL_RANK[row["level"]], row["code"]))


@transaction.atomic
def review_leads_seed(*, report: SeedReport, path: Path = REVIEW_LEADS_CSV) -> None:
    """Create the missing places and one lead per (place, source); never edits a place."""
    created_places = False
    for row in read_review_rows(path):
        jurisdiction = Jurisdiction.objects.filter(code=row["code"]).first()
        if jurisdiction is None:
            jurisdiction = _place_create(row)
            report.created.append(f"jurisdiction {row['code']} (unverified, from a review lead)")
            created_places = True
        _review_lead_upsert(row, jurisdiction, report)
    if created_places:
        transaction.on_commit(public_generation_bump)


def _place_create(row: dict) -> Jurisdiction:
    parent = Jurisdiction.objects.get(code=row["parent_code"]) if row["parent_code"] else None
    jurisdiction = Jurisdiction(
        code=row["code"],
        name=row["name"],
        level=row["level"],
        parent=parent,
        ocd_id=ocd_id_for(row),
    )
    jurisdiction.full_clean()
    jurisdiction.save()
    return jurisdiction


def _review_lead_upsert(row: dict, jurisdiction: Jurisdiction, report: SeedReport) -> None:
    label = f"review lead {row['code']} ({row['source_date']})"
    source_url = row["source_url"].strip()
    fields = {
        "summary": row["claim"].strip(),
        "what_to_check": row["what_to_check"].strip(),
        "as_of": _source_date(row["source_date"]),
        "confidence": row["confidence"].strip(),
    }
    lead = Lead.objects.filter(
        jurisdiction=jurisdiction, origin=Lead.Origin.REVIEW, source_url=source_url
    ).first()
    if lead is None:
        lead = Lead(
            jurisdiction=jurisdiction, origin=Lead.Origin.REVIEW, source_url=source_url, **fields
        )
        lead.full_clean()
        lead.save()
        report.created.append(label)
        return
    # A closed lead stays closed: a curator already decided on it.
    changed_fields_save(lead, fields, report, label)


def _source_date(raw: str):
    # Some findings carry no date ("unknown"): never invent one.
    return None if raw.strip() in {"", "unknown"} else partial_date(raw)[0]
