"""LegiScan, the Federal Register and Congress.gov against a real HTTP server on loopback."""

import datetime

import pytest

from tests.measures.provider_payloads import (
    congress_actions,
    congress_detail,
    congress_list,
    congress_listed,
    federal_register_document,
    federal_register_search,
    legiscan_bill,
    legiscan_error,
    legiscan_search,
)
from tests.measures.provider_server import json_answer
from tracker.measures.models import (
    Kind,
    Measure,
    NextDateKind,
    Provider,
    ProviderRequest,
    ProviderState,
    RequestOutcome,
    Review,
    RunOutcome,
    Stage,
)
from tracker.measures.sync import provider_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def legiscan(settings, provider_server, places, frozen):
    settings.LEGISCAN_API_URL = f"{provider_server.url}/"
    settings.LEGISCAN_API_KEY = "0123456789abcdef0123456789abcdef"
    return provider_server


def _legiscan_serve(server, search: dict, bills: dict[int, dict]):
    def api(query):
        if query["op"] == ["getSearchRaw"]:
            return json_answer(search)
        return json_answer(bills[int(query["id"][0])])

    server.routes["/"] = api


def test_legiscan_asks_getbill_only_for_a_changed_hash(legiscan):
    bill = legiscan_bill(status=2)
    bill["bill"]["state"] = "TX"
    _legiscan_serve(legiscan, legiscan_search([(396373, "hash-1")]), {396373: bill})
    run = provider_run(provider=Provider.LEGISCAN)
    assert run.outcome == RunOutcome.OK and run.measures_created == 1
    ops = [q["op"][0] for _p, q, _h in legiscan.requests]
    assert ops == ["getSearchRaw", "getBill"]
    measure = Measure.objects.get()
    assert (measure.jurisdiction.code, measure.identifier, measure.stage) == (
        "US-TX", "HB1044", Stage.PASSED_ONE_CHAMBER
    )  # fmt: skip
    assert measure.actions.count() == len(bill["bill"]["history"])
    # The search still answers the hash the stored bill has: no getBill, nothing written.
    Measure.objects.update(change_hash="hash-1")
    again = provider_run(provider=Provider.LEGISCAN)
    assert [q["op"][0] for _p, q, _h in legiscan.requests[2:]] == ["getSearchRaw"]
    assert (again.measures_created, again.measures_updated, again.actions_created) == (0, 0, 0)
    # The key never reaches the request log.
    assert all("0123456789abcdef" not in r.url for r in ProviderRequest.objects.all())


def test_legiscan_reads_every_search_page(legiscan):
    def api(query):
        if query["op"] == ["getSearchRaw"]:
            page = int(query["page"][0])
            return json_answer(legiscan_search([(page, f"h{page}")], page=page, page_total=2))
        bill = legiscan_bill(bill_id=int(query["id"][0]), change_hash="x")
        bill["bill"]["state"] = "TX"
        return json_answer(bill)

    legiscan.routes["/"] = api
    assert provider_run(provider=Provider.LEGISCAN).measures_created == 2


def test_legiscan_an_error_answered_with_200_is_a_refused_key(legiscan):
    legiscan.routes["/"] = lambda q: json_answer(legiscan_error("Invalid API key"))
    run = provider_run(provider=Provider.LEGISCAN)
    assert run.outcome == RunOutcome.FAILED and "Invalid API key" in run.error
    assert ProviderRequest.objects.get().outcome == RequestOutcome.REFUSED
    assert Measure.objects.count() == 0


@pytest.fixture
def federal_register(settings, provider_server, places, frozen):
    settings.FEDERAL_REGISTER_API_URL = provider_server.url
    return provider_server


def test_federal_register_pages_maps_dates_and_a_second_run_writes_nothing(federal_register):
    pages = [
        [federal_register_document("2026-90001")],
        [federal_register_document("2026-90002", type_="Rule", effective_on="2027-01-15",
                                   comments_close_on=None, title="Rule about kratom")],
    ]  # fmt: skip
    federal_register.routes["/documents.json"] = lambda q: json_answer(
        federal_register_search(pages[int(q["page"][0]) - 1], total_pages=2)
    )
    run = provider_run(provider=Provider.FEDERAL_REGISTER)
    assert (run.outcome, run.measures_created) == (RunOutcome.OK, 2)
    _path, query, _headers = federal_register.requests[0]
    assert query["conditions[type][]"] == ["RULE", "PRORULE", "NOTICE"]
    proposed = Measure.objects.get(provider_key="2026-90001")
    assert (proposed.kind, proposed.stage) == (Kind.PROPOSED_RULE, Stage.COMMENT_PERIOD)
    assert (proposed.next_date, proposed.next_date_kind) == (
        datetime.date(2026, 12, 31), NextDateKind.COMMENT_DEADLINE
    )  # fmt: skip
    rule = Measure.objects.get(provider_key="2026-90002")
    assert (rule.kind, rule.stage, rule.next_date_kind) == (
        Kind.FINAL_RULE, Stage.ADOPTED, NextDateKind.EFFECTIVE
    )  # fmt: skip
    again = provider_run(provider=Provider.FEDERAL_REGISTER)
    assert federal_register.requests[-1][1]["conditions[publication_date][gte]"] == ["2026-12-07"]
    assert (again.measures_created, again.measures_updated, again.actions_created) == (0, 0, 0)


def test_federal_register_an_empty_search_has_no_results_key(federal_register):
    federal_register.routes["/documents.json"] = lambda q: json_answer(federal_register_search([]))
    assert provider_run(provider=Provider.FEDERAL_REGISTER).outcome == RunOutcome.OK


def test_federal_register_off_with_no_url(federal_register, settings):
    settings.FEDERAL_REGISTER_API_URL = ""
    assert provider_run(provider=Provider.FEDERAL_REGISTER) is None


@pytest.fixture
def congress(settings, provider_server, places, frozen):
    settings.CONGRESS_API_URL = provider_server.url
    settings.CONGRESS_API_KEY = "test-congress-key"
    return provider_server


def _congress_serve(server, pages: list[list[dict]]):
    def listing(query):
        index = int(query["offset"][0]) // 250
        more = f"{server.url}/bill?offset={250 * (index + 1)}" if index + 1 < len(pages) else None
        return json_answer(congress_list(pages[index], next_url=more))

    server.routes["/bill"] = listing
    for bill in [b for page in pages for b in page]:
        path = f"/bill/{bill['congress']}/{bill['type'].lower()}/{bill['number']}"
        server.routes[path] = lambda q, bill=bill: json_answer(congress_detail(bill))
        server.routes[f"{path}/actions"] = lambda q: json_answer(congress_actions())


def test_congress_matches_titles_here_and_reads_only_matching_changed_bills(congress):
    kratom = congress_listed(0)
    other = congress_listed(1, title="Coast Guard Authorization Act")
    _congress_serve(congress, [[other], [kratom]])
    run = provider_run(provider=Provider.CONGRESS)
    assert (run.outcome, run.measures_created) == (RunOutcome.OK, 1)
    assert congress.paths() == ["/bill", "/bill", "/bill/119/hr/3617", "/bill/119/hr/3617/actions"]
    assert congress.requests[0][2]["X-Api-Key"] == "test-congress-key"
    measure = Measure.objects.get()
    assert (measure.identifier, measure.review, measure.stage) == (
        "HR 3617",
        Review.RELEVANT,
        Stage.PASSED_ONE_CHAMBER,
    )
    assert measure.actions.count() == len(congress_actions()["actions"])
    again = provider_run(provider=Provider.CONGRESS)
    assert congress.paths()[4:] == ["/bill", "/bill"]  # the list only: nothing changed
    assert again.measures_created == again.measures_updated == again.actions_created == 0


def test_congress_a_429_honours_retry_after(congress, frozen):
    congress.routes["/bill"] = lambda q: json_answer(
        {"error": {"code": "OVER_RATE_LIMIT", "message": "You have exceeded your rate limit."}},
        429,
        {"Retry-After": "3600"},
    )
    run = provider_run(provider=Provider.CONGRESS)
    assert run.outcome == RunOutcome.PAUSED
    state = ProviderState.objects.get(provider=Provider.CONGRESS)
    assert state.paused_until == frozen + datetime.timedelta(hours=1)
