"""Each provider's API on the loopback server: routes that answer page by page as the real
API does, with the payloads of provider_payloads."""

from tests.measures.provider_payloads import (
    congress_actions,
    congress_detail,
    congress_list,
    federal_register_search,
    legiscan_bill,
    legiscan_search,
    openstates_page,
)
from tests.measures.provider_server import json_answer


def openstates_serve(server, pages: list[list[dict]]):
    """/bills answers page by page, and only with bills updated since `updated_since`."""

    def bills(query):
        since = query["updated_since"][0]
        page = int(query["page"][0])
        fresh = [b for b in pages[page - 1] if b["updated_at"][:10] >= since]
        return json_answer(openstates_page(fresh, page=page, max_page=len(pages)))

    server.routes["/bills"] = bills


def legiscan_serve(server, pages: list[list[tuple[int, str]]], *, status: int = 1):
    """getSearchRaw answers the (bill id, change_hash) hits page by page; getBill answers a
    Texas bill carrying the hash its search hit has (as the real API keeps them in step)."""
    hashes = {bill_id: change_hash for page in pages for bill_id, change_hash in page}

    def api(query):
        if query["op"] == ["getSearchRaw"]:
            page = int(query["page"][0])
            return json_answer(legiscan_search(pages[page - 1], page=page, page_total=len(pages)))
        bill_id = int(query["id"][0])
        bill = legiscan_bill(bill_id=bill_id, change_hash=hashes[bill_id], status=status)
        bill["bill"]["state"] = "TX"
        return json_answer(bill)

    server.routes["/"] = api


def federal_register_serve(server, pages: list[list[dict]]):
    server.routes["/documents.json"] = lambda q: json_answer(
        federal_register_search(pages[int(q["page"][0]) - 1], total_pages=len(pages))
    )


def congress_serve(server, pages: list[list[dict]]):
    """/bill lists page by page (250 a page, `next` until the last); each listed bill has its
    detail and actions."""

    def listing(query):
        index = int(query["offset"][0]) // 250
        more = f"{server.url}/bill?offset={250 * (index + 1)}" if index + 1 < len(pages) else None
        return json_answer(congress_list(pages[index], next_url=more))

    server.routes["/bill"] = listing
    for bill in [b for page in pages for b in page]:
        path = f"/bill/{bill['congress']}/{bill['type'].lower()}/{bill['number']}"
        server.routes[path] = lambda q, bill=bill: json_answer(congress_detail(bill))
        server.routes[f"{path}/actions"] = lambda q: json_answer(congress_actions())
