"""A side-by-side diff of two normalised texts, built as escaped HTML.

The texts come from official websites and are untrusted: every piece goes through
format_html (which escapes it); nothing from a source is ever marked safe as it is.
"""

import bisect
import difflib
import re
from dataclasses import dataclass
from itertools import groupby, pairwise, zip_longest

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from tracker.lib.vocabulary import TERMS

CONTEXT_LINES = 3
# The work a proposal page may do to match two texts, in line visits (every line of a
# range costs one per level of the patience recursion), and the changed lines it shows.
MAX_LINES_COMPARED = 100_000
MAX_CHANGED_ROWS = 500
# Ranges with no unique line are matched by difflib only up to this many line pairs.
SMALL_RANGE_AREA = 1_600
# A replaced line is compared with its counterpart word by word (words, runs of spaces and
# single punctuation marks); a line of more units than this is marked whole instead, as
# difflib's time grows with the square of the units.
MAX_WORDS_COMPARED = 1_000
WORD = re.compile(r"\w+|\s+|[^\w\s]")
# How the changed words of a replaced line are marked, on each side.
CHANGED_OLD, CHANGED_NEW = "<del>{}</del>", "<ins>{}</ins>"


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


def changed_spans(old: str, new: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Where two versions of a line differ, word by word: (start, end) spans in each."""
    old_words = [match.span() for match in WORD.finditer(old)]
    new_words = [match.span() for match in WORD.finditer(new)]
    if max(len(old_words), len(new_words)) > MAX_WORDS_COMPARED:
        return [(0, len(old))], [(0, len(new))]
    matcher = difflib.SequenceMatcher(
        None, [old[i:j] for i, j in old_words], [new[i:j] for i, j in new_words], autojunk=False
    )
    old_spans, new_spans = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal" and i1 < i2:
            old_spans.append((old_words[i1][0], old_words[i2 - 1][1]))
        if tag != "equal" and j1 < j2:
            new_spans.append((new_words[j1][0], new_words[j2 - 1][1]))
    return old_spans, new_spans


def _covered(starts: list[int], spans: list[tuple[int, int]]) -> list[bool]:
    """For each piece starting at `starts` (ascending, cut at every span edge), whether one
    of the sorted, disjoint `spans` covers it."""
    flags, index = [], 0
    for start in starts:
        while index < len(spans) and spans[index][1] <= start:
            index += 1
        flags.append(index < len(spans) and spans[index][0] <= start)
    return flags


def highlight(line: str, changed: list[tuple[int, int]], wrap: str) -> SafeString:
    """The line escaped, each kratom term wrapped in <mark>, and the `changed` spans in
    `wrap` (CHANGED_OLD or CHANGED_NEW)."""
    terms = _term_spans(line)
    cuts = sorted({0, len(line), *(edge for span in (*terms, *changed) for edge in span)})
    starts = cuts[:-1]
    pieces = zip(pairwise(cuts), _covered(starts, terms), _covered(starts, changed), strict=True)
    parts = []
    for is_changed, run in groupby(pieces, key=lambda piece: piece[2]):
        marked = format_html_join(
            "",
            "{}",
            (
                (format_html('<mark class="term">{}</mark>', line[i:j]) if term else line[i:j],)
                for (i, j), term, _ in run
            ),
        )
        parts.append(format_html(wrap, marked) if is_changed else marked)
    return format_html_join("", "{}", ((part,) for part in parts))


def _rows_of(tag, old_lines, new_lines, i1, i2, j1, j2):
    pairs = zip_longest(range(i1, i2), range(j1, j2))
    for old_index, new_index in pairs:
        old = old_lines[old_index] if old_index is not None else ""
        new = new_lines[new_index] if new_index is not None else ""
        # A line replaced by another shows the words that changed; one only deleted or
        # inserted is changed as a whole (its row says so).
        both = tag == "replace" and old_index is not None and new_index is not None
        old_changed, new_changed = changed_spans(old, new) if both else ([], [])
        yield DiffRow(
            kind=tag,
            old_number=None if old_index is None else old_index + 1,
            old_html=highlight(old, old_changed, CHANGED_OLD),
            new_number=None if new_index is None else new_index + 1,
            new_html=highlight(new, new_changed, CHANGED_NEW),
        )


@dataclass(frozen=True)
class SideBySide:
    rows: list[DiffRow]
    changed: int  # changed lines (old or new) in the whole diff
    shown: int  # changed lines in `rows`: at most MAX_CHANGED_ROWS
    compared_in_full: bool  # False when the line budget ran out (the rest shows as replaced)

    @property
    def too_large(self) -> bool:
        return self.shown < self.changed or not self.compared_in_full


def _common_run(a, alo, ahi, b, blo, bhi, *, step: int) -> int:
    """How many lines match from the start (step 1) or the end (step -1) of both ranges."""
    count = 0
    while alo + count < ahi and blo + count < bhi:
        i, j = (alo + count, blo + count) if step == 1 else (ahi - 1 - count, bhi - 1 - count)
        if a[i] != b[j]:
            break
        count += 1
    return count


def _unique_anchors(a, alo, ahi, b, blo, bhi) -> list[tuple[int, int]]:
    """Lines that occur once in each range, in order on both sides (patience diff's anchors).

    The longest run of them increasing on both sides, found by patience sorting.
    """
    seen: dict[str, list[int]] = {}
    for i in range(alo, ahi):
        seen.setdefault(a[i], [0, i, 0, -1])[0] += 1
    for j in range(blo, bhi):
        if a_side := seen.get(b[j]):
            a_side[2] += 1
            a_side[3] = j
    pairs = sorted((i, j) for count_a, i, count_b, j in seen.values() if count_a == count_b == 1)
    tails: list[int] = []  # tails[k]: the pair ending the best run of length k + 1 so far
    tail_ends: list[int] = []  # its j, for bisect
    previous: list[int] = []
    for index, (_i, j) in enumerate(pairs):
        k = bisect.bisect_left(tail_ends, j)
        previous.append(tails[k - 1] if k else -1)
        tails[k : k + 1], tail_ends[k : k + 1] = [index], [j]
    chain, index = [], tails[-1] if tails else -1
    while index >= 0:
        chain.append(pairs[index])
        index = previous[index]
    return chain[::-1]


def _matching_blocks(a: list[str], b: list[str], budget: int) -> tuple[list[tuple], bool]:
    """(i, j, size) runs of equal lines, in order, and whether the budget sufficed.

    Patience diff: common ends, then lines unique on both sides split the rest, recursively.
    A range with no such line is compared by difflib only when small: its worst case grows
    with the cube of the lines (3,000 repetitive lines took 31 s). Every range costs its
    lines from `budget`; once spent, what is left stays unmatched (shown as replaced).
    """
    blocks, complete = [], True
    ranges = [(0, len(a), 0, len(b))]
    while ranges:
        alo, ahi, blo, bhi = ranges.pop()
        head = _common_run(a, alo, ahi, b, blo, bhi, step=1)
        blocks.append((alo, blo, head))
        alo, blo = alo + head, blo + head
        tail = _common_run(a, alo, ahi, b, blo, bhi, step=-1)
        blocks.append((ahi - tail, bhi - tail, tail))
        ahi, bhi = ahi - tail, bhi - tail
        if alo == ahi or blo == bhi:
            continue
        budget -= (ahi - alo) + (bhi - blo)
        if budget < 0:
            complete = False
            continue
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        if anchors:
            starts = [(alo, blo), *((i + 1, j + 1) for i, j in anchors)]
            ends = [*anchors, (ahi, bhi)]
            ranges.extend((i1, i2, j1, j2) for (i1, j1), (i2, j2) in zip(starts, ends, strict=True))
            blocks.extend((i, j, 1) for i, j in anchors)
        elif (ahi - alo) * (bhi - blo) <= SMALL_RANGE_AREA:
            matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            blocks.extend((alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks())
    return sorted(block for block in blocks if block[2]), complete


class _BoundedMatcher(difflib.SequenceMatcher):
    """difflib's opcodes and grouping over the bounded patience matching above."""

    def __init__(self, a: list[str], b: list[str], *, budget: int):
        # Not super().__init__: it indexes all of b for a matching these blocks replace.
        self.a, self.b, self.opcodes = a, b, None
        found, self.compared_in_full = _matching_blocks(a, b, budget)
        merged: list[list[int]] = []
        for i, j, size in found:
            if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
                merged[-1][2] += size
            else:
                merged.append([i, j, size])
        # get_opcodes() and get_grouped_opcodes() read these blocks instead of finding them.
        self.matching_blocks = [difflib.Match(*block) for block in (*merged, [len(a), len(b), 0])]


def side_by_side(old_text: str, new_text: str, *, context: int = CONTEXT_LINES) -> SideBySide:
    """Changed lines with `context` lines around them, old on the left, new on the right.

    Bounded for any input: at most MAX_LINES_COMPARED line visits to match the texts, and
    the first MAX_CHANGED_ROWS changed lines are shown; the rest are counted.
    """
    old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
    matcher = _BoundedMatcher(old_lines, new_lines, budget=MAX_LINES_COMPARED)
    rows: list[DiffRow] = []
    changed = shown = 0
    for group in matcher.get_grouped_opcodes(context):
        if rows and shown < MAX_CHANGED_ROWS:
            rows.append(DiffRow("gap", None, SafeString("…"), None, SafeString("…")))
        for tag, i1, i2, j1, j2 in group:
            room = MAX_CHANGED_ROWS - shown
            if tag != "equal":
                changed += max(i2 - i1, j2 - j1)
                i2, j2 = min(i2, i1 + room), min(j2, j1 + room)
                shown += max(i2 - i1, j2 - j1, 0)
            if room > 0:
                rows.extend(_rows_of(tag, old_lines, new_lines, i1, i2, j1, j2))
    return SideBySide(rows, changed, shown, matcher.compared_in_full)
