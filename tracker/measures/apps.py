from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "tracker.measures"
    label = "measures"
    verbose_name = "Measures (bills and rulemakings)"

    def ready(self):
        # The public reads (jurisdictions) reach measures only through this reader.
        from jurisdictions.pending import pending_reader_register
        from tracker.measures.public import pending_of

        pending_reader_register(pending_of)
