from urllib.parse import urlsplit

from django import forms

from tracker.lib.forms import FirstErrorFocus


class CorrectionForm(FirstErrorFocus, forms.Form):
    """A visitor's correction: what changed, where the official text is, optional email."""

    summary = forms.CharField(
        label="What has changed?",
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: a new law, an age limit, a local ban, a date.",
    )
    source_url = forms.URLField(
        label="Link to the official text",
        max_length=1000,
        assume_scheme="https",
        help_text="The statute, ordinance, bill or government notice.",
    )
    contact_email = forms.EmailField(
        label="Your email (optional)",
        required=False,
        help_text="Only curators see it, and only to ask you about this report.",
    )
    # A honeypot: hidden from people by CSS, filled in by naive bots.
    website = forms.CharField(label="Leave this field empty", required=False)

    def clean_source_url(self):
        url = self.cleaned_data["source_url"]
        if urlsplit(url).scheme not in {"http", "https"}:
            raise forms.ValidationError("The link must start with http:// or https://.")
        return url

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
