"""The README's screenshots, written by the browser tests when SCREENSHOTS=1."""

import os
from pathlib import Path

SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(page, name: str, *, full_page: bool = False) -> None:
    """Write docs/screenshots/<name> for the README, only when SCREENSHOTS=1.

    The PNGs are committed; rewriting them on every run would leave the clone dirty.
    """
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS_DIR / name), full_page=full_page)
