"""StatusApproval.proposal is gone: monitoring's ProposalApproval holds the link now.

Depends on monitoring 0004, which copies the links before this drops the column. (The
earlier migrations of this app depend on monitoring too: history stays as it was.)
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("jurisdictions", "0007_product_rules"),
        ("monitoring", "0004_proposal_approval_link"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="statusapproval",
            name="jurisdictions_statusapproval_one_pending_per_proposal",
        ),
        migrations.RemoveField(
            model_name="statusapproval",
            name="proposal",
        ),
    ]
