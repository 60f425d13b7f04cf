from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "tracker.monitoring"
    label = "monitoring"
    verbose_name = "Source monitoring"
