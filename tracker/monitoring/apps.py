from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "tracker.monitoring"
    label = "monitoring"
    verbose_name = "Source monitoring"

    def ready(self):
        # Monitoring builds on jurisdictions: it listens to its signals, never the reverse.
        from jurisdictions.signals import approval_approved
        from tracker.monitoring.services import proposal_approval_approved

        approval_approved.connect(
            proposal_approval_approved, dispatch_uid="monitoring.proposal_approval_approved"
        )
