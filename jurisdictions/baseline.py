"""The baseline guidance shown wherever no curator has verified a status."""

from functools import cache
from pathlib import Path

from django.conf import settings

BASELINE_PATH = Path(settings.BASE_DIR) / "seeds" / "baseline.md"
# The four consumer articles the guidance is written from: file name (the API's provenance)
# and what a visitor is told it is: its title, or what it is about when it has none.
BASELINE_SOURCES = (
    ("000_5e74838473fea06b.txt", "an untitled article on kratom and anxiety"),
    (
        "001_d8a146699a24a382.txt",
        "“The Impact of Kratom on Mental Health: Benefits and Considerations”",
    ),
    ("002_770b74edc0885b39.txt", "an untitled article on kratom for stress, anxiety and sleep"),
    ("003_6ded7134fb013221.txt", "“Kratom Benefits For Depression Management”"),
)
BASELINE_PROVENANCE = tuple(name for name, _ in BASELINE_SOURCES)
BASELINE_TITLES = tuple(title for _, title in BASELINE_SOURCES)


@cache
def baseline_paragraphs() -> tuple[str, ...]:
    text = BASELINE_PATH.read_text(encoding="utf-8")
    return tuple(" ".join(block.split()) for block in text.split("\n\n") if block.strip())
