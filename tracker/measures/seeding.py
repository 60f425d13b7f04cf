"""Load seeds/pending_measures.csv (the reference data's measures of 2025–2026) idempotently.

Each row is one measure of the reference data, its stage "as of" the row's date. A `low`
row loads as a lead (curators only, never shown as fact); `high`/`medium` rows as relevant
measures. A row of a place the data set does not know is skipped, not invented.
"""

import csv
import datetime
from collections import Counter
from pathlib import Path

from django.conf import settings

from jurisdictions.models import Category, Jurisdiction
from tracker.measures.models import Provider, Review, Stage
from tracker.measures.services import ActionFacts, MeasureFacts, measure_upsert

MEASURES_CSV = Path(settings.BASE_DIR) / "seeds" / "pending_measures.csv"


def _date(raw: str) -> datetime.date | None:
    raw = raw.strip()
    return datetime.date.fromisoformat(raw) if raw else None


def seed_key(row: dict) -> str:
    return f"{row['jurisdiction_code']}|{row['identifier'].strip()}"


def row_facts(row: dict, jurisdiction_id: int) -> MeasureFacts:
    stage_date = _date(row["stage_date"])
    return MeasureFacts(
        jurisdiction_id=jurisdiction_id,
        kind=row["kind"],
        identifier=row["identifier"].strip(),
        session=row["session"].strip(),
        title=row["title"].strip(),
        stage=row["stage"],
        stage_date=stage_date,
        next_date=_date(row["next_date"]),
        next_date_kind=row["next_date_kind"].strip(),
        would_change=row["would_change"].strip(),
        changes={c: row[c].strip() for c in Category.values},
        official_url=row["official_url"].strip(),
        page_url=row["secondary_url"].strip(),
        as_of=_date(row["as_of"]),
        confidence=row["confidence"].strip(),
        notes=row["notes"].strip(),
        actions=[_stage_action(row, stage_date)],
    )


def _stage_action(row: dict, stage_date) -> ActionFacts:
    """The one step the reference data knows: the stage it read, as of its date."""
    label = Stage(row["stage"]).label
    return ActionFacts(
        date=stage_date,
        description=f"{label} (reference data as of {row['as_of']})",
        stage=row["stage"],
    )


def measures_seed(*, report, path: Path = MEASURES_CSV) -> list[str]:
    """Load the measures into `report` (the seed command's); return summary lines: what the
    file holds, as measures and leads by stage and confidence."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    places = dict(
        Jurisdiction.objects.filter(
            code__in={row["jurisdiction_code"] for row in rows}
        ).values_list("code", "id")
    )
    loaded = Counter()
    for row in rows:
        name = f"measure {row['jurisdiction_code']} {row['identifier'].strip()}"
        if row["jurisdiction_code"] not in places:
            report.skipped.append(f"{name}: no jurisdiction {row['jurisdiction_code']}")
            continue
        result = measure_upsert(
            provider=Provider.REFERENCE,
            provider_key=seed_key(row),
            facts=row_facts(row, places[row["jurisdiction_code"]]),
        )
        if result.created:
            report.created.append(name)
        elif result.updated or result.actions_created:
            report.updated.append(name)
        else:
            report.unchanged.append(name)
        kind = "lead" if result.measure.review == Review.LEAD else "measure"
        loaded[(kind, row["stage"], row["confidence"])] += 1
    return _summary(loaded)


def _summary(loaded: Counter) -> list[str]:
    lines = []
    for kind in ("measure", "lead"):
        counts = {key: n for key, n in loaded.items() if key[0] == kind}
        by_stage = Counter()
        by_confidence = Counter()
        for (_kind, stage, confidence), n in counts.items():
            by_stage[stage] += n
            by_confidence[confidence] += n
        stages = ", ".join(f"{stage} {n}" for stage, n in sorted(by_stage.items()))
        confidences = ", ".join(f"{c} {n}" for c, n in sorted(by_confidence.items()))
        lines.append(
            f"{kind}s: {sum(counts.values())} (by stage: {stages or '-'}; "
            f"by confidence: {confidences or '-'})"
        )
    return lines
