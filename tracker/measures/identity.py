"""Is a new record the same measure as one already kept? The same bill reaches us from the
reference data, Open States and LegiScan, each under its own key and spelling ("S 432",
"SB 432", "SB0432"; "FR 2026-13580 (Docket DEA-1570)"). Matching only flags a record for a
curator: it never merges two, so a wrong guess costs a click, not a fact."""

import re

# A chamber's one-letter prefix and its usual two-letter one name the same bill.
_PREFIXES = {"S": "SB", "H": "HB"}
# A chamber or series prefix, then the number: "HB 968", "H.R. 21", "FR 2026-13580".
_NUMBER = re.compile(r"^([A-Z]{1,5})\s*(\d[\d-]*)$")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def bill_numbers(identifier: str) -> set[str]:
    """The numbers an identifier names ("HB 1649 / SB 1656" names two), spelled one way;
    notes in parentheses and words that are not a number are left out."""
    without_notes = re.sub(r"\([^)]*\)", " ", identifier.upper())
    numbers = set()
    for part in re.split(r"[/,+;&]", without_notes):
        match = _NUMBER.match(part.replace(".", "").strip())
        if match:
            prefix, number = match.groups()
            numbers.add(_PREFIXES.get(prefix, prefix) + number.lstrip("0"))
    return numbers


def session_years(session: str) -> set[str]:
    return set(_YEAR.findall(session))


def may_be_the_same(identifier: str, session: str, other_identifier: str, other_session: str):
    """One bill number in common, and (when both sessions name years) a year in common: bill
    numbers start again with each session."""
    if not bill_numbers(identifier) & bill_numbers(other_identifier):
        return False
    years, other_years = session_years(session), session_years(other_session)
    return not (years and other_years) or bool(years & other_years)
