from django.apps import AppConfig, apps
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


class JurisdictionsConfig(AppConfig):
    name = "jurisdictions"
    verbose_name = "Jurisdictions and statuses"

    def ready(self):
        checks.register(four_eyes_rules_check, checks.Tags.compatibility)
        post_migrate.connect(curators_group_after_migrate, dispatch_uid="curators_group")
        from jurisdictions.passwords import one_time_password_on_login

        user_logged_in.connect(one_time_password_on_login, dispatch_uid="one_time_password")


def curators_group_after_migrate(app_config, using=DEFAULT_DB_ALIAS, **kwargs):
    """The Curators and Operators groups back to their permissions after every migrate, and
    after every flush (which empties what the data migration made; tests flush between
    transactional tests). Django sends the signal once per app; all permissions exist after
    the last."""
    from jurisdictions.services.curators import curators_group_sync, operators_group_sync

    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if app_config is not last or using != DEFAULT_DB_ALIAS:
        return
    try:
        curators_group_sync()
        operators_group_sync()
    except ImproperlyConfigured:
        pass  # a partial migrate (an app left unmigrated): its permissions come with it later


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
