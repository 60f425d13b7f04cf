"""The kratom vocabulary: weighted terms that say a text is about kratom. One list for the
source monitor's change relevance and for matching legislation and rulemaking hits."""

import re

# Weighted terms; a text's score is the sum of the weights of every hit in it.
TERMS = [
    (re.compile(r"kratom\s+consumer\s+protection", re.IGNORECASE), 5),
    (re.compile(r"\b7-?hydroxy-?mitragynine\b", re.IGNORECASE), 4),
    (re.compile(r"\bmitragyna\s+speciosa\b", re.IGNORECASE), 4),
    (re.compile(r"\bmitragynine(?:\s+pseudoindoxyl)?\b", re.IGNORECASE), 3),
    (re.compile(r"\bkratom\b", re.IGNORECASE), 3),
    (re.compile(r"\b7-?OH\b"), 2),
    (re.compile(r"\b(?:MGM-1[56]|speciociliatine|paynantheine|corynantheidine)\b"), 2),
]


def kratom_score(text: str) -> int:
    """Weighted kratom-term hits in a text."""
    return sum(weight * len(pattern.findall(text)) for pattern, weight in TERMS)
