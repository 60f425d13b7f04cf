"""The approval→proposal link moves from jurisdictions' StatusApproval.proposal to this app.

The rows are copied here first; jurisdictions 0008 then drops the old column (and the
reverse copies them back before this table goes).
"""

import django.db.models.deletion
from django.db import migrations, models


def links_copy(apps, schema_editor):
    StatusApproval = apps.get_model("jurisdictions", "StatusApproval")
    ProposalApproval = apps.get_model("monitoring", "ProposalApproval")
    linked = StatusApproval.objects.filter(proposal__isnull=False).values_list("id", "proposal_id")
    ProposalApproval.objects.bulk_create(
        ProposalApproval(approval_id=approval_id, proposal_id=proposal_id)
        for approval_id, proposal_id in linked
    )


def links_copy_back(apps, schema_editor):
    StatusApproval = apps.get_model("jurisdictions", "StatusApproval")
    ProposalApproval = apps.get_model("monitoring", "ProposalApproval")
    for approval_id, proposal_id in ProposalApproval.objects.values_list(
        "approval_id", "proposal_id"
    ):
        StatusApproval.objects.filter(pk=approval_id).update(proposal_id=proposal_id)


class Migration(migrations.Migration):
    dependencies = [
        ("jurisdictions", "0007_product_rules"),
        ("monitoring", "0003_source_kratom_specific_and_retirement"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProposalApproval",
            fields=[
                (
                    "approval",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="proposal_link",
                        serialize=False,
                        to="jurisdictions.statusapproval",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="approval_links",
                        to="monitoring.changeproposal",
                    ),
                ),
            ],
        ),
        migrations.RunPython(links_copy, links_copy_back),
    ]
