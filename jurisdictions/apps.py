from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class JurisdictionsConfig(AppConfig):
    name = "jurisdictions"
    verbose_name = "Jurisdictions and statuses"

    def ready(self):
        checks.register(four_eyes_rules_check, checks.Tags.compatibility)


def four_eyes_rules_check(app_configs, **kwargs):
    """FOUR_EYES_RULES must name real rules: a typo would silently drop the check."""
    from jurisdictions.models import Rule  # models load after the app registry

    unknown = sorted(set(settings.FOUR_EYES_RULES) - set(Rule.values))
    if not unknown:
        return []
    return [
        checks.Error(
            f"FOUR_EYES_RULES names unknown rules: {', '.join(unknown)}.",
            hint=f"Use some of: {', '.join(Rule.values)}.",
            id="jurisdictions.E001",
        )
    ]
