"""A waiting import's file is kept on disk (ImportBatch.upload, under MEDIA_ROOT), no longer in
the database (ImportBatch.content): any file still waiting is moved out before the column goes."""

from uuid import uuid4

from django.core.files.base import ContentFile
from django.db import migrations, models


def move_to_disk(apps, schema_editor):  # type: ignore[no-untyped-def]
    ImportBatch = apps.get_model("ledger", "ImportBatch")
    waiting = ImportBatch.objects.filter(content__isnull=False).only("pk", "file_name", "content")
    for batch in waiting.iterator(chunk_size=1):
        suffix = "".join(c for c in batch.file_name[-8:].lower() if c.isalnum() or c == ".")
        suffix = suffix[suffix.rfind(".") :] if "." in suffix else ""
        batch.upload.save(f"{uuid4().hex}{suffix}", ContentFile(bytes(batch.content)), save=False)
        batch.save(update_fields=["upload"])


def move_to_database(apps, schema_editor):  # type: ignore[no-untyped-def]
    ImportBatch = apps.get_model("ledger", "ImportBatch")
    for batch in ImportBatch.objects.exclude(upload="").iterator(chunk_size=1):
        with batch.upload.open("rb") as kept:
            batch.content = kept.read()
        batch.save(update_fields=["content"])
        batch.upload.delete(save=False)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_published_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="upload",
            field=models.FileField(
                blank=True,
                editable=False,
                help_text="The file, kept on disk (under MEDIA_ROOT) only while the import waits",
                max_length=200,
                upload_to="imports/",
            ),
        ),
        migrations.RunPython(move_to_disk, move_to_database),
        migrations.RemoveField(
            model_name="importbatch",
            name="content",
        ),
    ]
