from django import forms

from jurisdictions.models import Category
from tracker.measures.models import Change, Review, change_field_name


class MeasureReviewForm(forms.Form):
    """A curator's word on one measure: relevant or not (or shown as another record), and its
    would-change per product."""

    review = forms.ChoiceField(
        choices=[
            (Review.RELEVANT, "About kratom"),
            (Review.SAME_AS, "The same as another measure listed here: show that one"),
            (Review.NOT_RELEVANT, "Not about kratom"),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, measure, **kwargs):
        kwargs.setdefault("prefix", f"measure-{measure.pk}")
        initial = {change_field_name(c): measure.changes[c] for c in Category.values}
        initial["review"] = measure.review if measure.review != Review.LEAD else None
        super().__init__(*args, initial=initial, **kwargs)
        self.measure_id = measure.pk
        for category in Category:
            self.fields[change_field_name(category)] = forms.ChoiceField(
                label=f"{category.label} would be", choices=Change.choices
            )

    def changes(self) -> dict[str, str]:
        return {c: self.cleaned_data[change_field_name(c)] for c in Category.values}

    def decision_arguments(self) -> dict:
        return {"review": self.cleaned_data["review"], "changes": self.changes()}
