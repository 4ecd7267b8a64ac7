"""Background work for the ledger: reading and importing big uploads. Safe to repeat: a batch
that is no longer waiting for this step is left alone."""

from django_tasks import task

from . import batches, services
from .models import ImportBatch


@task()
def batch_read(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("source", "organisation").filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.READING:
        return "not waiting to be read"
    return batches.batch_read_now(batch).status


@task()
def batch_apply(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("source", "organisation").filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.IMPORTING or batch.content is None:
        return "not waiting to be imported"
    try:
        outcome = services.volumes_import(
            organisation=batch.organisation,
            source=batch.source,
            data=bytes(batch.content),
            file_name=batch.file_name,
            only_valid=batch.only_valid,
            actor=batch.uploaded_by,
            batch=batch,
            default_period=batch.default_period,
        )
    except services.ImportBusy:
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.PENDING)
        raise  # the worker tries again later
    return outcome.batch.status
