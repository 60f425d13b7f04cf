"""The diff a curator reads, and how much it is about kratom."""

import difflib

from tracker.lib.vocabulary import kratom_score


def diff_text(*, old: str, new: str) -> str:
    """A unified line diff of two normalised texts."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), "before", "after", lineterm="", n=2
    )
    return "\n".join(lines)


def changed_lines(diff: str) -> list[str]:
    return [
        line[1:]
        for line in diff.splitlines()
        if line[:1] in {"+", "-"} and not line.startswith(("+++", "---"))
    ]


def relevance_score(diff: str) -> int:
    """Weighted kratom-term hits in the added and removed lines of a diff."""
    return kratom_score("\n".join(changed_lines(diff)))
