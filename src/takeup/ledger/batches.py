"""Uploads through the screens: a small file is read while the page waits; a big one is read,
and then imported, by the worker, with its progress on the page. Either way the reading is kept
with the batch, so that looking at the preview never reads the file again, and the file itself is
kept on disk (ImportBatch.upload, under MEDIA_ROOT), not in the database, until the import is
applied, rejected or cancelled."""

from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from takeup.organisations.models import Organisation, User

from . import parsing, services
from .models import DataSource, ImportBatch


def _small(size: int) -> bool:
    return size <= settings.TAKEUP_INLINE_READ_BYTES


@transaction.atomic
def batch_upload(
    *,
    organisation: Organisation,
    source: DataSource | None,
    data: bytes,
    file_name: str,
    default_period: str,
    actor: User | None,
    new_source: str = "",
    profile: dict[str, Any] | None = None,
) -> ImportBatch:
    """Keep the file as a batch waiting to be checked, and check it (now, or in the worker).
    A file refused whole (not a table, no header…) keeps nothing, not even the new source it
    named: ValidationError({"file": why})."""
    if source is None:
        try:
            source = services.data_source_get_or_create(organisation, new_source)
        except ValidationError as exc:
            raise ValidationError({"new_source": exc.messages}) from exc
    if profile:  # kept only if the file can then be read: a refusal rolls it back
        services.source_profile_save(source=source, actor=actor, **profile)
    if _small(len(data)):
        batch = services.volumes_import(
            organisation=organisation,
            source=source,
            data=data,
            file_name=file_name,
            default_period=default_period,
            actor=actor,
            preview=True,
        ).batch
        if batch.reading.get("refused"):
            transaction.set_rollback(True)
            if batch.upload.name:  # the batch goes with the rollback; its file must go too
                batch.upload.storage.delete(batch.upload.name)
            raise ValidationError({"file": batch.reading["refused"]})
        return batch
    batch = ImportBatch(
        organisation=organisation,
        source=source,
        file_name=file_name[:255],
        file_format=services.records_for(data[:4], file_name)[0],
        checksum=parsing.sha256(data),
        default_period=default_period,
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        status=ImportBatch.Status.READING,
    )
    services.file_keep(batch, data)
    batch.save()
    _later("batch_read", batch)
    return batch


def batch_check(*, batch: ImportBatch) -> ImportBatch:
    """Read and check the batch's file again (after names were matched): now if it is small,
    else in the worker."""
    if not batch.upload:
        raise ValidationError(_("This import has already been dealt with."))
    if not _small(batch.upload.size):
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.READING)
        _later("batch_read", batch)
        return batch
    return batch_read_now(batch)


def batch_read_now(batch: ImportBatch) -> ImportBatch:
    """The check itself (the worker's task calls this for big files)."""
    with batch.kept_file() as path:
        return services.volumes_import(
            organisation=batch.organisation,
            source=batch.source,
            path=path,
            file_name=batch.file_name,
            default_period=batch.default_period,
            actor=batch.uploaded_by,
            preview=True,
            batch=batch,
        ).batch


def batch_import(*, batch: ImportBatch, only_valid: bool, actor: User) -> ImportBatch:
    """Import a checked batch: now if it is small, else in the worker."""
    if batch.upload and not _small(batch.upload.size):
        services.batch_confirm_allowed(batch=batch, only_valid=only_valid)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.IMPORTING, only_valid=only_valid
        )
        _later("batch_apply", batch)
        return batch
    return services.batch_confirm(batch=batch, only_valid=only_valid, actor=actor).batch


def _later(task_name: str, batch: ImportBatch) -> None:
    from . import tasks  # tasks run these services; the import runs one way

    task = getattr(tasks, task_name)
    transaction.on_commit(partial(task.enqueue, batch.pk))
