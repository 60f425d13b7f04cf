from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "tracker.measures"
    label = "measures"
    verbose_name = "Measures (bills and rulemakings)"

    def ready(self):
        # The public reads (jurisdictions) reach measures only through this reader.
        from jurisdictions.pending import MeasuresReader, measures_reader_register
        from tracker.measures.public import pending_of, stage_changes_of

        measures_reader_register(MeasuresReader(pending_of, stage_changes_of))
