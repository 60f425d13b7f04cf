"""Curator forms: the facts of a status (confirm, approve, manual entry) and a reason."""

from django import forms
from django.utils import timezone

from jurisdictions.models import MIN_AGE_RANGE, Category, DatePrecision, Rule, StatusVersion
from jurisdictions.rules import RULE_COLUMN_PARTS, ProductRule
from jurisdictions.services import StatusFacts


def rule_form_fields() -> dict[str, forms.Field]:
    """The rule grid's fields, made from the version's own columns (one definition)."""
    fields = {}
    for category in Category:
        for part in RULE_COLUMN_PARTS:
            name = f"{part}_{category}"
            if part == "min_age":
                # The version's constraint, as a form field: an error beside the field.
                field = forms.IntegerField(
                    required=False, min_value=MIN_AGE_RANGE[0], max_value=MIN_AGE_RANGE[1]
                )
            else:
                field = StatusVersion._meta.get_field(name).formfield()
            field.label = f"{Category(category).label}: {part.replace('_', ' ')}"
            fields[name] = field
        fields[f"limit_{category}"].widget.attrs.update(size=40)
    return fields


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
    """The facts of a status version: the four product rules as one grid, then the rest.
    The headline status is derived from the rules, never typed."""

    summary = forms.CharField(
        max_length=400,
        help_text="One sentence: what the law says, in plain words.",
        widget=forms.TextInput(attrs={"size": 100}),
    )
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
        self.fields.update(rule_form_fields())
        self.fields["as_of"].initial = timezone.localdate()

    def rule_grid(self) -> list[dict]:
        """Rows of the grid: a category and its four bound fields."""
        return [
            {
                "category": category,
                "fields": [self[f"{part}_{category}"] for part in RULE_COLUMN_PARTS],
            }
            for category in Category
        ]

    def visible_facts_fields(self):
        grid = {f"{part}_{category}" for category in Category for part in RULE_COLUMN_PARTS}
        return [field for field in self.visible_fields() if field.name not in grid]

    def clean(self):
        data = super().clean()
        for category in Category:
            rule, scope = data.get(f"rule_{category}"), data.get(f"scope_{category}")
            if rule == Rule.BANNED and not scope:
                self.add_error(f"scope_{category}", "Say what the ban covers (or unknown).")
            elif scope and rule != Rule.BANNED:
                self.add_error(f"scope_{category}", "Only a ban has a scope.")
        if all(data.get(f"rule_{category}") == Rule.UNKNOWN for category in Category):
            self.add_error(f"rule_{Category.LEAF}", "Every rule is unknown: state at least one.")
        return data

    def rules(self) -> dict[str, ProductRule]:
        data = self.cleaned_data
        return {
            category.value: ProductRule(
                category.value, *(data[f"{part}_{category}"] for part in RULE_COLUMN_PARTS)
            )
            for category in Category
        }

    def clean_citations(self):
        citations = citations_parse(self.cleaned_data["citations"])
        if not citations:
            raise forms.ValidationError("At least one citation is required.")
        return citations

    def facts(self) -> StatusFacts:
        data = self.cleaned_data
        return StatusFacts(
            rules=self.rules(),
            summary=data["summary"],
            citations=data["citations"],
            as_of=data["as_of"],
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
