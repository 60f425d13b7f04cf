"""The Federal Register API v1: DEA, FDA and HHS documents about kratom and its alkaloids.

No key. GET /documents.json?conditions[term]=...&conditions[publication_date][gte]=<date>
answers {count, description, total_pages, next_page_url?, results?} ("results" is absent
when nothing matched). Documents carry no updated_at: a run reads what was published since
the last one (the same day again, at no cost: an unchanged record writes nothing).
"""

from django.conf import settings
from django.utils import timezone

from tracker.measures.models import Kind, NextDateKind, Provider, Stage
from tracker.measures.providers.base import MeasureProvider, day_of, is_relevant, score_of
from tracker.measures.services import ActionFacts, MeasureFacts

TERM = 'kratom | mitragynine | hydroxymitragynine | "mitragyna speciosa"'
AGENCIES = [
    "drug-enforcement-administration",
    "food-and-drug-administration",
    "health-and-human-services-department",
]
TYPES = ["RULE", "PRORULE", "NOTICE"]
FIELDS = [
    "document_number",
    "title",
    "type",
    "abstract",
    "action",
    "html_url",
    "pdf_url",
    "publication_date",
    "effective_on",
    "comments_close_on",
    "docket_ids",
]
PER_PAGE = 100


class FederalRegister(MeasureProvider):
    code = Provider.FEDERAL_REGISTER

    @classmethod
    def enabled(cls) -> bool:
        return bool(settings.FEDERAL_REGISTER_API_URL)

    def changes(self, *, jurisdiction):
        if jurisdiction not in (None, "US"):
            return
        page, pages = 1, 1
        while page <= pages:
            records, pages = self.client.get_json(
                f"{settings.FEDERAL_REGISTER_API_URL.rstrip('/')}/documents.json",
                params=self._params(page),
                parse=self._page,
            )
            yield from records
            page += 1
        self.moved("US")

    def _params(self, page: int) -> list[tuple]:
        return [
            ("conditions[term]", TERM),
            *[("conditions[agencies][]", agency) for agency in AGENCIES],
            *[("conditions[type][]", kind) for kind in TYPES],
            ("conditions[publication_date][gte]", self.since("US").isoformat()),
            *[("fields[]", name) for name in FIELDS],
            ("order", "oldest"),
            ("per_page", PER_PAGE),
            ("page", page),
        ]

    def _page(self, data: dict):
        int(data["count"])  # the envelope is there, whatever it holds
        records = [self.measure_of(doc) for doc in data.get("results", [])]
        return [r for r in records if r], int(data.get("total_pages") or 1)

    def measure_of(self, record: dict):
        place = self.places.by_code.get("US")
        if place is None:
            return None
        published = day_of(record["publication_date"])
        kind, stage = _kind_and_stage(record)
        next_date, next_kind = _next_date(record)
        score = score_of(record["title"], record.get("abstract") or "")
        dockets = ", ".join(record.get("docket_ids") or [])
        return record["document_number"], MeasureFacts(
            jurisdiction_id=place,
            kind=kind,
            identifier=f"FR {record['document_number']}" + (f" ({dockets})" if dockets else ""),
            session=str(published.year),
            title=record["title"],
            change_hash="|".join(
                str(record.get(k) or "") for k in ("type", "effective_on", "comments_close_on")
            ),
            official_url=record.get("html_url") or "",
            page_url=record.get("pdf_url") or "",
            stage=stage,
            stage_date=published,
            next_date=next_date,
            next_date_kind=next_kind,
            relevance_score=score,
            relevant=is_relevant(score),
            actions=[
                ActionFacts(
                    published,
                    f"Published in the Federal Register: {record.get('action') or record['type']}",
                    stage,
                )
            ],
        )


def _kind_and_stage(record: dict) -> tuple[str, str]:
    today = timezone.localdate()
    effective = day_of(record.get("effective_on"))
    comments_close = day_of(record.get("comments_close_on"))
    open_for_comment = comments_close is not None and comments_close >= today
    if record["type"] == "Rule":
        return Kind.FINAL_RULE, (
            Stage.ADOPTED if effective and effective > today else Stage.IN_FORCE
        )
    if record["type"] == "Proposed Rule":
        return Kind.PROPOSED_RULE, (Stage.COMMENT_PERIOD if open_for_comment else Stage.PROPOSED)
    kind = Kind.SCHEDULING_NOTICE if "schedul" in record["title"].lower() else Kind.AGENCY_ACTION
    return kind, (Stage.COMMENT_PERIOD if open_for_comment else Stage.PROPOSED)


def _next_date(record: dict):
    today = timezone.localdate()
    effective = day_of(record.get("effective_on"))
    if effective and effective >= today:
        return effective, NextDateKind.EFFECTIVE
    comments_close = day_of(record.get("comments_close_on"))
    if comments_close and comments_close >= today:
        return comments_close, NextDateKind.COMMENT_DEADLINE
    return None, ""
