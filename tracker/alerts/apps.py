from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "tracker.alerts"
    label = "alerts"
    verbose_name = "Webhook alerts"
