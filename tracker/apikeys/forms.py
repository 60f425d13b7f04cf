from django import forms


class KeyRequestForm(forms.Form):
    """A seller's request for an API key: where to send the confirmation link, and a name."""

    email = forms.EmailField(
        label="Your email address",
        help_text="We send a link to it; the key is shown when you open the link.",
    )
    name = forms.CharField(
        label="Shop or project name",
        max_length=100,
        help_text="So that we know whose key it is, e.g. Leaf & Co.",
    )
    # A honeypot: hidden from people by CSS, filled in by naive bots.
    website = forms.CharField(label="Leave this field empty", required=False)

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
