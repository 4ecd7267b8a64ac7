"""Background work for the ledger: reading and importing big uploads, and pulling web visits
from Matomo or Plausible. Safe to repeat: a batch that is no longer waiting for this step is
left alone, and a day pulled again replaces what that day's pull said before."""

import hashlib
from datetime import date, timedelta

from django.utils import timezone
from django_tasks import task

from takeup.core.priorities import BATCH, PEOPLE_WAITING

from . import batches, pull, services
from .models import DataSource, ImportBatch
from .profile import Profile


@task(priority=PEOPLE_WAITING)
def batch_read(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("source", "organisation").filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.READING:
        return "not waiting to be read"
    return batches.batch_read_now(batch).status


@task(priority=PEOPLE_WAITING)
def batch_apply(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("source", "organisation").filter(pk=batch_id).first()
    if batch is None or batch.status != ImportBatch.Status.IMPORTING or not batch.upload:
        return "not waiting to be imported"
    try:
        with batch.kept_file() as path:  # read from disk a piece at a time
            outcome = services.volumes_import(
                organisation=batch.organisation,
                source=batch.source,
                path=path,
                file_name=batch.file_name,
                only_valid=batch.only_valid,
                actor=batch.uploaded_by,
                batch=batch,
                default_period=batch.default_period,
            )
    except services.ImportBusy:
        # Back to waiting, so the page offers the import again: nothing was saved.
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.PENDING)
        return "busy: waiting to be confirmed again"
    return outcome.batch.status


@task(priority=BATCH)
def forecasts_refresh_task(organisation_id: int) -> int:
    """Forecast every service's take-up again after its figures changed."""
    return services.forecasts_refresh(organisation_id=organisation_id)


@task(priority=BATCH)
def sources_pull() -> list[int]:
    """Enqueue yesterday's pull for every source that has one (run daily by the scheduler)."""
    ids = [s.pk for s in DataSource.objects.filter(profile__pull__isnull=False) if _settings(s)]
    for source_id in ids:
        source_pull.enqueue(source_id)
    return ids


@task(priority=BATCH)
def source_pull(source_id: int, day: str | None = None) -> str:
    """Fetch one day's visits (yesterday by default, in Europe/London) and import them through
    the same pipeline as an upload. A 4xx, or an answer that is refused, is recorded as a
    rejected batch saying why; timeouts and 5xx are retried, then fail the task. Either way the
    source's last_received_at stays as it was, so the source shows as overdue."""
    source = DataSource.objects.select_related("organisation").filter(pk=source_id).first()
    settings = _settings(source) if source else None
    if source is None or settings is None:
        return "no pull set"
    wanted = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    try:
        data = pull.fetch(settings, wanted)
    except pull.PullFailed as exc:
        if not exc.permanent:
            raise  # the worker records the failure; tomorrow's run tries again
        _record_failure(source, settings["kind"], wanted, str(exc))
        return "failed"
    outcome = services.volumes_import(
        organisation=source.organisation,
        source=source,
        data=data,
        file_name=f"{settings['kind']}-{wanted}.json",
        only_valid=True,
    )
    return outcome.batch.status


def _settings(source: DataSource | None) -> dict[str, str] | None:
    pulled = Profile.of(source.profile).pull if source else None
    wanted = ("kind", "url", "site", "token")
    return pulled if pulled and all(pulled.get(k) for k in wanted) else None


def _record_failure(source: DataSource, kind: str, day: date, message: str) -> None:
    ImportBatch.objects.create(
        organisation=source.organisation,
        source=source,
        file_name=f"{kind}-{day}.json",
        file_format=kind,
        checksum=hashlib.sha256(b"").hexdigest(),
        status=ImportBatch.Status.REJECTED,
        errors=[{"line": 0, "column": "", "message": message}],
        period_from=day,
        period_to=day,
    )
