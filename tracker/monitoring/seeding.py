"""Load seeds/official_sources.csv as Source rows, idempotently (called by `manage.py seed`)."""

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

SOURCES_CSV = Path(settings.BASE_DIR) / "seeds" / "official_sources.csv"
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


def read_source_rows(path: Path = SOURCES_CSV) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def sources_seed(*, path: Path = SOURCES_CSV, report: SeedReport | None = None) -> SeedReport:
    """Create or update a Source per row; a curator's selector, interval or switch stay as set."""
    report = report or SeedReport()
    jurisdictions = Jurisdiction.objects.in_bulk(field_name="code")
    existing = {(s.jurisdiction_id, s.url): s for s in Source.objects.all()}
    for row in read_source_rows(path):
        label = f"source {row['code']} {row['url']}"
        jurisdiction = jurisdictions.get(row["code"])
        if jurisdiction is None:
            report.skipped.append(f"{label} (no jurisdiction {row['code']})")
            continue
        if row["kind"] not in SourceKind.values:
            report.skipped.append(f"{label} (unknown kind {row['kind']!r})")
            continue
        wanted = {"kind": row["kind"], "title": row["title"][:400], "what": row["what"][:200]}
        source = existing.get((jurisdiction.pk, row["url"]))
        if source is None:
            _source_create(jurisdiction, row["url"], wanted, report, label)
            continue
        changed = [key for key, value in wanted.items() if getattr(source, key) != value]
        if changed:
            for key in changed:
                setattr(source, key, wanted[key])
            source.full_clean()
            source.save(update_fields=changed)
            report.updated.append(f"{label} ({', '.join(changed)})")
        else:
            report.unchanged.append(label)
    return report


def _source_create(jurisdiction, url: str, wanted: dict, report: SeedReport, label: str) -> None:
    host = (urlsplit(url).hostname or "").lower()
    disabled_because = DISABLED_HOSTS.get(host)
    source = Source(
        jurisdiction=jurisdiction,
        url=url,
        enabled=disabled_because is None,
        next_check_at=timezone.now() + FIRST_CHECK_SPREAD * random.random(),
        **wanted,
        **HOST_DEFAULTS.get(host, {}).get(wanted["kind"], {}),
    )
    source.full_clean()
    source.save()
    report.created.append(f"{label} (disabled: {disabled_because})" if disabled_because else label)
