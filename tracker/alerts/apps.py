from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "tracker.alerts"
    label = "alerts"
    verbose_name = "Webhook alerts"

    def ready(self):
        # Alerts build on jurisdictions: a status change reaches them through its signal, in
        # the transaction that recorded it (so its events and deliveries commit with it).
        from jurisdictions.signals import status_changed
        from tracker.alerts.services import status_event_record

        status_changed.connect(status_event_record, dispatch_uid="alerts.status_event_record")
