from django.db import migrations

from tracker.lib.append_only import append_only


class Migration(migrations.Migration):

    dependencies = [
        ('jurisdictions', '0005_one_pending_approval_per_lead'),
    ]

    operations = [
        append_only("jurisdictions_statusversion", "jurisdictions_decision"),
    ]
