"""`manage.py measures sync|status`, /healthz and the admin on the providers."""

import io

import pytest
from django.core.management import call_command

from tests.factories import make_curator
from tests.measures.provider_payloads import federal_register_document
from tests.measures.provider_routes import federal_register_serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def federal_register(federal_register, settings):
    """The Federal Register on loopback (the conftest fixture) as the only provider on."""
    settings.OPENSTATES_API_KEY = settings.LEGISCAN_API_KEY = settings.CONGRESS_API_KEY = ""
    federal_register_serve(federal_register, [[federal_register_document("2026-90001")]])
    return federal_register


def _call(*args) -> str:
    out = io.StringIO()
    call_command("measures", *args, stdout=out)
    return out.getvalue()


def test_sync_shows_progress_and_a_summary_and_skips_providers_that_are_off(federal_register):
    output = _call("sync")
    assert "openstates: off (no key or URL set)" in output
    assert "  FR 2026-90001 (DEA-0000): new, 1 action(s)" in output
    assert "federal_register: succeeded — 1 request(s), 1 new, 0 updated, 1 new action(s)" in output
    again = _call("sync", "--provider", "federal_register", "--jurisdiction", "US")
    assert "FR 2026-90001 (DEA-0000): unchanged" in again and "0 new, 0 updated" in again


def test_status_healthz_and_admin_say_which_providers_run_and_when_they_last_succeeded(
    federal_register, client
):
    _call("sync", "--provider", "federal_register")
    status = _call("status")
    assert (
        "federal_register: on; last run 2026-12-07 12:00 UTC, last success 2026-12-07 12:00 UTC"
        in status
    )
    assert "openstates: off; last run never, last success never; requests today 0/250" in status
    providers = client.get("/healthz").json()["measure_providers"]
    assert providers["federal_register"]["last_success_at"].startswith("2026-12-07T12:00")
    assert providers["openstates"] == {
        "enabled": False, "last_run_at": None, "last_success_at": None, "paused_until": None
    }  # fmt: skip
    client.force_login(make_curator())
    html = client.get("/admin/measures/providerstate/").content.decode()
    assert "Federal Register" in html and "1 (no daily limit)" in html
