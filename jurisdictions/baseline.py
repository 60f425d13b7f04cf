"""The baseline guidance shown wherever no curator has verified a status."""

from functools import cache
from pathlib import Path

from django.conf import settings

BASELINE_PATH = Path(settings.BASE_DIR) / "seeds" / "baseline.md"
BASELINE_PROVENANCE = (
    "000_5e74838473fea06b.txt",
    "001_d8a146699a24a382.txt",
    "002_770b74edc0885b39.txt",
    "003_6ded7134fb013221.txt",
)


@cache
def baseline_paragraphs() -> tuple[str, ...]:
    text = BASELINE_PATH.read_text(encoding="utf-8")
    return tuple(" ".join(block.split()) for block in text.split("\n\n") if block.strip())
