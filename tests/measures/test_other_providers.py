"""LegiScan, the Federal Register and Congress.gov against a real HTTP server on loopback:
pagination, the incremental run and the mapping of each (the failures every provider shares
are in test_provider_contract)."""

import datetime

import pytest

from tests.measures.provider_payloads import (
    congress_actions,
    congress_listed,
    federal_register_document,
    legiscan_bill,
)
from tests.measures.provider_routes import (
    congress_serve,
    federal_register_serve,
    legiscan_serve,
)
from tracker.measures.models import (
    Kind,
    Measure,
    NextDateKind,
    Provider,
    ProviderRequest,
    Review,
    RunOutcome,
    Stage,
)
from tracker.measures.sync import provider_run

pytestmark = pytest.mark.django_db


def _legiscan_calls(server) -> list[tuple[str, str]]:
    """Each request as (op, its page or bill id)."""
    return [
        (q["op"][0], q.get("page", q.get("id", [""]))[0]) for _path, q, _headers in server.requests
    ]


def test_legiscan_maps_a_bill_and_keeps_its_key_out_of_the_log(legiscan):
    legiscan_serve(legiscan, [[(396373, "hash-1")]], status=2)
    run = provider_run(provider=Provider.LEGISCAN)
    assert run.outcome == RunOutcome.OK and run.measures_created == 1
    measure = Measure.objects.get()
    assert (measure.jurisdiction.code, measure.identifier, measure.stage) == (
        "US-TX", "HB1044", Stage.PASSED_ONE_CHAMBER
    )  # fmt: skip
    assert measure.actions.count() == len(legiscan_bill()["bill"]["history"])
    assert all("0123456789abcdef" not in r.url for r in ProviderRequest.objects.all())


def test_legiscan_reads_every_search_page(legiscan):
    legiscan_serve(legiscan, [[(1, "h1")], [(2, "h2")]])
    assert provider_run(provider=Provider.LEGISCAN).measures_created == 2
    assert _legiscan_calls(legiscan) == [
        ("getSearchRaw", "1"), ("getBill", "1"), ("getSearchRaw", "2"), ("getBill", "2")
    ]  # fmt: skip


def test_legiscan_asks_getbill_only_for_a_changed_hash(legiscan):
    legiscan_serve(legiscan, [[(1, "h1"), (2, "h2")]])
    provider_run(provider=Provider.LEGISCAN)
    legiscan_serve(legiscan, [[(1, "h1"), (2, "h2-moved")]], status=2)
    again = provider_run(provider=Provider.LEGISCAN)
    assert _legiscan_calls(legiscan)[3:] == [("getSearchRaw", "1"), ("getBill", "2")]
    assert (again.measures_created, again.measures_updated) == (0, 1)
    moved = Measure.objects.get(provider_key="2")
    assert (moved.change_hash, moved.stage) == ("h2-moved", Stage.PASSED_ONE_CHAMBER)
    assert Measure.objects.get(provider_key="1").stage == Stage.INTRODUCED


def test_federal_register_pages_maps_dates_and_moves_its_date_cursor(federal_register):
    federal_register_serve(
        federal_register,
        [
            [federal_register_document("2026-90001")],
            [federal_register_document("2026-90002", type_="Rule", effective_on="2027-01-15",
                                       comments_close_on=None, title="Rule about kratom")],
        ],
    )  # fmt: skip
    run = provider_run(provider=Provider.FEDERAL_REGISTER)
    assert (run.outcome, run.measures_created) == (RunOutcome.OK, 2)
    assert [q["page"] for _p, q, _h in federal_register.requests] == [["1"], ["2"]]
    _path, query, _headers = federal_register.requests[0]
    assert query["conditions[type][]"] == ["RULE", "PRORULE", "NOTICE"]
    # The first run looks back MEASURES_FIRST_RUN_DAYS (365) days.
    assert query["conditions[publication_date][gte]"] == ["2025-12-07"]
    proposed = Measure.objects.get(provider_key="2026-90001")
    assert (proposed.kind, proposed.stage) == (Kind.PROPOSED_RULE, Stage.COMMENT_PERIOD)
    assert (proposed.next_date, proposed.next_date_kind) == (
        datetime.date(2026, 12, 31), NextDateKind.COMMENT_DEADLINE
    )  # fmt: skip
    rule = Measure.objects.get(provider_key="2026-90002")
    assert (rule.kind, rule.stage, rule.next_date_kind) == (
        Kind.FINAL_RULE, Stage.ADOPTED, NextDateKind.EFFECTIVE
    )  # fmt: skip
    # Documents carry no update time: the next run asks only for what was published since.
    provider_run(provider=Provider.FEDERAL_REGISTER)
    assert federal_register.requests[-1][1]["conditions[publication_date][gte]"] == ["2026-12-07"]


def test_federal_register_an_empty_search_has_no_results_key(federal_register):
    federal_register_serve(federal_register, [[]])
    assert provider_run(provider=Provider.FEDERAL_REGISTER).outcome == RunOutcome.OK


def test_federal_register_off_with_no_url(federal_register, settings):
    settings.FEDERAL_REGISTER_API_URL = ""
    assert provider_run(provider=Provider.FEDERAL_REGISTER) is None


def test_congress_matches_titles_here_and_reads_only_matching_changed_bills(congress):
    kratom = congress_listed(0)
    other = congress_listed(1, title="Coast Guard Authorization Act")
    congress_serve(congress, [[other], [kratom]])
    run = provider_run(provider=Provider.CONGRESS)
    assert (run.outcome, run.measures_created) == (RunOutcome.OK, 1)
    assert congress.paths() == ["/bill", "/bill", "/bill/119/hr/3617", "/bill/119/hr/3617/actions"]
    assert [q["offset"] for _p, q, _h in congress.requests[:2]] == [["0"], ["250"]]
    assert congress.requests[0][1]["fromDateTime"] == ["2025-12-07T00:00:00Z"]
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
    assert congress.requests[-1][1]["fromDateTime"] == ["2026-12-07T00:00:00Z"]
    assert again.measures_created == again.measures_updated == again.actions_created == 0


def test_congress_reads_again_only_the_bill_whose_update_date_moved(congress):
    first, second = congress_listed(0), congress_listed(1, title="Kratom Labeling Act")
    congress_serve(congress, [[first, second]])
    assert provider_run(provider=Provider.CONGRESS).measures_created == 2
    sent = len(congress.requests)
    congress_serve(congress, [[first, congress_listed(1, title="Kratom Labeling Act",
                                                      update="2026-12-07")]])  # fmt: skip
    again = provider_run(provider=Provider.CONGRESS)
    path = f"/bill/119/{second['type'].lower()}/{second['number']}"
    assert congress.paths()[sent:] == ["/bill", path, f"{path}/actions"]
    assert (again.measures_created, again.measures_updated) == (0, 1)
