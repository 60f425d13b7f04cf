"""What a citation may be the basis of: law, never a bill pending, dead or not enacted.

A summary may name such a measure ("HB 2291 and tax bill died in 2026"); a citation that
answers "where does this come from" may not. Citations that name one are refused
(citations_error, the one check of a version's citations), the seed keeps only the parts
that cite law, and every public reader shows a version's `basis_citations`, so a version
recorded before this rule existed does not cite one either.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

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


CITATION_KEYS = ("title", "url", "text")


def citations_error(citations: list[dict], *, required: bool) -> str:
    """What is wrong with a version's citations (as citations_clean keeps them), in words;
    "" when nothing. Each needs a URL (http or https) or a citation text and cites law, not
    a measure; `required`: there is one at least."""
    for position, citation in enumerate(citations, start=1):
        if not citation["url"] and not citation["text"]:
            return f"A citation needs a URL or a citation text. Citation {position} has neither."
        if citation["url"] and urlsplit(citation["url"]).scheme not in {"http", "https"}:
            return f"Citation {position} URL must be http(s)."
        if NOT_IN_FORCE.search(citation["text"]):
            return (
                f"Citation {position} names a measure that is not law "
                f"(“{citation['text']}”): cite the law the answer rests on."
            )
    if required and not citations:
        return "A status needs at least one citation."
    return ""


def citations_clean(citations: list) -> list[dict]:
    """The title, url and text of each citation, stripped: what a version stores. Refused
    (ValidationError) when one is not an object or citations_error finds one wrong."""
    cleaned = []
    for position, citation in enumerate(citations, start=1):
        if not isinstance(citation, dict):
            raise ValidationError({"citations": f"Citation {position} is not an object."})
        cleaned.append({key: str(citation.get(key) or "").strip() for key in CITATION_KEYS})
    if error := citations_error(cleaned, required=False):
        raise ValidationError({"citations": error})
    return cleaned
