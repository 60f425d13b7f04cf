"""What every provider must do, one table across the four: a 429 honours its Retry-After; a
500, a malformed or partial body, an oversized body and a refused key are each a recorded
failure that changes nothing; a second identical run writes nothing new. Pagination and the
incremental cursors differ per provider: they are tested in each provider's own file."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.measures.provider_payloads import (
    congress_list,
    congress_listed,
    federal_register_document,
    federal_register_search,
    legiscan_error,
    legiscan_search,
    openstates_bill,
    openstates_page,
)
from tests.measures.provider_routes import (
    congress_serve,
    federal_register_serve,
    legiscan_serve,
    openstates_serve,
)
from tests.measures.provider_server import json_answer
from tracker.measures.models import (
    Measure,
    MeasureAction,
    Provider,
    ProviderRequest,
    ProviderState,
    RequestOutcome,
    RunOutcome,
)
from tracker.measures.sync import provider_run

pytestmark = pytest.mark.django_db
CAP = 20000  # OUTBOUND_MAX_BYTES in these tests: the oversized answers are above it
HTML = {"Content-Type": "text/html"}


def _html(status: int, text: str):
    return status, HTML, f"<html><body><h1>{text}</h1></body></html>".encode()


def _api_data_gov(status: int, code: str, message: str):
    """api.data.gov's gateway error (it fronts Congress.gov): {"error": {code, message}}."""
    return json_answer({"error": {"code": code, "message": message}}, status)


@dataclass(frozen=True)
class Case:
    provider: str
    fixture: str  # the conftest fixture pointing the provider at the loopback server
    path: str  # the path of a run's first request, where a failing answer is served
    serve: Callable  # serves one relevant measure, the same on every run
    rate_limited: tuple  # its 429 (without the Retry-After, which the test adds)
    server_error: tuple
    partial: dict  # the envelope lacking a part a run needs
    oversized: dict  # a well-formed first answer over CAP
    refused: tuple | None  # its answer to a refused key; None: the provider has no key
    refused_error: str = ""


CASES = [
    Case(
        provider=Provider.OPENSTATES,
        fixture="openstates",
        path="/bills",
        serve=lambda server: openstates_serve(server, [[openstates_bill(0)]]),
        rate_limited=json_answer({"detail": "exceeded limit of 10/min: 11"}, 429),
        server_error=json_answer({"detail": "Internal Server Error"}, 500),
        partial={"results": [openstates_bill(0)]},  # no pagination
        oversized=openstates_page([openstates_bill(0)] * 40),
        refused=json_answer(
            {
                "detail": "Invalid API Key. Login and visit https://openstates.org/account/profile/"
                " for your API key."
            },
            401,
        ),  # fmt: skip
        refused_error="the key was refused (HTTP 401)",
    ),
    Case(
        provider=Provider.LEGISCAN,
        fixture="legiscan",
        path="/",
        serve=lambda server: legiscan_serve(server, [[(396373, "hash-1")]]),
        # LegiScan reports its own quota inside a 200 (as an ERROR status); a 429 can still
        # come from the web server in front of it, and is honoured the same way.
        rate_limited=_html(429, "429 Too Many Requests"),
        server_error=_html(500, "500 Internal Server Error"),
        partial={"status": "OK", "searchresult": {"results": []}},  # no summary
        oversized=legiscan_search([(n, f"{n:032x}") for n in range(400)]),
        # Every LegiScan answer is HTTP 200: a refused key is an ERROR status inside one.
        refused=json_answer(legiscan_error("Invalid API key")),
        refused_error="LegiScan: Invalid API key",
    ),
    Case(
        provider=Provider.FEDERAL_REGISTER,
        fixture="federal_register",
        path="/documents.json",
        serve=lambda server: federal_register_serve(
            server, [[federal_register_document("2026-90001")]]
        ),
        # The API has no limiter of its own; a 429 from the cache in front is honoured.
        rate_limited=_html(429, "429 Too Many Requests"),
        server_error=json_answer({"status": 500, "message": "Internal Server Error"}, 500),
        partial={"results": [federal_register_document("2026-90001")]},  # no count
        oversized=federal_register_search(
            [federal_register_document(f"2026-9{n:04}") for n in range(60)]
        ),
        # No key: the Federal Register API needs none, so no key can be refused.
        refused=None,
    ),
    Case(
        provider=Provider.CONGRESS,
        fixture="congress",
        path="/bill",
        serve=lambda server: congress_serve(server, [[congress_listed(0)]]),
        rate_limited=_api_data_gov(429, "OVER_RATE_LIMIT", "You have exceeded your rate limit."),
        server_error=_api_data_gov(500, "INTERNAL_SERVER_ERROR", "An unexpected error occurred."),
        partial={"bills": [congress_listed(0)]},  # no pagination
        oversized=congress_list([congress_listed(0)] * 80),
        refused=_api_data_gov(403, "API_KEY_INVALID", "An invalid api_key was supplied."),
        refused_error="the key was refused (HTTP 403)",
    ),
]
BY_PROVIDER = pytest.mark.parametrize("case", CASES, ids=[c.provider for c in CASES])


def _server(request, case: Case):
    return request.getfixturevalue(case.fixture)


def _failures():
    """(case, answer, the error the run records) for every failure each provider can meet."""
    for case in CASES:
        yield case, "500", case.server_error, "HTTP 500"
        yield (
            case,
            "malformed",
            (200, {"Content-Type": "application/json"}, b'{"status": '),
            ("malformed payload"),
        )
        yield case, "partial", json_answer(case.partial), "malformed payload: KeyError"
        yield case, "oversized", json_answer(case.oversized), f"over the {CAP}-byte cap"
        if case.refused:
            yield case, "key-refused", case.refused, case.refused_error


@BY_PROVIDER
def test_a_429_pauses_the_provider_for_its_retry_after_and_writes_nothing(case, request, frozen):
    server = _server(request, case)
    status, headers, body = case.rate_limited
    server.routes[case.path] = lambda q: (status, {**headers, "Retry-After": "120"}, body)
    run = provider_run(provider=case.provider)
    assert run.outcome == RunOutcome.PAUSED and Measure.objects.count() == 0
    assert ProviderRequest.objects.get().outcome == RequestOutcome.RATE_LIMITED
    state = ProviderState.objects.get(provider=case.provider)
    assert state.paused_until == frozen + datetime.timedelta(seconds=120)
    # Until then a run sends nothing.
    assert provider_run(provider=case.provider).outcome == RunOutcome.PAUSED
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("case", "answer", "error"),
    [(case, answer, error) for case, _id, answer, error in _failures()],
    ids=[f"{case.provider}-{name}" for case, name, _answer, _error in _failures()],
)
def test_a_failed_request_is_recorded_and_changes_nothing(case, answer, error, request, settings):
    settings.OUTBOUND_MAX_BYTES = CAP
    server = _server(request, case)
    server.routes[case.path] = lambda q: answer
    run = provider_run(provider=case.provider)
    assert run.outcome == RunOutcome.FAILED and error in run.error
    logged = ProviderRequest.objects.get(run=run)
    assert logged.outcome in (RequestOutcome.FAILED, RequestOutcome.REFUSED) and logged.error
    assert (logged.outcome == RequestOutcome.REFUSED) == (error == case.refused_error)
    assert Measure.objects.count() == 0
    state = ProviderState.objects.get(provider=case.provider)
    assert state.cursors == {} and state.last_success_at is None and error in state.last_error


@BY_PROVIDER
def test_oversized_answers_are_over_the_cap(case):
    """Guards the table: an oversized answer that fit under the cap would test nothing."""
    assert len(json_answer(case.oversized)[2]) > CAP


@BY_PROVIDER
def test_a_second_identical_run_writes_nothing_new(case, request):
    server = _server(request, case)
    case.serve(server)
    first = provider_run(provider=case.provider)
    assert (first.outcome, first.measures_created) == (RunOutcome.OK, 1)
    actions, sent = MeasureAction.objects.count(), len(server.requests)
    Measure.objects.update(attention_since=None)  # a curator reviewed it
    again = provider_run(provider=case.provider)
    assert again.outcome == RunOutcome.OK
    # One listing page and nothing else: no unchanged record is fetched again.
    assert server.paths()[sent:] == [case.path]
    assert (again.measures_created, again.measures_updated, again.actions_created) == (0, 0, 0)
    assert Measure.objects.count() == 1 and MeasureAction.objects.count() == actions
    assert Measure.objects.get().attention_since is None  # no new worklist item
