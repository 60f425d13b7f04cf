"""Plain dictionaries for the JSON API and the export (the shapes in jurisdictions/openapi.py)."""

import datetime

from django.conf import settings
from django.urls import reverse

from jurisdictions.baseline import BASELINE_PROVENANCE, baseline_paragraphs
from jurisdictions.models import (
    STATUS_MEANINGS,
    Category,
    DatePrecision,
    Jurisdiction,
    Status,
)
from jurisdictions.pending import pending_by_category, pending_of
from jurisdictions.pointintime import Certainty, on_label
from jurisdictions.rules import RULE_COLUMN_PARTS, current_rules, rule_data, rules_changes
from jurisdictions.selectors import jurisdiction_layers, unscheduled_changes
from jurisdictions.verification import verification_of

MONTH_FORMAT = "%B %Y"


def date_iso(day: datetime.date | None, precision: str) -> str | None:
    """ISO 8601 at the precision we know: 2019, 2019-05 or 2019-05-10."""
    if day is None:
        return None
    if precision == DatePrecision.YEAR:
        return f"{day.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def date_display(day: datetime.date | None, precision: str) -> str:
    """For people: 2019, May 2019 or 10 May 2019 (never a day we do not know)."""
    if day is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(day.year)
    if precision == DatePrecision.MONTH:
        return day.strftime(MONTH_FORMAT)
    return f"{day.day} {day.strftime(MONTH_FORMAT)}"


def version_changes(version) -> list[str]:
    """What a version changed from the one before it (previous_rules and previous_effective
    from the selectors); [] for a first version."""
    previous_effective = getattr(version, "previous_effective", None)
    return _changes(version.previous_rules, previous_effective, version)


def _changes(previous_rules, previous_effective: tuple | None, new) -> list[str]:
    """In words: rules, ages and limits (rules_changes), and the effective date, given as
    (date, precision). The feed, the API and webhooks all say it this way."""
    changes = rules_changes(previous_rules, new.rules)
    if previous_effective is not None:
        before = date_display(*previous_effective) or "not recorded"
        after = date_display(new.effective_date, new.effective_date_precision) or "not recorded"
        if before != after:
            changes.append(f"effective date {before} → {after}")
    return changes


def page_path(code: str) -> str:
    """A jurisdiction's page, /j/US-TX/: every link to one is built here, or in a template
    with {% url 'public:detail' code %}."""
    return reverse("public:detail", args=[code])


def api_path(code: str) -> str:
    return reverse("public:api-detail", args=[code])


def page_url(jurisdiction: Jurisdiction) -> str:
    return settings.SITE_URL + page_path(jurisdiction.code)


def api_url(jurisdiction: Jurisdiction) -> str:
    return settings.SITE_URL + api_path(jurisdiction.code)


def _who(jurisdiction: Jurisdiction) -> dict:
    """Who a link or an event is about: the part every jurisdiction link shares."""
    return {"code": jurisdiction.code, "name": jurisdiction.name, "level": jurisdiction.level}


def rules_data(rules: dict) -> dict:
    """The four product rules, keyed by category (the shape every reader of rules shares)."""
    return {category: rule_data(rule) for category, rule in rules.items()}


def version_data(version) -> dict | None:
    """A status version's facts: the API's shape, and the webhook payload's."""
    if version is None:
        return None
    return {
        "id": version.pk,
        "status": version.status,
        "meaning": STATUS_MEANINGS[version.status],
        "rules": rules_data(version.rules),
        "summary": version.summary,
        "min_age": version.min_age,
        "seven_oh_rule": version.seven_oh_rule,
        "effective_date": date_iso(version.effective_date, version.effective_date_precision),
        "effective_date_precision": version.effective_date_precision,
        "citations": version.basis_citations,
        "as_of": version.as_of.isoformat(),
        "origin": version.origin,
        "confirmed_at": version.confirmed_at.isoformat(),
    }


def jurisdiction_link_data(jurisdiction: Jurisdiction) -> dict:
    """A link to a jurisdiction (schema JurisdictionLink): a ZIP answer's places and
    deciding levels, the batch check's `decided_by`, a place's children."""
    return {
        **_who(jurisdiction),
        "status": jurisdiction.status,
        "url": page_url(jurisdiction),
        "api_url": api_url(jurisdiction),
    }


def jurisdiction_data(jurisdiction: Jurisdiction) -> dict:
    """The list entry: who, where, and the status in force (parent must be selected)."""
    current = jurisdiction.current_status
    return {
        **jurisdiction_link_data(jurisdiction),
        "parent": jurisdiction.parent.code if jurisdiction.parent else None,
        "ocd_id": jurisdiction.ocd_id,
        "meaning": STATUS_MEANINGS[jurisdiction.status],
        "rules": rules_data(current_rules(jurisdiction)),
        "effective_date": date_iso(current.effective_date, current.effective_date_precision)
        if current
        else None,
        "effective_date_precision": current.effective_date_precision if current else None,
        "upcoming_status": jurisdiction.upcoming_status.status
        if jurisdiction.upcoming_status
        else None,
        "last_verified_on": jurisdiction.last_verified_on.isoformat()
        if jurisdiction.last_verified_on
        else None,
    }


def last_verified_data(
    jurisdiction: Jurisdiction, *, today: datetime.date | None = None
) -> dict | None:
    """When and by whom the status was last verified, how many days ago, and whether that is
    older than VERIFICATION_STALE_DAYS (what `jurisdictions_stale` lists)."""
    verification = verification_of(jurisdiction, today=today)
    return verification.data() if verification else None


def baseline_data(jurisdiction: Jurisdiction) -> dict | None:
    if jurisdiction.status != Status.UNVERIFIED:
        return None
    return {"paragraphs": list(baseline_paragraphs()), "provenance": list(BASELINE_PROVENANCE)}


def in_force_data(held) -> dict:
    """What `?on=` answered: the date, how certain, and when uncertain the two versions the
    date falls between (the later one's effective date is known only to its year or month)."""
    earlier, later = held.candidates
    return {
        "date": held.on.isoformat(),
        "label": held.label,
        "certainty": held.certainty,
        "between": [version_data(earlier), version_data(later)]
        if held.certainty == Certainty.UNCERTAIN
        else None,
    }


def pending_data(places: list[Jurisdiction], rules: dict) -> dict[str, list[dict]]:
    """Per category, the public measures of these places that would change its answer
    (`rules`), soonest next date first: what is coming, never law."""
    entries = [entry for found in pending_of(places).values() for entry in found]
    entries.sort(key=lambda e: (e["next_date"] is None, e["next_date"] or "", e["id"]))
    return pending_by_category(entries, rules)


def _on_data(jurisdiction) -> dict:
    """With `?on=`, what held there on the date (pointintime.as_in_force_on); else nothing."""
    held = getattr(jurisdiction, "in_force", None) if jurisdiction else None
    return {"on": in_force_data(held)} if held else {}


def jurisdiction_detail_data(jurisdiction: Jurisdiction, children: list[Jurisdiction]) -> dict:
    on = _on_data(jurisdiction)
    upcoming = version_data(jurisdiction.upcoming_status)
    return {
        **on,
        **jurisdiction_data(jurisdiction),
        "current": version_data(jurisdiction.current_status),
        "upcoming": upcoming,
        # Dates the current summary names with nothing scheduled: claims being verified,
        # so "upcoming": null never reads as "nothing is coming".
        "unverified_changes_from": []
        if on
        else [day.isoformat() for day in unscheduled_changes(jurisdiction=jurisdiction)],
        "scheduled": [upcoming] if upcoming else [],
        "pending": pending_data(
            [jurisdiction, *jurisdiction_layers(jurisdiction=jurisdiction)],
            current_rules(jurisdiction),
        ),
        "last_verified": last_verified_data(jurisdiction),
        "children": [jurisdiction_link_data(child) for child in children],
        "baseline": baseline_data(jurisdiction),
        "notice": "Information, not legal advice.",
    }


def change_data(version) -> dict:
    """An entry of /changes: the version, the previous status and rules, what changed."""
    previous = version.previous_rules
    return {
        "jurisdiction": {**_who(version.jurisdiction), "url": page_url(version.jurisdiction)},
        "previous_status": version.previous_status,
        "previous_rules": rules_data(previous) if previous else None,
        "changes": version_changes(version),
        "version": version_data(version),
    }


def status_change_data(jurisdiction: Jurisdiction, previous, new) -> dict:
    """The data of a status.changed / status.scheduled webhook event: both versions in the
    API's shape, what changed, and the public page."""
    return {
        "jurisdiction": _who(jurisdiction),
        "previous": version_data(previous),
        "new": version_data(new),
        "changes": _changes(
            previous.rules if previous else None,
            (previous.effective_date, previous.effective_date_precision) if previous else None,
            new,
        ),
        "url": page_url(jurisdiction),
    }


def place_data(place) -> dict:
    return {
        **_on_data(place.jurisdiction),
        "level": place.level,
        "name": place.name,
        "status": place.status,
        "rules": rules_data(current_rules(place.jurisdiction)) if place.jurisdiction else None,
        "jurisdiction": jurisdiction_link_data(place.jurisdiction) if place.jurisdiction else None,
    }


def zip_rule_data(decided, *, today: datetime.date | None = None) -> dict:
    """A product's rule at a ZIP code and who decided it (schema ZipRule): the lookup's, and
    the batch check's with the decider's citations beside it."""
    return {
        **rule_data(decided.rule),
        "decided_by": jurisdiction_link_data(decided.by) if decided.by else None,
        "last_verified": last_verified_data(decided.by, today=today) if decided.by else None,
    }


def zip_answer_data(answer) -> dict:
    on = {"date": answer.on.isoformat(), "label": on_label(answer.on)} if answer.on else None
    return {
        **({"on": on} if on else {}),
        "zip": answer.zip_code,
        "state": place_data(answer.state),
        "counties": [place_data(place) for place in answer.counties],
        "cities": [place_data(place) for place in answer.cities],
        "answer": {
            "status": answer.answer.status or Status.UNVERIFIED,
            "meaning": STATUS_MEANINGS[answer.answer.status or Status.UNVERIFIED],
            # Every level's rules, the federal included: what the headline's word leaves out.
            "sentence": answer.sentence,
            "from": place_data(answer.answer),
        },
        "rules": {category: zip_rule_data(d) for category, d in answer.rules.items()},
        "scheduled": [
            {"jurisdiction": jurisdiction_link_data(j), "version": version_data(j.upcoming_status)}
            for j in answer.levels
            if j.upcoming_status
        ],
        "pending": pending_data(
            answer.levels, {category: d.rule for category, d in answer.rules.items()}
        ),
        "min_age": answer.min_age,
        "notes": answer.notes,
        "federal": jurisdiction_link_data(answer.federal) if answer.federal else None,
        "notice": "Information, not legal advice.",
    }


def citations_text(citations: list[dict]) -> str:
    """One line for a CSV cell: text <url> | text <url>."""
    parts = []
    for citation in citations:
        label = citation.get("text") or citation.get("title") or ""
        url = citation.get("url") or ""
        parts.append(f"{label} <{url}>".strip() if url else label)
    return " | ".join(parts)


EXPORT_COLUMNS = [
    "code", "name", "level", "parent", "ocd_id", "status", "meaning",
    *[f"{category}_{part}" for category in Category.values for part in RULE_COLUMN_PARTS],
    "summary", "min_age", "seven_oh_rule", "effective_date", "citations", "upcoming_status",
    "upcoming_effective_date", "last_verified_on", "url",
]  # fmt: skip


def _export_rule_cells(jurisdiction: Jurisdiction) -> dict:
    """One column group per category: leaf_rule, leaf_scope, leaf_min_age, leaf_limit…"""
    cells = {}
    for category, rule in rules_data(current_rules(jurisdiction)).items():
        for part in RULE_COLUMN_PARTS:
            cells[f"{category}_{part}"] = "" if rule[part] is None else rule[part]
    return cells


def export_row(jurisdiction: Jurisdiction) -> dict:
    current, upcoming = jurisdiction.current_status, jurisdiction.upcoming_status
    return {
        "code": jurisdiction.code,
        "name": jurisdiction.name,
        "level": jurisdiction.level,
        "parent": jurisdiction.parent.code if jurisdiction.parent else "",
        "ocd_id": jurisdiction.ocd_id or "",
        "status": jurisdiction.status,
        "meaning": STATUS_MEANINGS[jurisdiction.status],
        **_export_rule_cells(jurisdiction),
        "summary": current.summary if current else "",
        "min_age": current.min_age if current and current.min_age else "",
        "seven_oh_rule": current.seven_oh_rule if current else "",
        "effective_date": date_iso(current.effective_date, current.effective_date_precision)
        if current
        else "",
        "citations": citations_text(current.basis_citations) if current else "",
        "upcoming_status": upcoming.status if upcoming else "",
        "upcoming_effective_date": date_iso(
            upcoming.effective_date, upcoming.effective_date_precision
        )
        if upcoming
        else "",
        "last_verified_on": jurisdiction.last_verified_on.isoformat()
        if jurisdiction.last_verified_on
        else "",
        "url": page_url(jurisdiction),
    }
