"""Provider answers built from the real payloads in payloads/ (see its README): a real
object with a few values changed (never the shape), or, where no real one exists, the
provider's own schema filled with values of our own that name nothing real."""

import copy
import json
from pathlib import Path

PAYLOADS = Path(__file__).parent / "payloads"


def _load(name: str):
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def openstates_page(bills: list[dict], *, page: int = 1, max_page: int = 1) -> dict:
    """The /bills envelope of the API's schema around real-shaped bill objects."""
    return {
        "results": bills,
        "pagination": {
            "per_page": 20,
            "page": page,
            "max_page": max_page,
            "total_items": len(bills) + 20 * (max_page - 1),
        },
    }


def openstates_bill(n: int = 0, *, state: str = "tx", real_title: bool = False, actions=None):
    """The real New York bill object n, moved to `state`, retitled as a kratom bill (unless
    `real_title`: then it is about immigration, not kratom), with the includes a run asks for (shapes of the API's schema:
    actions, sources, versions, sponsorships)."""
    bill = copy.deepcopy(_load("openstates_bills_ny.json")[n])
    bill["id"] = f"ocd-bill/00000000-0000-4000-8000-00000000000{n}"
    bill["jurisdiction"]["id"] = f"ocd-jurisdiction/country:us/state:{state}/government"
    bill["identifier"] = f"HB {100 + n}"
    if not real_title:
        bill["title"] = "Relating to the regulation of kratom products"
    organization = {"id": "ocd-organization/1", "name": "House", "classification": "lower"}
    bill["actions"] = actions or [
        {
            "id": "00000000-0000-4000-8000-000000000001",
            "organization": organization,
            "description": "Filed",
            "date": "2026-01-12",
            "classification": ["introduction"],
            "order": 1,
        }
    ]
    bill["sources"] = [{"url": f"https://capitol.example.gov/{state}/HB{100 + n}", "note": ""}]
    bill["versions"] = []
    bill["sponsorships"] = [
        {"id": "00000000-0000-4000-8000-0000000000a1", "name": "A. Member", "entity_type": "person",
         "primary": True, "classification": "primary"}
    ]  # fmt: skip
    return bill


def openstates_action(
    order: int, date: str, description: str, classification: list[str], chamber="lower"
):
    organization = {
        "id": f"ocd-organization/{chamber}",
        "name": chamber.title(),
        "classification": chamber,
    }
    return {
        "id": f"00000000-0000-4000-8000-00000000010{order}",
        "organization": organization,
        "description": description,
        "date": date,
        "classification": classification,
        "order": order,
    }


def legiscan_bill(*, bill_id: int = 396373, change_hash: str = "ea86b8d89a2e381dd2cd2adf649af44d",
                  title: str = "An Act concerning kratom products", status: int = 1):  # fmt: skip
    """The real Arkansas getBill answer ("status": "OK" around it, as a live call has), its
    id, hash, title and status changed."""
    bill = copy.deepcopy(_load("legiscan_getBill_AR_HB1044.json")["bill"])
    bill.update(
        bill_id=bill_id, change_hash=change_hash, title=title, description=title, status=status
    )
    return {"status": "OK", "bill": bill}


def legiscan_search(hits: list[tuple[int, str]], *, page: int = 1, page_total: int = 1) -> dict:
    """getSearchRaw per the official client's schema: summary and a results array."""
    return {
        "status": "OK",
        "searchresult": {
            "summary": {"page": str(page), "range": "", "relevancy": "", "count": len(hits),
                        "page_current": page, "page_total": page_total},
            "results": [{"relevance": 100, "bill_id": b, "change_hash": h} for b, h in hits],
        },
    }  # fmt: skip


def legiscan_error(message: str) -> dict:
    return {"status": "ERROR", "alert": {"message": message}}


def federal_register_document(number: str, *, type_: str = "Proposed Rule", **changed) -> dict:
    """A document with the search's requested fields, per the API's serializer (no real
    Federal Register JSON was available); the values are ours and name no real document."""
    document = {
        "document_number": number,
        "title": "Schedules of Controlled Substances: Placement of Mitragynine Test Compound",
        "type": type_,
        "abstract": "A test abstract about 7-hydroxymitragynine.",
        "action": "Notice of proposed rulemaking.",
        "html_url": f"https://www.federalregister.gov/documents/2026/12/01/{number}/test",
        "pdf_url": f"https://www.govinfo.gov/content/pkg/FR-2026-12-01/pdf/{number}.pdf",
        "publication_date": "2026-12-01",
        "effective_on": None,
        "comments_close_on": "2026-12-31",
        "docket_ids": ["DEA-0000"],
    }
    document.update(changed)
    return document


def federal_register_search(documents: list[dict], *, total_pages: int = 1) -> dict:
    answer = {
        "count": len(documents),
        "description": "Documents matching test",
        "total_pages": total_pages,
    }
    if documents:  # "results" is absent when nothing matched
        answer["results"] = documents
    return answer


def congress_list(bills: list[dict], *, next_url: str | None = None) -> dict:
    """The real bill list, its bills replaced (real-shaped ones) and `next` set or dropped."""
    answer = copy.deepcopy(_load("congress_bill_list.json"))
    answer["bills"] = bills
    if next_url:
        answer["pagination"]["next"] = next_url
    else:
        answer["pagination"].pop("next")
    return answer


def congress_listed(n: int = 0, *, title: str | None = None, update: str = "2026-12-01") -> dict:
    """Real list entry n, retitled (a kratom bill unless `title` says otherwise)."""
    bill = copy.deepcopy(_load("congress_bill_list.json")["bills"][n])
    bill.update(congress=119, title=title or "Kratom Consumer Protection Act", updateDate=update)
    return bill


def congress_detail(listed: dict) -> dict:
    """The real HR 21 detail, renumbered and retitled as `listed`. Its updateDate keeps the
    detail's own form, a timestamp (the list gives a bare date), on the listed day."""
    answer = copy.deepcopy(_load("congress_bill_117_hr_21.json"))
    answer["bill"].update(
        congress=listed["congress"], type=listed["type"], number=listed["number"],
        title=listed["title"], updateDate=f"{listed['updateDate']}T01:16:59Z",
    )  # fmt: skip
    return answer


def congress_actions() -> dict:
    return _load("congress_bill_117_hr_21_actions.json")
