from typing import Any

from django.db import migrations

from takeup.core.partitions import partition_by_organisation


def forwards(apps: Any, schema_editor: Any) -> None:
    partition_by_organisation(schema_editor, "alerts_delivery")


class Migration(migrations.Migration):
    # Hash partitions by organisation on PostgreSQL; nothing on SQLite (decision 0018).
    atomic = True
    dependencies = [("alerts", "0003_organisation_leads_unique_keys")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
