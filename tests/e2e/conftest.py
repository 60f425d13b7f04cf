"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import shutil

import pytest
from django.core.management import call_command
from django.db import connections
from pytest_django.live_server_helper import LiveServer

from jurisdictions.seeding import seed_all

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or os.path.exists(CHROMIUM), (
        f"Chromium is required at {CHROMIUM} (apt-get install chromium)"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        _patient(browser)
        yield browser
        # While Playwright's event loop runs, this thread's database connections (those of
        # every later test in this worker too) live in a context of their own, which
        # pytest-django does not close: left open, the test database could not be dropped.
        connections.close_all()
        browser.close()


# Playwright's defaults (30 s for an action, 5 s for expect) are for a machine of one's own;
# these suites share two cores with Celery workers and other suites, where a page load took
# longer. A real failure still fails, later.
ACTION_TIMEOUT_MS = 90_000


def _patient(browser) -> None:
    """Every context this browser makes waits up to ACTION_TIMEOUT_MS, expect() included."""
    from playwright.sync_api import expect

    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    new_context = browser.new_context

    def patient_context(**options):
        context = new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        return context

    browser.new_context = patient_context


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """A live server on the reference data, seeded and committed once for the module.

    For modules whose tests only read: they share one seed instead of seeding (and flushing)
    the database around each test; the data is flushed when the module is done.
    """
    with django_db_blocker.unblock():
        seed_all()
        server = LiveServer("localhost")
        try:
            yield server
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
