"""Form behaviour shared by the public forms and the curators' admin forms."""


class FirstErrorFocus:
    """A form whose page, sent back with errors, puts the focus on the first field to fix: a
    keyboard or screen-reader user starts there and hears its error, which Django links to it
    (aria-describedby, aria-invalid). `autofocus` from the server, so no script is needed."""

    def full_clean(self):
        super().full_clean()
        first = next((name for name in self.fields if name in self.errors), None)
        if first is not None:
            self.fields[first].widget.attrs["autofocus"] = True
