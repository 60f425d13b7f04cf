"""A side-by-side diff of two normalised texts, built as escaped HTML.

The texts come from official websites and are untrusted: every piece goes through
format_html (which escapes it); nothing from a source is ever marked safe as it is.
"""

import difflib
import re
from dataclasses import dataclass
from itertools import zip_longest

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

CONTEXT_LINES = 3
# Longest first, so "7-hydroxymitragynine" is one mark, not "7-hydroxy" + "mitragynine".
KRATOM_TERMS = re.compile(
    r"(?<!\w)(kratom consumer protection|7-hydroxymitragynine|mitragyna speciosa"
    r"|mitragynine|kratom|7-OH)(?!\w)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DiffRow:
    kind: str  # equal, replace, delete, insert, or gap (lines left out between hunks)
    old_number: int | None
    old_html: SafeString
    new_number: int | None
    new_html: SafeString


def highlight(line: str) -> SafeString:
    """The line escaped, with each kratom term wrapped in <mark>."""
    pieces: list = []
    last = 0
    for match in KRATOM_TERMS.finditer(line):
        pieces.append(line[last : match.start()])
        pieces.append(format_html('<mark class="term">{}</mark>', match.group(0)))
        last = match.end()
    pieces.append(line[last:])
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def _rows_of(tag, old_lines, new_lines, i1, i2, j1, j2):
    pairs = zip_longest(range(i1, i2), range(j1, j2))
    for old_index, new_index in pairs:
        yield DiffRow(
            kind=tag,
            old_number=None if old_index is None else old_index + 1,
            old_html=highlight(old_lines[old_index]) if old_index is not None else SafeString(),
            new_number=None if new_index is None else new_index + 1,
            new_html=highlight(new_lines[new_index]) if new_index is not None else SafeString(),
        )


def side_by_side(old_text: str, new_text: str, *, context: int = CONTEXT_LINES) -> list[DiffRow]:
    """Changed lines with `context` lines around them, old on the left, new on the right."""
    old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    rows: list[DiffRow] = []
    for group in matcher.get_grouped_opcodes(context):
        if rows:
            rows.append(DiffRow("gap", None, SafeString("…"), None, SafeString("…")))
        for tag, i1, i2, j1, j2 in group:
            rows.extend(_rows_of(tag, old_lines, new_lines, i1, i2, j1, j2))
    return rows
