from django.db import migrations

PROVIDERS = ["openstates", "legiscan", "federal_register", "congress"]


def create(apps, schema_editor):
    # One row per provider from the start, so the admin lists every provider, run or not.
    ProviderState = apps.get_model("measures", "ProviderState")
    for provider in PROVIDERS:
        ProviderState.objects.get_or_create(provider=provider)


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
