"""Plain dictionaries for the JSON API and the export (the shapes in jurisdictions/openapi.py)."""

import datetime

from django.conf import settings
from django.urls import reverse

from jurisdictions.baseline import BASELINE_PROVENANCE, baseline_paragraphs
from jurisdictions.models import STATUS_MEANINGS, DatePrecision, Jurisdiction, Origin, Status

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


def page_url(jurisdiction: Jurisdiction) -> str:
    return settings.SITE_URL + reverse("jurisdictions:detail", args=[jurisdiction.code])


def api_url(jurisdiction: Jurisdiction) -> str:
    return settings.SITE_URL + reverse("jurisdictions:api-detail", args=[jurisdiction.code])


def version_data(version) -> dict | None:
    if version is None:
        return None
    return {
        "id": version.pk,
        "status": version.status,
        "meaning": STATUS_MEANINGS[version.status],
        "summary": version.summary,
        "min_age": version.min_age,
        "seven_oh_rule": version.seven_oh_rule,
        "effective_date": date_iso(version.effective_date, version.effective_date_precision),
        "effective_date_precision": version.effective_date_precision,
        "citations": version.citations,
        "as_of": version.as_of.isoformat(),
        "origin": version.origin,
        "confirmed_at": version.confirmed_at.isoformat(),
    }


def jurisdiction_link_data(jurisdiction: Jurisdiction) -> dict:
    return {
        "code": jurisdiction.code,
        "name": jurisdiction.name,
        "level": jurisdiction.level,
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
        "effective_date": date_iso(current.effective_date, current.effective_date_precision)
        if current
        else None,
        "upcoming_status": jurisdiction.upcoming_status.status
        if jurisdiction.upcoming_status
        else None,
        "last_verified_on": jurisdiction.last_verified_on.isoformat()
        if jurisdiction.last_verified_on
        else None,
    }


def last_verified_data(jurisdiction: Jurisdiction) -> dict | None:
    current = jurisdiction.current_status
    if not jurisdiction.last_verified_on or current is None:
        return None
    by = "curator" if current.origin == Origin.CURATOR else "curated reference data"
    return {"on": jurisdiction.last_verified_on.isoformat(), "by": by}


def baseline_data(jurisdiction: Jurisdiction) -> dict | None:
    if jurisdiction.status != Status.UNVERIFIED:
        return None
    return {"paragraphs": list(baseline_paragraphs()), "provenance": list(BASELINE_PROVENANCE)}


def jurisdiction_detail_data(jurisdiction: Jurisdiction, children: list[Jurisdiction]) -> dict:
    return {
        **jurisdiction_data(jurisdiction),
        "current": version_data(jurisdiction.current_status),
        "upcoming": version_data(jurisdiction.upcoming_status),
        "last_verified": last_verified_data(jurisdiction),
        "children": [jurisdiction_link_data(child) for child in children],
        "baseline": baseline_data(jurisdiction),
        "notice": "Information, not legal advice.",
    }


def change_data(version) -> dict:
    return {
        "jurisdiction": {
            "code": version.jurisdiction.code,
            "name": version.jurisdiction.name,
            "level": version.jurisdiction.level,
            "url": page_url(version.jurisdiction),
        },
        "previous_status": version.previous_status,
        "version": version_data(version),
    }


def place_data(place) -> dict:
    return {
        "level": place.level,
        "name": place.name,
        "status": place.status,
        "jurisdiction": jurisdiction_link_data(place.jurisdiction) if place.jurisdiction else None,
    }


def zip_answer_data(answer) -> dict:
    return {
        "zip": answer.zip_code,
        "state": place_data(answer.state),
        "counties": [place_data(place) for place in answer.counties],
        "cities": [place_data(place) for place in answer.cities],
        "answer": {
            "status": answer.answer.status or Status.UNVERIFIED,
            "meaning": STATUS_MEANINGS[answer.answer.status or Status.UNVERIFIED],
            "from": place_data(answer.answer),
        },
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
    "code", "name", "level", "parent", "ocd_id", "status", "meaning", "summary", "min_age",
    "seven_oh_rule", "effective_date", "citations", "upcoming_status",
    "upcoming_effective_date", "last_verified_on", "url",
]  # fmt: skip


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
        "summary": current.summary if current else "",
        "min_age": current.min_age if current and current.min_age else "",
        "seven_oh_rule": current.seven_oh_rule if current else "",
        "effective_date": date_iso(current.effective_date, current.effective_date_precision)
        if current
        else "",
        "citations": citations_text(current.citations) if current else "",
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
