"""The Curators group with exactly what curators need: read the data, decide through services."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from jurisdictions.permissions import CURATOR_PERMISSIONS


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    # The list is today's: a permission of a model that a later migration makes does not
    # exist yet here, and is granted by the sync after migrate (jurisdictions.apps).
    group.permissions.add(
        *[
            permission
            for app_label, codename in CURATOR_PERMISSIONS
            for permission in Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        ]
    )


def revoke(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jurisdictions", "0002_curator_review"),
        ("monitoring", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
