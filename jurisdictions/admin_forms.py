"""Curator forms: the facts of a status (confirm, approve, manual entry) and a reason.

A form a decision page runs (see admin_review.DecisionPage) says what it gives the decision's
service in `decision_arguments()`.
"""

from django import forms
from django.utils import timezone

from jurisdictions.models import MIN_AGE_RANGE, Category, DatePrecision, StatusVersion
from jurisdictions.rules import RULE_COLUMN_PARTS, ProductRule, rules_errors
from jurisdictions.services.decisions import StatusFacts
from tracker.lib.forms import FirstErrorFocus


def rule_form_fields() -> dict[str, forms.Field]:
    """The rule grid's fields, made from the version's own columns (one definition)."""
    fields = {}
    for category in Category:
        for part in RULE_COLUMN_PARTS:
            name = f"{part}_{category}"
            if part == "min_age":
                # rules_errors checks the range; min and max only tell the browser.
                low, high = MIN_AGE_RANGE
                field = forms.IntegerField(
                    required=False, widget=forms.NumberInput(attrs={"min": low, "max": high})
                )
            else:
                field = StatusVersion._meta.get_field(name).formfield()
            field.label = f"{Category(category).label}: {part.replace('_', ' ')}"
            fields[name] = field
        fields[f"limit_{category}"].widget.attrs.update(size=40)
    return fields


class CitationForm(forms.Form):
    """One citation: the official text's URL, its citation and a title (URL or citation)."""

    url = forms.CharField(
        label="URL",
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"size": 50, "inputmode": "url", "placeholder": "https://"}),
    )
    text = forms.CharField(
        label="Citation", required=False, max_length=400, widget=forms.TextInput(attrs={"size": 30})
    )
    title = forms.CharField(
        required=False, max_length=400, widget=forms.TextInput(attrs={"size": 30})
    )

    @property
    def citation(self) -> dict | None:
        """The row's citation (rules_errors checks it); None for a blank or removed row."""
        data = self.cleaned_data
        citation = {key: data.get(key, "") for key in ("url", "text", "title")}
        if data.get("DELETE") or not any(citation.values()):
            return None
        return citation


# Two blank rows to add citations; "remove" drops one. No JavaScript needed.
CitationFormSet = forms.formset_factory(CitationForm, extra=2, can_delete=True)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatusFactsForm(FirstErrorFocus, forms.Form):
    """The facts of a status version: the four product rules as one grid, then the rest.
    The headline status is derived from the rules, never typed."""

    summary = forms.CharField(
        max_length=400,
        help_text="One sentence: what the law says, in plain words.",
        widget=forms.TextInput(attrs={"size": 100}),
    )
    effective_date = forms.DateField(
        required=False,
        widget=_date_input(),
        help_text="A future date makes the status upcoming.",
    )
    effective_date_precision = forms.ChoiceField(
        choices=DatePrecision.choices, initial=DatePrecision.DAY
    )
    as_of = forms.DateField(label="Verified as of", widget=_date_input())
    reason = forms.CharField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 100})
    )
    seen_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # The grid first, as the page shows it: the first field in error is the first on the page.
        self.fields = {**rule_form_fields(), **self.fields}
        self.fields["as_of"].initial = timezone.localdate()
        # The citations: a small inline editor, one row each.
        self.citation_forms = CitationFormSet(
            data, prefix=self.add_prefix("citations"), initial=self.initial.get("citations", [])
        )

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
        stated = {
            category.value: ProductRule(
                category.value,
                data.get(f"rule_{category}"),
                data.get(f"scope_{category}") or "",
                data.get(f"min_age_{category}"),
                data.get(f"limit_{category}") or "",
            )
            for category in Category
        }
        data["citations"] = self._citations()
        for name, message in rules_errors(stated, data["citations"]).items():
            self.add_error(None if name == "citations" else name, message)
        return data

    def _citations(self) -> list[dict]:
        if not self.citation_forms.is_valid():
            self.add_error(None, "Correct the citations below.")
        return [form.citation for form in self.citation_forms.forms if form.citation]

    def rules(self) -> dict[str, ProductRule]:
        data = self.cleaned_data
        return {
            category.value: ProductRule(
                category.value, *(data[f"{part}_{category}"] for part in RULE_COLUMN_PARTS)
            )
            for category in Category
        }

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

    def decision_arguments(self) -> dict:
        return {
            "facts": self.facts(),
            "seen_version_id": self.cleaned_data["seen_version"],
            "reason": self.cleaned_data["reason"],
        }


class ReasonForm(FirstErrorFocus, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 100}))

    def decision_arguments(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class ReverifyForm(ReasonForm):
    reason = forms.CharField(
        label="What you checked",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 100}),
    )


class ApprovalForm(forms.Form):
    """Approving takes nothing but the click."""

    def decision_arguments(self) -> dict:
        return {}
