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
        # Measures tell of a new public measure or a stage change the same way (one-way:
        # alerts import measures, never the reverse).
        from tracker.alerts.services import measure_event_record
        from tracker.measures.signals import measure_created, measure_stage_changed

        measure_created.connect(measure_event_record, dispatch_uid="alerts.measure_created")
        measure_stage_changed.connect(measure_event_record, dispatch_uid="alerts.measure_stage")
        # A hosted provider's bounce and complaint reports (django-anymail's tracking webhooks).
        from anymail.signals import tracking

        from tracker.alerts.receivers import provider_tracking_receive

        tracking.connect(provider_tracking_receive, dispatch_uid="alerts.provider_tracking")
