"""The retired GOV.UK performance platform's write API, so that services that fed it can point
their existing scripts at Takeup: `POST /data/<data-group>/<data-type>` with an API key as the
bearer token and a JSON array of records, answered in the platform's own shape
({"status": "ok"} or {"status": "error", "message": …}).

The data group is one of the organisation's services (its slug); the data types are the
platform's two published schemas for volumes, `transactions-by-channel` and
`transactions-by-channel-type` (../shared/data/performance-platform-schemas). A record sent again
with the same `_id` replaces the figure it gave before. `PUT []` empties the data set."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction

from takeup.catalogue.models import Service
from takeup.organisations.models import ApiKey

from . import services
from .models import DataSource, PlatformRecord, Volume
from .parsing import MAX_COUNT

DATA_TYPES = {
    "transactions-by-channel": ("_id", "_timestamp", "period", "channel", "count"),
    "transactions-by-channel-type": (
        "_id",
        "_timestamp",
        "period",
        "channel",
        "channel_type",
        "count",
    ),
}
PLATFORM_PERIODS = ("hour", "day", "week", "month", "quarter")
CHANNEL_TYPES = ("digital", "non-digital", "assisted-digital")
SOURCE_NAME = "Performance platform feed"


class PlatformError(Exception):
    """A request the platform would refuse: status and message, in its words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Record:
    record_id: str
    day: date
    period: str
    channel: str
    channel_type: str
    count: int


def read_records(body: Any, data_type: str) -> list[Record]:
    """The records in a request body, checked against the data type's schema: all of them, or a
    PlatformError naming the first record that is wrong and why."""
    fields = DATA_TYPES[data_type]
    items = body if isinstance(body, list) else [body]
    records: list[Record] = []
    for n, item in enumerate(items):
        where = f"record {n}"
        if not isinstance(item, dict):
            raise PlatformError(400, f"{where}: a record is a JSON object")
        missing = [f for f in fields if f not in item]
        extra = sorted(set(item) - set(fields))
        if missing or extra:
            problem = f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(extra)}"
            raise PlatformError(400, f"{where}: {problem} (the {data_type} schema)")
        record = _record(item, where)
        first = next((i for i, r in enumerate(records) if r.record_id == record.record_id), None)
        if first is not None:
            raise PlatformError(400, f"{where}: _id is the same as record {first}'s")
        records.append(record)
    return records


def _record(item: dict[str, Any], where: str) -> Record:
    if not isinstance(item["_id"], str) or not item["_id"] or len(item["_id"]) > 500:
        raise PlatformError(400, f"{where}: _id must be a string of up to 500 characters")
    try:
        moment = datetime.fromisoformat(str(item["_timestamp"]).replace("Z", "+00:00"))
    except ValueError:
        raise PlatformError(
            400, f"{where}: _timestamp must be ISO 8601, such as 2015-06-08T00:00:00+00:00"
        ) from None
    period = item["period"]
    if period not in PLATFORM_PERIODS:
        raise PlatformError(400, f"{where}: period must be one of {', '.join(PLATFORM_PERIODS)}")
    if period in ("hour", "quarter"):
        raise PlatformError(
            400, f"{where}: Takeup keeps figures by day, week or month; send {period}s as those"
        )
    count = item["count"]
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COUNT:
        raise PlatformError(400, f"{where}: count must be a whole number from 0 to {MAX_COUNT:,}")
    channel_type = item.get("channel_type", "")
    if "channel_type" in item and channel_type not in CHANNEL_TYPES:
        raise PlatformError(400, f"{where}: channel_type must be one of {', '.join(CHANNEL_TYPES)}")
    if not isinstance(item["channel"], str) or not item["channel"].strip():
        raise PlatformError(400, f"{where}: channel must be a name, such as phone")
    return Record(item["_id"], moment.date(), period, item["channel"], channel_type, count)


def _source(api_key: ApiKey) -> DataSource:
    return services.data_source_get_or_create(api_key.organisation, SOURCE_NAME)


@transaction.atomic
def records_write(
    *, api_key: ApiKey, service: Service, data_type: str, records: list[Record]
) -> int:
    """Store the records as volumes (transactions) from the feed's data source: all or none.
    A repeated `_id` first takes away the figure it gave before."""
    services.organisation_lock(api_key.organisation_id)
    source = _source(api_key)
    data_set = f"{service.slug}/{data_type}"
    seen = {
        r.record_id: r
        for r in PlatformRecord.objects.filter(
            organisation=api_key.organisation,
            data_set=data_set,
            record_id__in=[r.record_id for r in records],
        )
    }
    _take_away(source, list(seen.values()))
    rows: list[dict[str, object]] = [
        {
            "date": r.day.isoformat(),
            "period": r.period,
            "service": service.slug,
            "channel": r.channel,
            "measure": "transactions",
            "count": r.count,
        }
        for r in records
    ]
    outcome = services.volumes_import_rows(
        organisation=api_key.organisation,
        source=source,
        rows=rows,
        api_key=api_key,
        file_name=f"/data/{data_set}",
        replace_keys=True,
    )
    if not outcome.imported:
        errors = outcome.batch.errors or [{"line": 1, "message": "nothing to store"}]
        line, message = int(errors[0]["line"]), str(errors[0]["message"])
        raise PlatformError(400, f"record {max(line - 1, 0)}: {message}")
    by_line = {r.line: r for r in outcome.accepted}
    for n, record in enumerate(records, start=1):
        found = by_line[n]
        # Another _id that pointed at this figure no longer gives it: this one does.
        PlatformRecord.objects.filter(
            organisation=api_key.organisation,
            data_set=data_set,
            service=service,
            channel_id=found.channel_id,
            period_start=found.period_start,
            period=found.period,
        ).exclude(record_id=record.record_id).delete()
        PlatformRecord.objects.update_or_create(
            organisation=api_key.organisation,
            data_set=data_set,
            record_id=record.record_id,
            defaults={
                "service": service,
                "channel_id": found.channel_id,
                "period_start": found.period_start,
                "period": found.period,
            },
        )
    if seen:  # figures given before under these _ids, on other dates, were taken away
        days = [r.period_start for r in seen.values()]
        services.figures_recount(
            organisation_id=api_key.organisation_id,
            service_ids=sorted({service.pk, *(r.service_id for r in seen.values())}),
            start=min(days),
            end=max(days),
        )
    return len(records)


def _take_away(source: DataSource, sent: list[PlatformRecord]) -> None:
    for old in sent:
        Volume.objects.filter(
            organisation_id=source.organisation_id,
            source=source,
            service_id=old.service_id,
            channel_id=old.channel_id,
            period_start=old.period_start,
            period=old.period,
            measure="transactions",
        ).delete()


@transaction.atomic
def data_set_empty(*, api_key: ApiKey, service: Service, data_type: str) -> int:
    """`PUT []`: take away every figure this data set sent. Returns how many records remain (0)."""
    services.organisation_lock(api_key.organisation_id)
    data_set = f"{service.slug}/{data_type}"
    sent = list(PlatformRecord.objects.filter(organisation=api_key.organisation, data_set=data_set))
    _take_away(_source(api_key), sent)
    PlatformRecord.objects.filter(pk__in=[r.pk for r in sent]).delete()
    if sent:
        days = [r.period_start for r in sent]
        services.figures_recount(
            organisation_id=api_key.organisation_id,
            service_ids=[service.pk],
            start=min(days),
            end=max(days),
        )
    return 0
