"""What a citation may be the basis of: law, never a bill pending, dead or not enacted.

A summary may name such a measure ("HB 2291 and tax bill died in 2026"); a citation that
answers "where does this come from" may not. Curators' citations that name one are refused
(services.citations_clean), the seed keeps only the parts that cite law, and every public
reader shows a version's `basis_citations`, so a version recorded before this rule existed
does not cite one either.
"""

import re

NOT_IN_FORCE = re.compile(
    r"not enacted|\bpending\b|\bdied\b|\bfailed\b|\bvetoed\b|\bwithdrawn\b|"
    r"outcome unconfirmed|\bproposed\b",
    re.IGNORECASE,
)


def citation_basis(text: str) -> str:
    """The parts of a citation text ("A; B (2026, not enacted)") that cite law, not bills."""
    parts = [part.strip() for part in text.split(";")]
    return "; ".join(
        part for part in parts if part and part.lower() != "none" and not NOT_IN_FORCE.search(part)
    )


def basis_citations(citations: list[dict]) -> list[dict]:
    """The citations a public answer rests on: texts without bills, and no citation left
    with neither a URL nor a text."""
    cleaned = []
    for citation in citations:
        text = citation_basis(citation.get("text") or "")
        if citation.get("url") or text:
            cleaned.append({**citation, "text": text})
    return cleaned
