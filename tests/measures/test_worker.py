"""The daily job end to end: a real Celery worker runs a provider against a loopback server;
a worker killed (SIGKILL) mid-run and a fresh one leave no duplicate measure or action."""

import threading
import time

import pytest

from jurisdictions.models import Jurisdiction, Level
from tests.measures.provider_payloads import openstates_bill, openstates_page
from tests.measures.provider_server import ProviderServer, json_answer
from tests.monitoring.support import wait_for
from tracker.measures.models import Measure, MeasureAction, ProviderRun, RunOutcome
from tracker.measures.tasks import measures_sync

pytestmark = pytest.mark.worker
PAGES = [[openstates_bill(0), openstates_bill(2)], [openstates_bill(3)]]
LEASE_SECONDS = 5


@pytest.fixture
def texas(transactional_db):
    us = Jurisdiction.objects.create(
        code="US", name="United States", level=Level.COUNTRY, ocd_id="ocd-division/country:us"
    )
    return Jurisdiction.objects.create(
        code="US-TX", name="Texas", level=Level.STATE, parent=us,
        ocd_id="ocd-division/country:us/state:tx",
    )  # fmt: skip


@pytest.fixture
def open_states():
    """Open States on loopback; page 2 hangs while `hang` is set (the worker is killed then)."""
    server = ProviderServer()
    server.reached_page_two = threading.Event()
    server.hang = threading.Event()
    server.hang.set()

    def bills(query):
        page = int(query["page"][0])
        if page == 2:
            server.reached_page_two.set()
            while server.hang.is_set():
                time.sleep(0.05)
        return json_answer(openstates_page(PAGES[page - 1], page=page, max_page=2))

    server.routes["/bills"] = bills
    yield server
    server.hang.clear()
    server.stop()


def _env(server) -> dict:
    return {
        "OPENSTATES_API_URL": server.url,
        "OPENSTATES_API_KEY": "test-key",
        "OPENSTATES_REQUESTS_PER_MINUTE": "60000",
        "MEASURES_RUN_LEASE_SECONDS": str(LEASE_SECONDS),
    }


def test_a_run_killed_mid_way_is_completed_by_the_next_without_duplicates(
    celery_worker_process, texas, open_states
):
    worker = celery_worker_process(concurrency=2, extra_env=_env(open_states))
    measures_sync.delay("openstates")
    assert open_states.reached_page_two.wait(60), "the run never asked for page 2"
    wait_for(lambda: Measure.objects.count() == 2, what="page 1 written")
    worker.kill()  # SIGKILL: no warm shutdown, the run is left "running"
    worker.wait()
    open_states.hang.clear()
    assert ProviderRun.objects.get().outcome == RunOutcome.RUNNING

    celery_worker_process(concurrency=2, extra_env=_env(open_states))
    time.sleep(LEASE_SECONDS + 1)  # the killed run's lease ends
    result = measures_sync.apply_async(("openstates",), ignore_result=False)
    assert result.get(timeout=60) == RunOutcome.OK
    assert Measure.objects.count() == 3 and MeasureAction.objects.count() == 3
    killed, finished = ProviderRun.objects.order_by("started_at")
    assert killed.outcome == RunOutcome.FAILED and "interrupted" in killed.error
    assert (finished.measures_created, finished.measures_updated) == (1, 0)

    # A second identical run finds nothing new.
    again = measures_sync.apply_async(("openstates",), ignore_result=False)
    assert again.get(timeout=60) == RunOutcome.OK
    assert Measure.objects.count() == 3 and MeasureAction.objects.count() == 3
    assert ProviderRun.objects.order_by("-started_at").first().measures_created == 0
