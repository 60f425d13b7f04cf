from django import forms

from jurisdictions.models import Category
from tracker.alerts.models import Frequency


class AlertPreferencesForm(forms.Form):
    """What a person chooses about their alerts: products and how often."""

    categories = forms.MultipleChoiceField(
        label="Products",
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked means all of them.",
    )
    frequency = forms.ChoiceField(
        label="How often",
        choices=Frequency.choices,
        initial=Frequency.IMMEDIATE,
        widget=forms.RadioSelect,
    )

    def clean_categories(self):
        return self.cleaned_data["categories"] or list(Category.values)


class SubscribeForm(AlertPreferencesForm):
    """A subscribe request from a place page (`place`) or a ZIP answer (`zip_code`)."""

    email = forms.EmailField(label="Your email address", max_length=254)
    place = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    zip_code = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    # A honeypot: hidden from people by CSS, filled in by naive bots.
    website = forms.CharField(label="Leave this field empty", required=False)

    field_order = ["email", "categories", "frequency", "place", "zip_code", "website"]

    def clean(self):
        data = super().clean()
        if not data.get("place") and not data.get("zip_code"):
            raise forms.ValidationError("Choose a place or a ZIP code.")
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class ManageForm(AlertPreferencesForm):
    places = forms.MultipleChoiceField(
        label="Places", widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args, place_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["places"].choices = place_choices
