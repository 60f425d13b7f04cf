"""A side-by-side diff of two normalised texts, built as escaped HTML.

The texts come from official websites and are untrusted: every piece goes through
format_html (which escapes it); nothing from a source is ever marked safe as it is.
"""

import difflib
from dataclasses import dataclass
from itertools import zip_longest

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from tracker.monitoring.relevance import TERMS

CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffRow:
    kind: str  # equal, replace, delete, insert, or gap (lines left out between hunks)
    old_number: int | None
    old_html: SafeString
    new_number: int | None
    new_html: SafeString


def _term_spans(line: str) -> list[tuple[int, int]]:
    """Where the relevance terms (the ones that score a proposal) occur, overlaps merged."""
    hits = sorted((m.start(), m.end()) for pattern, _ in TERMS for m in pattern.finditer(line))
    spans: list[tuple[int, int]] = []
    for start, end in hits:
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def highlight(line: str) -> SafeString:
    """The line escaped, with each kratom term wrapped in <mark>."""
    pieces: list = []
    last = 0
    for start, end in _term_spans(line):
        pieces.append(line[last:start])
        pieces.append(format_html('<mark class="term">{}</mark>', line[start:end]))
        last = end
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
