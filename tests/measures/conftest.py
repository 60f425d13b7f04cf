import datetime

import pytest
import time_machine

from jurisdictions.models import Jurisdiction, Level
from tests.measures.provider_server import ProviderServer

NOW = datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    """Provider runs date their cursors and stages by today: the whole test runs on one day."""
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def provider_server():
    server = ProviderServer()
    yield server
    server.stop()


@pytest.fixture
def places(db):
    """The federal level and Texas, with their OCD division ids (as the seed gives them)."""
    us = Jurisdiction.objects.create(
        code="US", name="United States", level=Level.COUNTRY, ocd_id="ocd-division/country:us"
    )
    texas = Jurisdiction.objects.create(
        code="US-TX", name="Texas", level=Level.STATE, parent=us,
        ocd_id="ocd-division/country:us/state:tx",
    )  # fmt: skip
    return us, texas


# One fixture per provider: its settings pointed at the loopback server (keys where it has one).
@pytest.fixture
def openstates(settings, provider_server, places, frozen):
    settings.OPENSTATES_API_URL = provider_server.url
    settings.OPENSTATES_API_KEY = "test-key"
    settings.OPENSTATES_REQUESTS_PER_MINUTE = 60000  # no spacing in tests
    return provider_server


@pytest.fixture
def legiscan(settings, provider_server, places, frozen):
    settings.LEGISCAN_API_URL = f"{provider_server.url}/"
    settings.LEGISCAN_API_KEY = "0123456789abcdef0123456789abcdef"
    return provider_server


@pytest.fixture
def federal_register(settings, provider_server, places, frozen):
    settings.FEDERAL_REGISTER_API_URL = provider_server.url
    return provider_server


@pytest.fixture
def congress(settings, provider_server, places, frozen):
    settings.CONGRESS_API_URL = provider_server.url
    settings.CONGRESS_API_KEY = "test-congress-key"
    return provider_server
