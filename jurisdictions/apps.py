from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class JurisdictionsConfig(AppConfig):
    name = "jurisdictions"
    verbose_name = "Jurisdictions and statuses"

    def ready(self):
        checks.register(four_eyes_statuses_check, checks.Tags.compatibility)


def four_eyes_statuses_check(app_configs, **kwargs):
    """FOUR_EYES_STATUSES must name real statuses: a typo would silently drop the rule."""
    from jurisdictions.models import Status  # models load after the app registry

    unknown = sorted(set(settings.FOUR_EYES_STATUSES) - set(Status.values))
    if not unknown:
        return []
    return [
        checks.Error(
            f"FOUR_EYES_STATUSES names unknown statuses: {', '.join(unknown)}.",
            hint=f"Use some of: {', '.join(Status.values)}.",
            id="jurisdictions.E001",
        )
    ]
