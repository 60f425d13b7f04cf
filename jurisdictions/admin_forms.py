"""Curator forms: the facts of a status (confirm, approve, manual entry) and a reason."""

from django import forms
from django.utils import timezone

from jurisdictions.models import DatePrecision, Status
from jurisdictions.services import StatusFacts

# An empty first choice: where no status is recorded yet, the curator picks one on purpose.
DECIDABLE = [("", "— choose —")] + [
    (value, label) for value, label in Status.choices if value != Status.UNVERIFIED
]


def citations_parse(raw: str) -> list[dict]:
    """One citation a line: URL | citation text | title (URL or text required)."""
    citations = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3:
            raise forms.ValidationError(f"Line {number} has more than three parts.")
        url, text, title = (parts + ["", ""])[:3]
        citations.append({"url": url, "text": text, "title": title})
    return citations


def citations_format(citations: list[dict]) -> str:
    return "\n".join(
        " | ".join([c.get("url", ""), c.get("text", ""), c.get("title", "")]).rstrip(" |")
        for c in citations
    )


class StatusFactsForm(forms.Form):
    status = forms.ChoiceField(choices=DECIDABLE)
    summary = forms.CharField(
        max_length=400,
        help_text="One sentence: what the law says, in plain words.",
        widget=forms.TextInput(attrs={"size": 100}),
    )
    min_age = forms.IntegerField(label="Minimum age", required=False, min_value=14, max_value=30)
    seven_oh_rule = forms.CharField(label="7-OH rule", max_length=300, required=False)
    effective_date = forms.DateField(
        required=False, help_text="YYYY-MM-DD. A future date makes the status upcoming."
    )
    effective_date_precision = forms.ChoiceField(
        choices=DatePrecision.choices, initial=DatePrecision.DAY
    )
    as_of = forms.DateField(label="Verified as of", help_text="YYYY-MM-DD")
    citations = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 100}),
        help_text="One a line: URL | citation text | title. At least one.",
    )
    reason = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 100})
    )
    seen_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate()

    def clean_citations(self):
        citations = citations_parse(self.cleaned_data["citations"])
        if not citations:
            raise forms.ValidationError("At least one citation is required.")
        return citations

    def facts(self) -> StatusFacts:
        data = self.cleaned_data
        return StatusFacts(
            status=data["status"],
            summary=data["summary"],
            citations=data["citations"],
            as_of=data["as_of"],
            min_age=data["min_age"],
            seven_oh_rule=data["seven_oh_rule"],
            effective_date=data["effective_date"],
            effective_date_precision=data["effective_date_precision"],
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 100}))


class ReverifyForm(forms.Form):
    reason = forms.CharField(
        label="What you checked",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 100}),
    )
