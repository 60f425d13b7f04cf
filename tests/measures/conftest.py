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
