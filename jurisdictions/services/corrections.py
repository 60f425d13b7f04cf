"""Public corrections: what a visitor reports reaches curators as a lead."""

from jurisdictions.models import Jurisdiction, Lead


def lead_report_correction(
    *, jurisdiction: Jurisdiction, summary: str, source_url: str, contact_email: str = ""
) -> Lead:
    """A visitor's correction, queued for curators as an open lead; never shown publicly."""
    lead = Lead(
        jurisdiction=jurisdiction,
        origin=Lead.Origin.PUBLIC,
        summary=summary.strip(),
        source_url=source_url.strip(),
        contact_email=contact_email.strip(),
    )
    lead.full_clean()
    lead.save()
    return lead
