"""The diff a curator reads, and how much it is about kratom."""

import difflib
import re

# Weighted terms; the score is the sum of the weights of every hit in the changed lines.
TERMS = [
    (re.compile(r"kratom\s+consumer\s+protection", re.IGNORECASE), 5),
    (re.compile(r"\b7-?hydroxy-?mitragynine\b", re.IGNORECASE), 4),
    (re.compile(r"\bmitragyna\s+speciosa\b", re.IGNORECASE), 4),
    (re.compile(r"\bmitragynine(?:\s+pseudoindoxyl)?\b", re.IGNORECASE), 3),
    (re.compile(r"\bkratom\b", re.IGNORECASE), 3),
    (re.compile(r"\b7-?OH\b"), 2),
    (re.compile(r"\b(?:MGM-1[56]|speciociliatine|paynantheine|corynantheidine)\b"), 2),
]


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
    text = "\n".join(changed_lines(diff))
    return sum(weight * len(pattern.findall(text)) for pattern, weight in TERMS)
