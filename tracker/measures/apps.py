from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "tracker.measures"
    label = "measures"
    verbose_name = "Measures (bills and rulemakings)"
