from django import forms

from jurisdictions.models import Category
from tracker.alerts.models import Frequency


class AlertPreferencesForm(forms.Form):
    """What a person chooses about their alerts: products, how often, and bills and rules."""

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
    measure_stages = forms.BooleanField(
        label="Also bills and rules as they move",
        required=False,
        help_text="Introduced, passed, adopted…: what each would change. Not law until it is.",
    )

    def clean_categories(self):
        return self.cleaned_data["categories"] or list(Category.values)


class SubscribeForm(AlertPreferencesForm):
    """A subscribe request from a place page (`place`), a ZIP answer (`zip_code`), or
    /pending/ (a `place` the visitor picks from `place_choices`)."""

    email = forms.EmailField(label="Your email address", max_length=254)
    place = forms.CharField(label="Place", required=False, max_length=64, widget=forms.HiddenInput)
    zip_code = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    # A honeypot: hidden from people by CSS, filled in by naive bots.
    website = forms.CharField(label="Leave this field empty", required=False)

    field_order = [
        "email",
        "categories",
        "frequency",
        "measure_stages",
        "place",
        "zip_code",
        "website",
    ]

    def __init__(self, *args, place_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if place_choices:  # shown as a list; the service refuses a place it does not know
            self.fields["place"].widget = forms.Select(choices=place_choices)

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
