from django import template

from jurisdictions.models import STATUS_MEANINGS, Status
from jurisdictions.serializers import date_display

register = template.Library()

# A symbol beside each colour, so the status never rests on colour alone.
STATUS_SYMBOLS = {
    Status.BANNED: "✕",
    Status.RESTRICTED: "!",
    Status.REGULATED: "✓",
    Status.LEGAL: "○",
    Status.UNVERIFIED: "?",
}


@register.filter
def effective(version) -> str:
    """A version's effective date at its known precision (a year-only date shows the year)."""
    if version is None:
        return ""
    return date_display(version.effective_date, version.effective_date_precision)


@register.filter
def status_label(status) -> str:
    return Status(status or Status.UNVERIFIED).label


@register.filter
def status_meaning(status) -> str:
    return STATUS_MEANINGS[status or Status.UNVERIFIED]


@register.filter
def status_symbol(status) -> str:
    return STATUS_SYMBOLS[status or Status.UNVERIFIED]
