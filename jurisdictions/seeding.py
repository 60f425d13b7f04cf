"""Load the baseline's jurisdictions and the curated reference data (seeds/), idempotently."""

import csv
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from jurisdictions.citations import citation_basis
from jurisdictions.generation import public_generation_bump
from jurisdictions.models import (
    LEVEL_RANK,
    DatePrecision,
    Jurisdiction,
    Lead,
    Level,
    Origin,
    StatusVersion,
)
from jurisdictions.rules import ProductRule, rule_columns, unknown_rules
from jurisdictions.services.statuses import status_record_locked

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
STATUS_CSV = SEEDS_DIR / "kratom_status.csv"
RULES_CSV = SEEDS_DIR / "product_rules.csv"
CONFIRMABLE = {"high", "medium"}
TERRITORY_OCD = "territory"
DISTRICT_CODES = {"US-DC"}


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


def read_status_rows(path: Path = STATUS_CSV) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # Parents before children.
    return sorted(rows, key=lambda row: (LEVEL_RANK[row["level"]], row["code"]))


def ocd_id_for(row: dict) -> str:
    """Open Civic Data division id from the code, level and name of a reference row."""
    parts = row["code"].lower().split("-")
    country = f"ocd-division/country:{parts[0]}"
    if row["level"] == Level.COUNTRY:
        return country
    if row["code"] in DISTRICT_CODES:
        return f"{country}/district:{parts[1]}"
    if row["level"] == Level.TERRITORY:
        return f"{country}/{TERRITORY_OCD}:{parts[1]}"
    state = f"{country}/state:{parts[1]}"
    if row["level"] == Level.STATE:
        return state
    kind = "county" if row["level"] == Level.COUNTY else "place"
    return f"{state}/{kind}:{_ocd_slug(row['name'])}"


def _ocd_slug(name: str) -> str:
    name = re.sub(r"\s*\(.*?\)", "", name)
    name = re.sub(r"\s+County$", "", name)
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def partial_date(raw: str) -> tuple[datetime.date | None, str]:
    """A full date, a year-month or a year; partial dates stand for their first day."""
    raw = raw.strip()
    if not raw:
        return None, DatePrecision.DAY
    if re.fullmatch(r"\d{4}", raw):
        return datetime.date(int(raw), 1, 1), DatePrecision.YEAR
    if re.fullmatch(r"\d{4}-\d{2}", raw):
        year, month = raw.split("-")
        return datetime.date(int(year), int(month), 1), DatePrecision.MONTH
    return datetime.date.fromisoformat(raw), DatePrecision.DAY


def is_confirmable(row: dict) -> bool:
    """High/medium rows that name a source and a date; anything else stays the baseline. A bill
    pending, dead or not enacted is no source: the row's law would rest on nothing cited."""
    has_source = bool(citation_basis(row["citation"]) or row["source_url"].strip())
    dated = bool(row["as_of"].strip())
    return row["confidence"] in CONFIRMABLE and row["status"] != "unknown" and has_source and dated


@dataclass
class SeedRules:
    """One jurisdiction's product rules from the reference data: facts and leads."""

    facts: dict[str, ProductRule] = field(default_factory=unknown_rules)
    # Low-confidence rules: interpretations, kept for curators with their basis.
    suggestions: list[dict] = field(default_factory=list)


def read_rule_rows(path: Path = RULES_CSV) -> dict[str, SeedRules]:
    """high/medium rules load as facts; low ones stay unknown and become suggestions."""
    by_code: dict[str, SeedRules] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rules = by_code.setdefault(row["code"], SeedRules())
            rule = ProductRule(
                category=row["category"],
                rule=row["rule"],
                scope=row["scope"],
                min_age=int(row["min_age"]) if row["min_age"].strip() else None,
                limit=row["limit"].strip(),
            )
            if row["confidence"] in CONFIRMABLE:
                rules.facts[row["category"]] = rule
            elif row["rule"] != "unknown":
                rules.suggestions.append({**rule_suggestion(rule), "basis": row["basis"]})
    return by_code


def rule_suggestion(rule: ProductRule) -> dict:
    return {
        "category": rule.category,
        "rule": rule.rule,
        "scope": rule.scope,
        "min_age": rule.min_age,
        "limit": rule.limit,
    }


@transaction.atomic
def seed_all(path: Path = STATUS_CSV, rules_path: Path = RULES_CSV) -> SeedReport:
    report = SeedReport()
    rows = read_status_rows(path)
    rules_by_code = read_rule_rows(rules_path)
    # Locked once, up front: each status below is recorded on its locked row, not relocked.
    by_code = _jurisdictions_upsert(rows, report)
    versions = _SeededVersions.read()
    for row in rows:
        jurisdiction = by_code[row["code"]]
        rules = rules_by_code.get(row["code"], SeedRules())
        if is_confirmable(row):
            _seed_status(row, rules, jurisdiction, versions, report)
        if (not is_confirmable(row) and row["status"] != "unknown") or rules.suggestions:
            _seed_lead(row, rules, jurisdiction, report)
    if report.changed_anything:
        transaction.on_commit(public_generation_bump)
    return report


def _jurisdictions_upsert(rows: list[dict], report: SeedReport) -> dict[str, Jurisdiction]:
    """Every row's jurisdiction, created or updated, locked: code → row.

    New ones are inserted a level at a time (a parent needs its id before its children).
    Uniqueness and the CHECK constraints are the database's to enforce: checking them in
    Python cost several statements per row.
    """
    by_code = Jurisdiction.objects.select_for_update().in_bulk(field_name="code")
    new_by_rank: dict[int, list[Jurisdiction]] = {}
    existing = []
    for row in rows:
        wanted = {
            "name": row["name"],
            "level": row["level"],
            "parent": by_code.get(row["parent_code"]) if row["parent_code"] else None,
            "ocd_id": ocd_id_for(row),
        }
        jurisdiction = by_code.get(row["code"])
        if jurisdiction is None:
            jurisdiction = by_code[row["code"]] = Jurisdiction(code=row["code"], **wanted)
            _jurisdiction_clean(jurisdiction)
            new_by_rank.setdefault(LEVEL_RANK[row["level"]], []).append(jurisdiction)
            report.created.append(f"jurisdiction {row['code']}")
        else:
            existing.append((jurisdiction, wanted))
    for rank in sorted(new_by_rank):
        Jurisdiction.objects.bulk_create(new_by_rank[rank])
    # After the inserts: an existing row may move below a parent that was just created.
    for jurisdiction, wanted in existing:
        _jurisdiction_update(jurisdiction, wanted, report)
    return by_code


def _jurisdiction_clean(jurisdiction: Jurisdiction) -> None:
    # The parent is a row in hand; uniqueness and the CHECKs are left to the database.
    jurisdiction.full_clean(exclude=["parent"], validate_unique=False, validate_constraints=False)


def _jurisdiction_update(jurisdiction: Jurisdiction, wanted: dict, report: SeedReport) -> None:
    # The parent is compared by id: reading each row's parent would cost a query apiece.
    current = {key: getattr(jurisdiction, key) for key in ("name", "level", "ocd_id")}
    current["parent"] = jurisdiction.parent_id
    wanted_ids = {**wanted, "parent": wanted["parent"] and wanted["parent"].pk}
    changed = [key for key, value in wanted_ids.items() if current[key] != value]
    if changed:
        for key in changed:
            setattr(jurisdiction, key, wanted[key])
        _jurisdiction_clean(jurisdiction)
        jurisdiction.save(update_fields=[*changed, "updated_at"])
        report.updated.append(f"jurisdiction {jurisdiction.code} ({', '.join(changed)})")
    else:
        report.unchanged.append(f"jurisdiction {jurisdiction.code}")


def _status_fields(row: dict, rules: SeedRules) -> dict:
    effective_date, precision = partial_date(row["effective_date"])
    # Bills pending, dead or not enacted stay out: the summary may name them, the basis may not.
    citation = {
        "title": "",
        "url": row["source_url"].strip(),
        "text": citation_basis(row["citation"]),
    }
    return {
        "rules": rules.facts,
        "summary": row["what"].strip(),
        "effective_date": effective_date,
        "effective_date_precision": precision,
        "citations": [citation],
        "as_of": partial_date(row["as_of"])[0],
    }


@dataclass
class _SeededVersions:
    """What the seed needs to know of the versions already recorded, read in one query."""

    curated: set[int]  # jurisdictions a curator confirmed a status for
    latest_seed: dict[int, StatusVersion]  # jurisdiction id → its newest seeded version

    @classmethod
    def read(cls) -> "_SeededVersions":
        curated, latest_seed = set(), {}
        # Oldest first, so the newest seeded version of each jurisdiction is written last.
        for version in StatusVersion.objects.order_by("confirmed_at", "id"):
            if version.origin == Origin.CURATOR:
                curated.add(version.jurisdiction_id)
            elif version.origin == Origin.SEED:
                latest_seed[version.jurisdiction_id] = version
        return cls(curated, latest_seed)


def _seed_status(
    row: dict,
    rules: SeedRules,
    jurisdiction: Jurisdiction,
    versions: _SeededVersions,
    report: SeedReport,
) -> None:
    label = f"status {row['code']}"
    if jurisdiction.pk in versions.curated:
        report.skipped.append(f"{label} (a curator confirmed a later status)")
        return
    fields = _status_fields(row, rules)
    latest_seed = versions.latest_seed.get(jurisdiction.pk)
    if latest_seed and _same_seed(latest_seed, fields):
        report.unchanged.append(label)
        return
    status_record_locked(
        locked=jurisdiction,
        origin=Origin.SEED,
        note=f"Curated reference data, confidence {row['confidence']}. Evidence: {row['evidence']}",
        **fields,
    )
    (report.updated if latest_seed else report.created).append(label)


def _same_seed(version: StatusVersion, fields: dict) -> bool:
    wanted = {**{k: v for k, v in fields.items() if k != "rules"}, **rule_columns(fields["rules"])}
    return all(getattr(version, key) == value for key, value in wanted.items())


def _seed_lead(row: dict, rules: SeedRules, jurisdiction: Jurisdiction, report: SeedReport) -> None:
    label = f"lead {row['code']}"
    # A confirmed row's lead carries only its rule suggestions; its status is a fact.
    status_lead = not is_confirmable(row)
    fields = {
        "reported_status": row["status"] if status_lead else "",
        "rule_suggestions": rules.suggestions,
        "summary": row["what"].strip(),
        "min_age": int(row["min_age"]) if row["min_age"].strip() else None,
        "seven_oh_rule": row["seven_oh_rule"].strip(),
        "effective_date_text": row["effective_date"].strip(),
        "citation": row["citation"].strip(),
        "source_url": row["source_url"].strip(),
        "evidence": row["evidence"].strip(),
        "as_of": partial_date(row["as_of"])[0],
        "confidence": row["confidence"],
    }
    lead = Lead.objects.filter(jurisdiction=jurisdiction, origin=Lead.Origin.SEED).first()
    if lead is None:
        Lead.objects.create(jurisdiction=jurisdiction, origin=Lead.Origin.SEED, **fields)
        report.created.append(label)
        return
    changed_fields_save(lead, fields, report, label)


def changed_fields_save(instance, fields: dict, report: SeedReport, label: str) -> None:
    """Save the fields whose value differs from `fields` (one UPDATE, none when all match),
    and say which happened in the report."""
    changed = [key for key, value in fields.items() if getattr(instance, key) != value]
    if not changed:
        report.unchanged.append(label)
        return
    for key in changed:
        setattr(instance, key, fields[key])
    instance.save(update_fields=changed)
    report.updated.append(label)
