import django.db.models.deletion
from django.db import migrations, models

# Each arrival carries its link's organisation, the key its table is partitioned by (decision 0018).
FILL = """
UPDATE campaigns_arrival SET organisation_id = (
  SELECT l.organisation_id FROM campaigns_trackedlink l WHERE l.id = campaigns_arrival.link_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_arrival_send"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="arrival", name="arrival_unique"),
        migrations.AddField(
            model_name="arrival",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="organisations.organisation",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        # Arrivals whose link is gone can't be placed; they were counted for nothing.
        migrations.RunSQL(
            "DELETE FROM campaigns_arrival WHERE organisation_id IS NULL", migrations.RunSQL.noop
        ),
        migrations.AlterField(
            model_name="arrival",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="organisations.organisation",
            ),
        ),
        migrations.AddConstraint(
            model_name="arrival",
            constraint=models.UniqueConstraint(
                fields=(
                    "organisation",
                    "link",
                    "day",
                    "device",
                    "referrer_host",
                    "via",
                    "is_bot",
                    "send",
                ),
                name="arrival_unique",
            ),
        ),
    ]
