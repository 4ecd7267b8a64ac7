"""The ledger API: load volumes as JSON rows; read a service's KPIs."""

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from takeup.api_errors import ErrorOut, FieldError, fields_named
from takeup.catalogue.queries import service_of
from takeup.core.apitext import ServiceSlug, Text
from takeup.organisations.api import api_key_of

from .periods import EARLIEST, LATEST, Range
from .queries import ChannelFlags
from .reports import service_figures
from .services import ImportBusy, data_source_get_or_create, volumes_import_rows

router = Router(tags=["ledger"])


class VolumeRow(Schema):
    date: dt.date = Field(
        ge=EARLIEST,
        le=LATEST,
        description="The first day of the period (Monday for weeks, the 1st for months)",
    )
    period: Literal["day", "week", "month"] = "day"
    service: Annotated[Text, Field(max_length=200, description="The service's name or slug")]
    channel: Annotated[Text, Field(max_length=80, description="The channel's name or slug")]
    measure: Literal["transactions", "contacts", "starts", "visits"] = "transactions"
    count: Annotated[int, Field(ge=0, le=10**12)]


class VolumesIn(Schema):
    source: Annotated[
        Text, Field(max_length=120, description="The data source's name; made if new")
    ]
    rows: Annotated[
        list[VolumeRow],
        Field(
            min_length=1,
            max_length=20_000,
            description="At most 20,000 rows, and a body of at most 2.5 MB: send more as "
            "several requests",
        ),
    ]
    only_valid: bool = Field(False, description="Import the valid rows even if some are rejected")


class VolumesOut(Schema):
    batch: int
    status: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_replaced: int
    errors: list[FieldError]


@router.post(
    "/volumes",
    response={201: VolumesOut, 409: ErrorOut, 422: ErrorOut},
    summary="Load volumes (idempotent by source and period)",
)
def post_volumes(request: HttpRequest, payload: VolumesIn) -> tuple[int, VolumesOut | ErrorOut]:
    """Rows for the same source, services and dates replace what that source sent before, so
    sending the same rows twice counts them once. Any rejected row rejects them all unless
    `only_valid` is set."""
    key = api_key_of(request)
    with fields_named(whole="source", name="source", slug="source"):
        source = data_source_get_or_create(key.organisation, payload.source)
    try:
        outcome = volumes_import_rows(
            organisation=key.organisation,
            source=source,
            api_key=key,
            rows=[row.dict() for row in payload.rows],
            only_valid=payload.only_valid,
        )
    except ImportBusy as exc:
        raise HttpError(409, str(exc)) from exc
    batch = outcome.batch
    errors = [
        FieldError(field=f"rows.{e['line'] - 1}.{e['column'] or 'row'}", message=e["message"])
        for e in batch.errors
    ]
    if not outcome.imported:
        return 422, ErrorOut(
            detail=f"Nothing imported: {batch.rows_rejected} of "
            f"{batch.rows_read} rows were rejected.",
            errors=errors,
        )
    return 201, VolumesOut(
        batch=batch.pk,
        status=batch.status,
        rows_read=batch.rows_read,
        rows_accepted=batch.rows_accepted,
        rows_rejected=batch.rows_rejected,
        rows_replaced=batch.rows_replaced,
        errors=errors,
    )


class ChannelFigure(Schema):
    channel: str
    transactions: int
    counts_towards_take_up: bool


class KpisOut(Schema):
    service: str
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")
    transactions: int
    digital_transactions: int
    digital_take_up_percent: float | None
    digital_take_up_including_assisted_percent: float | None
    baseline_from: dt.date
    baseline_to: dt.date
    baseline_take_up_percent: float | None
    change_points: float | None
    cost_pence: int
    cost_per_transaction_pence: float | None
    cost_leaves_out: list[str] = Field(
        description="Channels with transactions but no unit cost: not in the cost"
    )
    baseline_cost_per_transaction_pence: float | None
    saving_pence: int | None = Field(
        description="Contacts and transactions avoided in the channels that do not count "
        "towards take-up, × their unit cost (docs/methods.md)"
    )
    saving_lower_pence: int | None
    saving_upper_pence: int | None
    saving_cashable_pence: int | None
    saving_capacity_freed_pence: int | None
    saving_leaves_out: list[str] = Field(
        description="Channels not in the saving: no unit cost, or figures in one period only"
    )
    completion_rate_percent: float | None
    problem: str
    by_channel: list[ChannelFigure]


class KpiQuery(Schema):
    date_from: dt.date = Field(alias="from", ge=EARLIEST, le=LATEST)
    date_to: dt.date = Field(alias="to", ge=EARLIEST, le=LATEST)


@router.get(
    "/services/{slug}/kpis",
    response={200: KpisOut, 404: ErrorOut, 422: ErrorOut},
    by_alias=True,
    summary="A service's KPIs over a period",
)
def service_kpis(request: HttpRequest, slug: ServiceSlug, query: Query[KpiQuery]) -> KpisOut:
    """Digital take-up, cost per transaction, saving and completion rate for `from`–`to`
    (inclusive), against the same dates a year earlier, with the counts behind them."""
    org = api_key_of(request).organisation
    service = service_of(org, slug)
    period = Range(min(query.date_from, query.date_to), max(query.date_from, query.date_to))
    baseline = period.year_earlier()
    flags = ChannelFlags.of(org)
    f = service_figures(org, [service], period, baseline, flags=flags)[0]
    return KpisOut.model_validate(
        {
            "service": service.slug,
            "from": period.start,
            "to": period.end,
            "transactions": f.take_up.whole,
            "digital_transactions": f.take_up.part,
            "digital_take_up_percent": f.take_up.percent,
            "digital_take_up_including_assisted_percent": f.take_up_with_assisted.percent,
            "baseline_from": baseline.start,
            "baseline_to": baseline.end,
            "baseline_take_up_percent": f.baseline_take_up.percent,
            "change_points": f.change_points,
            "cost_pence": f.cost.pence,
            "cost_per_transaction_pence": f.cost.pence_per_transaction,
            "cost_leaves_out": flags.named(f.cost.uncosted_channels),
            "baseline_cost_per_transaction_pence": f.baseline_cost.pence_per_transaction,
            "saving_pence": f.saving.total.pence if f.saving else None,
            "saving_lower_pence": f.saving.total.lower if f.saving else None,
            "saving_upper_pence": f.saving.total.upper if f.saving else None,
            "saving_cashable_pence": f.saving.cashable.pence if f.saving else None,
            "saving_capacity_freed_pence": f.saving.capacity.pence if f.saving else None,
            "saving_leaves_out": flags.named(f.saving.left_out) if f.saving else [],
            "completion_rate_percent": f.completion.percent if f.completion else None,
            "problem": f.take_up.problem,
            "by_channel": [
                {
                    "channel": flags.names[c],
                    "transactions": n,
                    "counts_towards_take_up": c in flags.digital,
                }
                for c, n in sorted(f.counts.items(), key=lambda kv: flags.order.index(kv[0]))
            ],
        }
    )
