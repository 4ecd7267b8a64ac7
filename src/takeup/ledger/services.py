"""The import pipeline, in fixed steps for every format: read → validate → replace → recompute.

A format is configuration of the reader (ledger/parsing.py), not a new command. Nothing is
half-saved: a file with any rejected row imports nothing unless the sender chose to import only
the valid rows, and the replace and insert happen in one transaction."""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction
from django.db.models import CharField, Count, Exists, F, Func, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from takeup.catalogue.models import Channel, Service, UnitCost
from takeup.core.text import slugify
from takeup.organisations.models import ApiKey, Organisation, User
from takeup.organisations.services import audit_record, model_save

from . import analytics, crossgrain, forecast, matching, parsing, periods, queries
from .models import (
    DataSource,
    ImportBatch,
    Measure,
    NameMapping,
    ServiceForecast,
    Volume,
    VolumeMonth,
)
from .names import normalise
from .profile import Profile
from .queries import in_force_pence

INSERT_BATCH = 5000


@dataclass
class ImportOutcome:
    batch: ImportBatch
    read: parsing.ReadResult
    unknown_services: set[str] = field(default_factory=set)
    unknown_channels: set[str] = field(default_factory=set)
    accepted: matching.ResolvedRows = field(default_factory=matching.ResolvedRows.empty)

    @property
    def imported(self) -> bool:
        return self.batch.status == ImportBatch.Status.APPLIED


def data_source_save(
    *,
    organisation: Organisation,
    name: str,
    expected_interval: str = "monthly",
    priority: int = 100,
    source: DataSource | None = None,
    actor: User | None = None,
    profile: dict[str, Any] | None = None,
) -> DataSource:
    """Make or change a source; with `profile`, its profile is replaced in the same step."""
    creating = source is None

    def check(source: DataSource) -> None:
        if not source.slug:
            raise ValidationError(
                {"name": _("Give the data source a name with letters or digits.")}
            )
        if (
            DataSource.objects.filter(organisation=organisation, slug=source.slug)
            .exclude(pk=source.pk)
            .exists()
        ):
            raise ValidationError({"name": _("A data source with this name already exists.")})

    def recount(source: DataSource) -> None:
        if not creating:  # a new priority changes which source's figures count
            organisation_lock(organisation.pk)
            Volume.objects.filter(organisation=organisation, source=source).update(rank=priority)
            _recompute(Volume.objects.filter(organisation=organisation))
            month_totals_refresh(organisation_id=organisation.pk)

    with transaction.atomic():
        saved = model_save(
            source or DataSource(organisation=organisation, slug=slugify(name)[:60]),
            organisation=organisation,
            fields=["name", "expected_interval", "priority"],
            values={
                "name": name.strip(),
                "expected_interval": expected_interval,
                "priority": priority,
            },
            action="data_source",
            actor=actor,
            check=check,
            after=recount,
        )
        if profile is not None:
            source_profile_save(source=saved, clear=True, actor=actor, **profile)
    return saved


@transaction.atomic
def source_profile_save(
    *, source: DataSource, clear: bool = False, actor: User | None = None, **changes: Any
) -> Profile:
    """Change a source's profile: the settings given replace the ones it had; column mappings
    and constants are added to (or, with `clear`, replace) the ones it had."""
    current = Profile.of(source.profile)
    data = current.as_json()
    for key in ("header_line", "sheet", "grain"):
        if key in changes:
            data[key] = changes[key]
    for key in ("columns", "constants"):
        data[key] = {**({} if clear else data[key]), **changes.get(key, {})}
    if "pages" in changes:  # a rule for a prefix already ruled replaces it
        slugs = set(
            Service.objects.filter(organisation=source.organisation_id).values_list(
                "slug", flat=True
            )
        )
        unknown = sorted({slug for _, slug in changes["pages"]} - slugs)
        if unknown:
            raise ValidationError(
                {"pages": _("No service has the short name %(slug)s.") % {"slug": unknown[0]}}
            )
        pages = {} if clear else dict(current.pages)
        data["pages"] = [[p, s] for p, s in {**pages, **dict(changes["pages"])}.items()]
    if "pull" in changes:
        data["pull"] = changes["pull"]
    source.profile = Profile.of(data).as_json()
    source.save(update_fields=["profile"])
    audit_record(
        organisation=source.organisation,
        obj=source,
        actor=actor,
        action="data_source.profile",
        changes={"profile": Profile.of(source.profile).public_json()},
    )
    return Profile.of(source.profile)


def data_source_get_or_create(organisation: Organisation, name: str) -> DataSource:
    """The source with this name, made (monthly, priority 100) if it is new."""
    existing = DataSource.objects.filter(organisation=organisation, slug=slugify(name)[:60]).first()
    return existing or data_source_save(organisation=organisation, name=name)


def name_lookups(source: DataSource) -> tuple[matching.Catalogue, dict[str, str]]:
    """Normalised names and slugs → ids, with this source's remembered mappings on top; and the
    source's own measure names → ours."""
    services: dict[str, int] = {}
    service_names = []
    for pk, name, slug in Service.objects.filter(organisation=source.organisation_id).values_list(
        "pk", "name", "slug"
    ):
        services[normalise(name)] = services[slug] = pk
        service_names.append(name)
    channels: dict[str, int] = {}
    channel_names = []
    for pk, name, slug in Channel.objects.filter(organisation=source.organisation_id).values_list(
        "pk", "name", "slug"
    ):
        channels[normalise(name)] = channels[slug] = pk
        channel_names.append(name)
    measures: dict[str, str] = {}
    for mapping in NameMapping.objects.filter(source=source):
        key = normalise(mapping.source_name)
        if mapping.kind == NameMapping.Kind.SERVICE and mapping.service_id:
            services[key] = mapping.service_id
        elif mapping.kind == NameMapping.Kind.CHANNEL and mapping.channel_id:
            channels[key] = mapping.channel_id
        elif mapping.measure:
            measures[key] = mapping.measure
    catalogue = matching.Catalogue(services, channels, tuple(service_names), tuple(channel_names))
    return catalogue, measures


@transaction.atomic
def mapping_save(
    *,
    source: DataSource,
    kind: str,
    source_name: str,
    service: Service | None = None,
    channel: Channel | None = None,
    measure: str = "",
    actor: User | None = None,
) -> NameMapping:
    """Remember that this source's `source_name` means this service, channel or measure."""
    if parsing.printable(source_name) != source_name or not normalise(source_name):
        raise ValidationError({kind: _("This name has characters that cannot be stored.")})
    if kind == NameMapping.Kind.MEASURE:
        if measure not in Measure.values:
            raise ValidationError(
                {kind: _("Choose a measure: transactions, contacts, starts or visits.")}
            )
    else:
        target = service or channel
        if target is None or target.organisation_id != source.organisation_id:
            raise ValidationError(
                {kind: _("Choose one of your organisation's services or channels.")}
            )
    mapping, _created = NameMapping.objects.update_or_create(
        source=source,
        kind=kind,
        source_name=normalise(source_name),
        defaults={
            "organisation_id": source.organisation_id,
            "service": service,
            "channel": channel,
            "measure": measure,
        },
    )
    audit_record(
        organisation=source.organisation, obj=mapping, actor=actor, action="name_mapping.save"
    )
    return mapping


def format_of(data: bytes, file_name: str) -> str:
    """csv, xlsx, or the analytics tool whose export this is (matomo, plausible, ga4). `data`
    may be the file's first analytics.DETECT_BYTES only, unless it is JSON."""
    if file_name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return "xlsx"
    return analytics.kind_of(data) or "csv"


def _format(file: parsing.FileInput, file_name: str) -> str:
    """format_of for a file that may be on disk: a CSV is known by its start, so only a JSON
    export (small) is read whole."""
    if isinstance(file, bytes):
        return format_of(file, file_name)
    start = parsing.head(file, analytics.DETECT_BYTES)
    if start[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return format_of(_whole(file), file_name)
    return format_of(start, file_name)


def _whole(file: parsing.FileInput) -> bytes:
    if isinstance(file, bytes):
        return file
    with parsing.opened(file) as stream:
        return stream.read()


def records_for(
    data: parsing.FileInput, file_name: str, profile: Profile | None = None
) -> tuple[str, Iterable[tuple[int, list[str]]]]:
    if file_name.lower().endswith((".xlsx", ".xlsm")) or parsing.head(data, 4) == b"PK\x03\x04":
        profile = profile or Profile()
        return "xlsx", parsing.records_from_xlsx(data, profile.sheet, profile)
    return "csv", parsing.records_from_csv(data)


def read_file(
    source: DataSource, data: parsing.FileInput, file_name: str, default_period: str = "day"
) -> parsing.ReadResult:
    """Read a file (its bytes, or where it is on disk: then it is read a piece at a time) as its
    source's profile says. Refused whole: what is plainly not a table, and daily figures whose
    dates look monthly or weekly (they would be stored as days)."""
    refused = parsing.not_a_table(parsing.head(data, 64))
    if refused:
        read = parsing.ReadResult()
        read.refuse(refused)
        return read
    profile = Profile.of(source.profile)
    _catalogue, measures = name_lookups(source)
    kind = _format(data, file_name)
    if kind in analytics.KINDS:
        return _read_visits(kind, _whole(data), profile)
    file_format, records = records_for(data, file_name, profile)
    try:
        read = parsing.read_volumes(
            records, default_period=default_period, profile=profile, measure_names=measures
        )
    except Exception as exc:  # a file the reader cannot open at all
        read = parsing.ReadResult()
        read.refuse(
            _("The file could not be read as %(format)s: %(problem)s")
            % {"format": file_format.upper(), "problem": exc}
        )
    if read.period_from_default and not read.refused:
        problem = matching.grain_problem(read.rows)
        if problem:
            read.refuse(problem)
    return read


def _read_visits(kind: str, data: bytes, profile: Profile) -> parsing.ReadResult:
    """An analytics export: its pages put under services by the source's page rules, as Web
    visits a day. Pages no rule matches are counted once, not refused line by line."""
    read = parsing.ReadResult()
    try:
        mapped = analytics.by_service(analytics.read(kind, data), profile.pages)
    except (ValueError, UnicodeDecodeError) as exc:
        read.refuse(
            _("The file could not be read as %(format)s: %(problem)s")
            % {"format": analytics.NAMES[kind], "problem": exc}
        )
        return read
    if mapped.unmatched_pages:
        read.notes.append(
            _("%(visits)s visits to %(pages)s pages no page rule matches")
            % {"visits": f"{mapped.unmatched_visits:,}", "pages": f"{mapped.unmatched_pages:,}"}
        )
    if not mapped.pages:
        read.refuse(
            _("The %(format)s export has no page visits in it.") % {"format": analytics.NAMES[kind]}
        )
        return read
    if len(mapped.records) == 1:
        read.refuse(
            _(
                "No page rule matches any of the %(pages)s pages in this %(format)s export: add "
                "rules to the source (takeup source set NAME --page /bins=report-a-missed-bin)."
            )
            % {"pages": f"{mapped.pages:,}", "format": analytics.NAMES[kind]}
        )
        return read
    result = parsing.read_volumes(mapped.records)
    result.notes = read.notes
    return result


def volumes_import(
    *,
    organisation: Organisation,
    source: DataSource,
    data: bytes | None = None,
    path: Path | None = None,
    file_name: str = "",
    default_period: str = "day",
    only_valid: bool = False,
    actor: User | None = None,
    api_key: ApiKey | None = None,
    batch: ImportBatch | None = None,
    progress: Callable[[int], None] | None = None,
    preview: bool = False,
    dry_run: bool = False,
) -> ImportOutcome:
    """Read, validate, replace and recompute one file (CSV or XLSX) from one source: its bytes
    (`data`), or where it is on disk (`path`: then a CSV is read a piece at a time, never held
    whole). With `preview`, stop after validating: the batch waits, keeping the file on disk, for
    confirmation. With `dry_run`, stop after validating and save nothing at all."""
    if (data is None) == (path is None):
        raise TypeError("give the file's data or its path, not both")
    file: parsing.FileInput = data if data is not None else Path(str(path))
    read = read_file(source, file, file_name, default_period)
    file_format = _format(file, file_name)
    batch = batch or ImportBatch(organisation=organisation, source=source)
    batch.file_name, batch.file_format = file_name[:255], file_format
    batch.default_period = default_period
    batch.checksum = parsing.sha256(file)
    batch.uploaded_by = actor if actor is not None and actor.is_authenticated else None
    batch.api_key = api_key
    if dry_run:  # read and validate exactly as an import does, and save nothing
        return _validate(batch, read)
    if preview:
        return _validate(batch, read, keep=file)
    return _apply(batch, read, only_valid=only_valid, progress=progress)


def batch_confirm_allowed(*, batch: ImportBatch, only_valid: bool) -> None:
    """Whether a previewed batch may be imported as asked; ValidationError says why not."""
    if batch.status != ImportBatch.Status.PENDING or not batch.upload:
        raise ValidationError(_("This import has already been dealt with."))
    if batch.rows_rejected and not only_valid:
        raise ValidationError(
            _(
                "The file has rejected rows. Fix the file and upload it again, "
                "or import only the valid rows."
            )
        )


def batch_confirm(*, batch: ImportBatch, only_valid: bool, actor: User) -> ImportOutcome:
    """Import a previewed file, as it was uploaded, through the same pipeline."""
    batch_confirm_allowed(batch=batch, only_valid=only_valid)
    with batch.kept_file() as path:
        return volumes_import(
            organisation=batch.organisation,
            source=batch.source,
            path=path,
            file_name=batch.file_name,
            only_valid=only_valid,
            actor=actor,
            batch=batch,
            default_period=batch.default_period,
        )


def volumes_import_rows(
    *,
    organisation: Organisation,
    source: DataSource,
    rows: list[dict[str, object]],
    only_valid: bool = False,
    api_key: ApiKey | None = None,
    file_name: str = "api",
    replace_keys: bool = False,
) -> ImportOutcome:
    """The same pipeline for JSON rows (POST /api/volumes): each row is one long-layout line.
    With `replace_keys`, only the source's figures for exactly these services, channels, periods
    and measures are replaced (a feed that sends a few records at a time), not its whole range."""
    columns = ["date", "period", "service", "channel", "measure", "count"]
    records = [(1, columns)] + [
        (n, [_text(row.get(c)) for c in columns]) for n, row in enumerate(rows, start=1)
    ]
    read = parsing.read_volumes(records, measure_names=name_lookups(source)[1])
    batch = ImportBatch(
        organisation=organisation,
        source=source,
        file_name=file_name,
        file_format="json",
        api_key=api_key,
    )
    batch.checksum = hashlib.sha256(repr(rows).encode()).hexdigest()
    return _apply(batch, read, only_valid=only_valid, replace_keys=replace_keys)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _validate(
    batch: ImportBatch, read: parsing.ReadResult, keep: parsing.FileInput | None = None
) -> ImportOutcome:
    """Match names and record what is wrong; with `keep`, save the batch as waiting, with the
    file kept on disk (unless it already is)."""
    catalogue, _measures = name_lookups(batch.source)
    resolved, unknown_services, unknown_channels = matching.resolve_names(
        read.rows, catalogue=catalogue, result=read
    )
    bad_lines = read.bad_lines  # all of them, not only the errors kept for showing
    good = resolved.without_lines(bad_lines)
    del resolved
    batch.rows_read = read.rows_read
    batch.rows_rejected = len(bad_lines - {0})  # line 0: the file as a whole, not a row
    batch.errors = [{"line": e.line, "column": e.column, "message": e.message} for e in read.errors]
    batch.rows_accepted = good.line_count()
    batch.reading = reading_of(read, unknown_services, unknown_channels)
    outcome = ImportOutcome(batch, read, unknown_services, unknown_channels, good)
    if keep is not None:
        batch.status = ImportBatch.Status.PENDING
        if not batch.upload:
            file_keep(batch, keep)
        batch.save()
    return outcome


def file_keep(batch: ImportBatch, file: parsing.FileInput) -> None:
    """Copy the file into the batch's storage (ImportBatch.upload), under a name of our own;
    the caller saves the batch."""
    suffix = "".join(c for c in Path(batch.file_name).suffix.lower()[:8] if c.isalnum() or c == ".")
    name = f"{uuid4().hex}{suffix}"
    if isinstance(file, bytes):
        batch.upload.save(name, ContentFile(file), save=False)
        return
    with parsing.opened(file) as stream:
        batch.upload.save(name, File(stream), save=False)


def file_discard(batch: ImportBatch) -> None:
    """Let go of the batch's kept file: the field is emptied now, and the file deleted once the
    transaction commits (if it rolls back, the batch still needs it). The caller saves."""
    name = batch.upload.name
    if not name:
        return
    storage = batch.upload.storage
    batch.upload = ""
    transaction.on_commit(partial(storage.delete, name), robust=True)


NAMES_KEPT = 200


def reading_of(
    read: parsing.ReadResult, unknown_services: set[str], unknown_channels: set[str]
) -> dict[str, Any]:
    """What the preview page shows of how a file was read, kept with the batch."""
    names = {
        "unknown_services": sorted(unknown_services),
        "unknown_channels": sorted(unknown_channels),
        "unknown_measures": sorted(read.unknown_measures),
    }
    clean = parsing.printable  # a file can hold anything; PostgreSQL's JSON cannot hold NUL
    return {
        "layout": read.layout,
        "header": [clean(h) for h in read.header],
        "header_line": read.header_line,
        "skipped_lines": read.skipped_lines,
        "skipped_totals": read.skipped_totals[:NAMES_KEPT],
        "columns": {clean(k): clean(v) for k, v in read.columns.items()},
        "preview": [[clean(cell) for cell in row] for row in read.preview],
        "refused": read.refused,
        "notes": [clean(n) for n in read.notes],
        **{k: [clean(n) for n in v[:NAMES_KEPT]] for k, v in names.items()},
        "unknown_more": sum(max(0, len(v) - NAMES_KEPT) for v in names.values()),
    }


class ImportBusy(Exception):
    """Another import holds the database; nothing of this one was saved."""

    message = (
        "Another import of this organisation's figures is running. Nothing was saved: try "
        "again in a minute."
    )


def _apply(
    batch: ImportBatch,
    read: parsing.ReadResult,
    *,
    only_valid: bool,
    progress: Callable[[int], None] | None = None,
    replace_keys: bool = False,
) -> ImportOutcome:
    try:
        return _apply_now(
            batch, read, only_valid=only_valid, progress=progress, replace_keys=replace_keys
        )
    except OperationalError as exc:
        # SQLite lets one writer in at a time and gives up after its busy timeout.
        if "locked" in str(exc) or "busy" in str(exc):
            raise ImportBusy(ImportBusy.message) from exc
        raise


def _apply_now(
    batch: ImportBatch,
    read: parsing.ReadResult,
    *,
    only_valid: bool,
    progress: Callable[[int], None] | None = None,
    replace_keys: bool = False,
) -> ImportOutcome:
    outcome = _validate(batch, read)
    good, source = outcome.accepted, batch.source
    if (read.errors and not only_valid) or not good or read.refused:
        batch.status = ImportBatch.Status.REJECTED
        file_discard(batch)
        batch.rows_accepted = 0
        batch.save()
        return outcome
    service_ids, grains = good.service_id_set(), good.period_set()
    with transaction.atomic():
        organisation_lock(batch.organisation_id)
        file_discard(batch)
        batch.status = ImportBatch.Status.APPLIED
        batch.period_from = good.first_day()
        batch.period_to = good.last_day()
        batch.save()
        # Replace: what this source said before about these services and dates goes.
        scope = Volume.objects.filter(
            organisation_id=batch.organisation_id,
            source=source,
            service_id__in=service_ids,
            period__in=grains,
            period_start__range=(batch.period_from, batch.period_to),
        )
        # Only the figures this batch gives again, when it is a feed's few records or when some
        # lines were rejected (their earlier figures stay rather than vanish).
        if replace_keys or read.errors:
            batch.rows_replaced = _delete_exactly(scope, good)
        else:
            batch.rows_replaced, _ = scope.delete()
        rank = source.priority
        insert_volumes(
            good.volume_rows(batch.organisation_id, source.pk, batch.pk, rank),
            progress=progress,
        )
        batch.save(update_fields=["rows_replaced"])
        # Recompute: which source's figure counts where two report the same thing, at the same
        # grain or across grains (a day against its month), so whole months are looked at. Rows
        # arrive counted, so with no other source or grain in the way there is nothing to do.
        affected = Volume.objects.filter(
            organisation_id=batch.organisation_id,
            service_id__in=service_ids,
            period_start__range=(
                batch.period_from.replace(day=1),
                periods.month(batch.period_to).end,
            ),
        )
        if affected.filter(~Q(source=source) | ~Q(period__in=grains)).exists() or len(grains) > 1:
            _recompute(affected)
        month_totals_refresh(
            organisation_id=batch.organisation_id,
            service_ids=service_ids,
            start=batch.period_from,
            end=batch.period_to,
        )
        source.last_received_at = timezone.now()
        source.save(update_fields=["last_received_at"])
        audit_record(
            organisation=batch.organisation,
            obj=batch,
            actor=batch.uploaded_by,
            api_key=batch.api_key,
            action="volumes.import",
            changes={
                "source": source.name,
                "rows": batch.rows_accepted,
                "rejected": batch.rows_rejected,
                "replaced": batch.rows_replaced,
            },
        )
    return outcome


EXACT_CHUNK = 300  # keys per DELETE: SQLite refuses an expression tree deeper than 1,000


def _delete_exactly(scope: QuerySet[Volume], rows: matching.ResolvedRows) -> int:
    """Delete, of `scope`, these figures' keys and no others; how many went."""
    keys = rows.keys()
    deleted = 0
    for start in range(0, len(keys), EXACT_CHUNK):
        found = Q(pk__in=[])
        for k in keys[start : start + EXACT_CHUNK]:
            found |= Q(
                service_id=k[0], channel_id=k[1], period_start=k[2], period=k[3], measure=k[4]
            )
        deleted += scope.filter(found).delete()[0]
    return deleted


VOLUME_COLUMNS = (
    "organisation_id",
    "service_id",
    "channel_id",
    "period_start",
    "period",
    "measure",
    "count",
    "source_id",
    "batch_id",
    "rank",
    "counted",
)


def insert_volumes(
    rows: Iterable[tuple[Any, ...]], *, progress: Callable[[int], None] | None = None
) -> None:
    """Write rows the way the database loads fastest: COPY on PostgreSQL, one prepared INSERT
    run many times on SQLite. The rows were validated above; the constraints still apply."""
    table = Volume._meta.db_table
    columns = ", ".join(VOLUME_COLUMNS)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
                    if progress and written % INSERT_BATCH == 0:
                        progress(written)
        else:
            placeholders = ", ".join(["%s"] * len(VOLUME_COLUMNS))
            # Table and column names are our own constants; the values go as parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            chunk: list[tuple[Any, ...]] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= INSERT_BATCH:
                    cursor.executemany(sql, chunk)
                    written += len(chunk)
                    chunk = []
                    if progress:
                        progress(written)
            cursor.executemany(sql, chunk)
            written += len(chunk)
    if progress:
        progress(written)


# The first key of the PostgreSQL advisory locks that serialise an organisation's imports.
IMPORT_LOCK = 7_311


def organisation_lock(organisation_id: int) -> None:
    """Wait until no other import or recompute of this organisation is running, and hold the
    lock to the end of the transaction. Two imports that decided at once which figure counts
    could both count theirs. (SQLite runs one writing transaction at a time already.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, organisation_id])


def _recompute(volumes: QuerySet[Volume]) -> None:
    """Mark as counted one figure per service, channel, period and measure: the one whose
    source has the highest priority (ties: the older source); then settle months that two grains
    cover (crossgrain.py)."""
    _recompute_same_grain(volumes)
    _recompute_across_grains(volumes)


def _recompute_across_grains(volumes: QuerySet[Volume]) -> None:
    """Where figures of more than one grain fall in the same service, channel, measure and
    month, keep only the winning source and grain's figures counted in that month."""
    month = _month_of("period_start")
    mixed = (
        volumes.filter(counted=True)
        .annotate(bucket=month)
        .values("service_id", "channel_id", "measure", "bucket")
        .annotate(grains=Count("period", distinct=True))
        .filter(grains__gt=1)
        .order_by()
    )
    keys = {(m["service_id"], m["channel_id"], m["measure"], _as_date(m["bucket"])) for m in mixed}
    if not keys:
        return
    rows = (
        volumes.filter(counted=True, service_id__in={k[0] for k in keys})
        .annotate(bucket=month)
        .values_list(
            "pk",
            "service_id",
            "channel_id",
            "measure",
            "bucket",
            "source_id",
            "period",
            "period_start",
            "rank",
            "batch_id",
        )
    )
    figures: dict[tuple[int, int, str, date], list[crossgrain.Figure]] = {}
    for pk, service_id, channel_id, measure, bucket, source_id, period, start, rank, batch in rows:
        key = (service_id, channel_id, measure, _as_date(bucket))
        if key in keys:
            figures.setdefault(key, []).append(
                crossgrain.Figure(pk, source_id, period, start, rank, batch or 0)
            )
    losers = [
        pk for (*_, first), found in figures.items() for pk in crossgrain.losers(first, found)
    ]
    for chunk in range(0, len(losers), INSERT_BATCH):
        volumes.filter(pk__in=losers[chunk : chunk + INSERT_BATCH]).update(counted=False)


def _as_date(bucket: date | str) -> date:
    return bucket if isinstance(bucket, date) else date.fromisoformat(bucket)


def _recompute_same_grain(volumes: QuerySet[Volume]) -> None:
    # The organisation first: it is the partition and leads the unique key this probe uses.
    better = Volume.objects.filter(
        organisation_id=OuterRef("organisation_id"),
        service=OuterRef("service"),
        channel=OuterRef("channel"),
        period_start=OuterRef("period_start"),
        period=OuterRef("period"),
        measure=OuterRef("measure"),
    ).filter(
        Q(rank__gt=OuterRef("rank")) | Q(rank=OuterRef("rank"), source_id__lt=OuterRef("source_id"))
    )
    # Only the figures whose mark changes are written: rewriting every figure in the scope (a
    # large council's months) took seconds and filled the WAL the replicas replay.
    volumes.filter(counted=True).filter(Exists(better)).update(counted=False)
    volumes.filter(counted=False).filter(~Exists(better)).update(counted=True)


def figures_recount(
    *, organisation_id: int, service_ids: list[int], start: date, end: date
) -> None:
    """Settle which figures count, and the monthly totals, after figures were taken away."""
    _recompute(
        Volume.objects.filter(
            organisation_id=organisation_id,
            service_id__in=service_ids,
            period_start__range=(start.replace(day=1), periods.month(end).end),
        )
    )
    month_totals_refresh(
        organisation_id=organisation_id, service_ids=service_ids, start=start, end=end
    )


@transaction.atomic
def batch_cancel(*, batch: ImportBatch, actor: User) -> None:
    """Cancel a waiting batch. A source that was made for it and has nothing else goes too."""
    if batch.status != ImportBatch.Status.PENDING:
        return
    batch.status = ImportBatch.Status.CANCELLED
    file_discard(batch)
    batch.save(update_fields=["status", "upload"])
    source = batch.source
    if not source.batches.exclude(pk=batch.pk).exists() and not source.volumes.exists():
        ImportBatch.objects.filter(pk=batch.pk).delete()
        source.delete()


def month_totals_refresh(
    *,
    organisation_id: int,
    service_ids: Iterable[int] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> int:
    """Rebuild the monthly totals (VolumeMonth) from the counted volumes, for some services and
    the whole months around [start, end], or for all of an organisation's."""
    volumes = Volume.objects.filter(organisation_id=organisation_id, counted=True)
    months = VolumeMonth.objects.filter(organisation_id=organisation_id)
    if service_ids is not None:
        ids = set(service_ids)
        volumes, months = volumes.filter(service_id__in=ids), months.filter(service_id__in=ids)
    if start is not None and end is not None:
        first, last = start.replace(day=1), periods.month(end).end
        volumes = volumes.filter(period_start__gte=first, period_start__lte=last)
        months = months.filter(month__gte=first, month__lte=last)
    costs = _unit_cost_steps(organisation_id)
    # Months in which a channel's unit cost changes are priced day by day, one query per such
    # channel and month (unit costs change rarely); every other month is count × one price.
    split = {
        (channel_id, day.replace(day=1))
        for channel_id, steps in costs.items()
        for day, _ in steps
        if day.day != 1
    }
    split_costs: dict[tuple[int, int, date, str], int | None] = {}
    for channel_id, month in split:
        for row in (
            volumes.filter(
                channel_id=channel_id,
                period_start__gte=month,
                period_start__lte=periods.month(month).end,
            )
            .values("service_id", "measure")
            .annotate(cost=Sum(F("count") * in_force_pence(organisation_id)))
            .order_by()
        ):
            split_costs[(row["service_id"], channel_id, month, row["measure"])] = row["cost"]
    with transaction.atomic():
        months.delete()
        totals = (
            volumes.annotate(bucket=_month_of("period_start"))
            .values_list("service_id", "channel_id", "bucket", "measure")
            .annotate(n=Sum("count"))
            .order_by()
        )
        pending: list[VolumeMonth] = []
        created = 0
        for service_id, channel_id, bucket, measure, n in totals:
            month = bucket if isinstance(bucket, date) else date.fromisoformat(bucket)
            if (channel_id, month) in split:
                cost = split_costs.get((service_id, channel_id, month, measure))
            else:
                steps = costs.get(channel_id, [])
                pence = next((p for day, p in reversed(steps) if day <= month), None)
                cost = None if pence is None else n * pence
            pending.append(
                VolumeMonth(
                    organisation_id=organisation_id,
                    service_id=service_id,
                    channel_id=channel_id,
                    month=month,
                    measure=measure,
                    count=n,
                    cost_pence=cost,
                )
            )
            if len(pending) == INSERT_BATCH:  # written a batch at a time, never all held
                created += len(VolumeMonth.objects.bulk_create(pending))
                pending = []
        created += len(VolumeMonth.objects.bulk_create(pending))
    # The figures changed, so where take-up is heading may have: the worker forecasts again.
    transaction.on_commit(partial(_forecasts_later, organisation_id))
    return created


def _forecasts_later(organisation_id: int) -> None:
    from .tasks import forecasts_refresh_task  # the tasks module builds on this one

    forecasts_refresh_task.enqueue(organisation_id)


def _month_of(field: str) -> Func:
    """The first of the month, in the database. SQLite's TruncMonth is a Python function called
    on every row; its own strftime is many times quicker (the answer is text: 'yyyy-mm-01')."""
    if connection.vendor == "sqlite":
        return Func(
            F(field),
            function="strftime",
            template="strftime('%%%%Y-%%%%m-01', %(expressions)s)",
            output_field=CharField(),
        )
    return TruncMonth(field)


def _unit_cost_steps(organisation_id: int) -> dict[int, list[tuple[date, int]]]:
    """Channel id → [(effective from, pence per transaction)], oldest first."""
    steps: dict[int, list[tuple[date, int]]] = {}
    for cost in UnitCost.objects.filter(
        organisation_id=organisation_id, pence_per_transaction__isnull=False
    ).order_by("effective_from"):
        steps.setdefault(cost.channel_id, []).append(
            (cost.effective_from, cost.pence_per_transaction or 0)
        )
    return steps


def month_totals_refresh_organisation(*, organisation: Organisation) -> None:
    """Called when unit costs change (TAKEUP_UNIT_COSTS_CHANGED): every month is repriced,
    one at a time with imports (they rebuild the same monthly totals)."""
    with transaction.atomic():
        organisation_lock(organisation.pk)
        month_totals_refresh(organisation_id=organisation.pk)


@transaction.atomic
def data_source_delete(*, source: DataSource, actor: User | None = None) -> None:
    """Delete a source that never had figures imported (an upload abandoned while it waited):
    its waiting or refused imports, their kept files and its name mappings go with it."""
    if (
        source.volumes.exists()
        or source.published.exists()
        or source.batches.filter(status=ImportBatch.Status.APPLIED).exists()
    ):
        raise ValidationError(
            _("%(name)s has imported figures, so it cannot be deleted.") % {"name": source.name}
        )
    for batch in source.batches.all():
        file_discard(batch)
    audit_record(
        organisation=source.organisation, obj=source, actor=actor, action="data_source.delete"
    )
    source.batches.all().delete()
    source.delete()


def forecasts_refresh(*, organisation_id: int) -> int:
    """Forecast every active service's take-up from its monthly totals to the last whole month,
    and say whether its target is in reach; a service that cannot be forecast says why.
    Returns how many were forecast."""
    latest = queries.latest_covered_day(organisation_id)
    if latest is None:
        return 0
    through = periods.last_complete("month", latest).start
    counts = queries.monthly_take_up_counts(organisation_id, through)
    campaigns = import_string(settings.TAKEUP_SERVICE_CAMPAIGNS)(organisation_id)
    made = 0
    for service in Service.objects.filter(organisation_id=organisation_id, active=True):
        by_month = counts.get(service.pk, {})
        record = ServiceForecast(organisation_id=organisation_id, service=service, through=through)
        try:
            if not by_month:
                raise forecast.ForecastError("There are no monthly figures to forecast from.")
            months = [min(by_month)]
            while months[-1] < through:
                months.append(forecast.month_add(months[-1], 1))
            result = forecast.forecast(
                months,
                [by_month.get(m, (0, 0))[0] for m in months],
                [by_month.get(m, (0, 0))[1] for m in months],
                horizon=_horizon(service, through),
                campaigns=campaigns.get(service.pk, []),
                switches=[service.online_only_since] if service.online_only_since else [],
            )
        except forecast.ForecastError as exc:
            record.problem = str(exc)[:300]
        else:
            record.months = forecast.forecast_json(result)["months"]
            if service.target_percent is not None and service.target_date is not None:
                status = forecast.target_status(
                    result, float(service.target_percent), service.target_date
                )
                record.status, record.gain_needed = status.status, status.gain_needed
            made += 1
        with transaction.atomic():
            ServiceForecast.objects.filter(service=service).delete()
            record.save()
    return made


def _horizon(service: Service, through: date) -> int:
    """To the target date, or 24 months ahead."""
    if service.target_date is None or service.target_date <= through:
        return 24
    months = (
        (service.target_date.year - through.year) * 12 + service.target_date.month - through.month
    )
    return min(120, max(1, months))
