from typing import Any

from django.db import migrations

from takeup.core.partitions import partition_by_organisation


def forwards(apps: Any, schema_editor: Any) -> None:
    partition_by_organisation(schema_editor, "campaigns_arrival")


class Migration(migrations.Migration):
    # Hash partitions by organisation on PostgreSQL; nothing on SQLite (decision 0018).
    atomic = True
    dependencies = [("campaigns", "0005_arrival_organisation")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
