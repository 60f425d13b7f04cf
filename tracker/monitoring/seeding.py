"""Load the curated official sources from seeds/ as Source rows, idempotently (`manage.py seed`).

- `official_sources.csv`: the sources the monitor started with;
- `official_sources_additions.csv`: kratom-specific statute and bill pages added later;
- `official_sources_retire.csv`: pages that will never change or are not about kratom. They
  are disabled as sources (their citations stay), once: a curator may switch one back on.

A curator's edits always win: the seed changes a field only while it still holds the value
the seed itself wrote last time.
"""

import csv
import datetime
import random
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jurisdictions.models import Jurisdiction
from jurisdictions.seeding import SeedReport
from tracker.monitoring.models import Source, SourceKind

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
SOURCES_CSV = SEEDS_DIR / "official_sources.csv"
ADDITIONS_CSV = SEEDS_DIR / "official_sources_additions.csv"
RETIRE_CSV = SEEDS_DIR / "official_sources_retire.csv"
# What a new source starts with, by host. The Federal Register search answers with
# counts and highlighted excerpts that change between requests; the documents it lists
# (number, title, date) are what matters.
HOST_DEFAULTS = {
    "www.federalregister.gov": {
        SourceKind.JSON: {"selector": "results.*.document_number,title,type,publication_date"}
    },
}
# Hosts that refuse requests without a credential this service does not have yet.
DISABLED_HOSTS = {"api.regulations.gov": "needs an api.data.gov key (X-Api-Key)"}
# New sources take their first look within this window, not all in the first minute.
FIRST_CHECK_SPREAD = datetime.timedelta(hours=1)
# Fields the seed owns until a curator edits them.
SEEDED_FIELDS = ("kind", "title", "what", "kratom_specific")


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _wanted(row: dict, *, kratom_specific: bool) -> dict:
    return {
        "kind": row["kind"],
        "title": row["title"][:400],
        "what": row["what"][:200],
        "kratom_specific": kratom_specific,
    }


def source_rows(
    path: Path = SOURCES_CSV, additions_path: Path = ADDITIONS_CSV
) -> list[tuple[dict, dict]]:
    """(row, wanted values) per source. A first-list row is kratom-specific when its confidence
    is high (an official page named in material about kratom); every addition is one."""
    rows = [
        (row, _wanted(row, kratom_specific=row["confidence"] == "high")) for row in read_rows(path)
    ]
    rows += [(row, _wanted(row, kratom_specific=True)) for row in read_rows(additions_path)]
    return rows


@transaction.atomic
def sources_seed(
    *,
    path: Path = SOURCES_CSV,
    additions_path: Path = ADDITIONS_CSV,
    retire_path: Path = RETIRE_CSV,
    report: SeedReport | None = None,
) -> SeedReport:
    """Create or update a Source per row, then retire the listed ones; idempotent."""
    report = report or SeedReport()
    jurisdictions = Jurisdiction.objects.in_bulk(field_name="code")
    existing = {(s.jurisdiction_id, s.url): s for s in Source.objects.all()}
    new, changed = [], []
    for row, wanted in source_rows(path, additions_path):
        label = f"source {row['code']} {row['url']}"
        jurisdiction = jurisdictions.get(row["code"])
        if jurisdiction is None:
            report.skipped.append(f"{label} (no jurisdiction {row['code']})")
        elif wanted["kind"] not in SourceKind.values:
            report.skipped.append(f"{label} (unknown kind {wanted['kind']!r})")
        elif (source := existing.get((jurisdiction.pk, row["url"]))) is None:
            source = _source_new(jurisdiction, row["url"], wanted, report, label)
            existing[(jurisdiction.pk, row["url"])] = source
            new.append(source)
        elif _source_update(source, wanted, report, label):
            changed.append(source)
    # One INSERT for all (a statement per row made most of a seed's cost); ids come back.
    Source.objects.bulk_create(new)
    Source.objects.bulk_update(changed, [*SEEDED_FIELDS, "seeded_values"])
    for row in read_rows(retire_path):
        jurisdiction = jurisdictions.get(row["code"])
        source = jurisdiction and existing.get((jurisdiction.pk, row["url"]))
        _source_retire(source, row, report, f"retire {row['code']} {row['url']}")
    return report


def _source_new(jurisdiction, url: str, wanted: dict, report: SeedReport, label: str) -> Source:
    """An unsaved source for the row; (jurisdiction, url) is new, as source_rows checked."""
    host = (urlsplit(url).hostname or "").lower()
    disabled_because = DISABLED_HOSTS.get(host)
    source = Source(
        jurisdiction=jurisdiction,
        url=url,
        enabled=disabled_because is None,
        next_check_at=timezone.now() + FIRST_CHECK_SPREAD * random.random(),
        seeded_values=wanted,
        **wanted,
        **HOST_DEFAULTS.get(host, {}).get(wanted["kind"], {}),
    )
    # The jurisdiction is a row in hand; the CHECK and unique constraints are the
    # database's to enforce at the INSERT.
    source.full_clean(exclude=["jurisdiction"], validate_unique=False, validate_constraints=False)
    report.created.append(f"{label} (disabled: {disabled_because})" if disabled_because else label)
    return source


def _source_update(source: Source, wanted: dict, report: SeedReport, label: str) -> bool:
    """Move the fields the seed still owns to the new values; a curator's edits stay.
    True when the source is to be saved (the caller saves them all in one statement)."""
    last_seeded = source.seeded_values
    changed = [
        key
        for key in SEEDED_FIELDS
        if getattr(source, key) != wanted[key]
        and getattr(source, key) == last_seeded.get(key, getattr(source, key))
    ]
    for key in changed:
        setattr(source, key, wanted[key])
    if changed or last_seeded != wanted:
        source.seeded_values = wanted
        source.full_clean(
            exclude=["jurisdiction"], validate_unique=False, validate_constraints=False
        )
    if changed:
        report.updated.append(f"{label} ({', '.join(changed)})")
    else:
        report.unchanged.append(label)
    return bool(changed) or last_seeded != wanted


def _source_retire(source: Source | None, row: dict, report: SeedReport, label: str) -> None:
    if source is None:
        report.skipped.append(f"{label} (no such source)")
        return
    if source.retired_reason:
        report.unchanged.append(label)  # retired once; a curator may have switched it back on
        return
    reason = row["reason"]
    if row.get("replacement_url"):
        reason += f" (replaced by {row['replacement_url']})"
    source.retired_reason = reason[:400]
    source.enabled = False
    source.save(update_fields=["retired_reason", "enabled"])
    report.updated.append(f"{label} (disabled: {row['reason'][:80]})")
