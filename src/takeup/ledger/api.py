"""The ledger API: load volumes as JSON rows; read a service's KPIs."""

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from takeup.api_errors import ErrorOut, FieldError
from takeup.organisations.api import api_key_of

from .services import data_source_for, volumes_import_rows

router = Router(tags=["ledger"])


class VolumeRow(Schema):
    date: dt.date = Field(
        description="The first day of the period (Monday for weeks, the 1st for months)"
    )
    period: Literal["day", "week", "month"] = "day"
    service: Annotated[
        str, Field(min_length=1, max_length=200, description="The service's name or slug")
    ]
    channel: Annotated[
        str, Field(min_length=1, max_length=80, description="The channel's name or slug")
    ]
    measure: Literal["transactions", "contacts", "starts"] = "transactions"
    count: Annotated[int, Field(ge=0, le=10**12)]


class VolumesIn(Schema):
    source: Annotated[
        str,
        Field(
            min_length=1,
            max_length=120,
            pattern=r"\w",
            description="The data source's name; made if new",
        ),
    ]
    rows: Annotated[list[VolumeRow], Field(min_length=1, max_length=100_000)]
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
    response={201: VolumesOut, 422: ErrorOut},
    summary="Load volumes (idempotent by source and period)",
)
def post_volumes(request: HttpRequest, payload: VolumesIn) -> tuple[int, VolumesOut | ErrorOut]:
    """Rows for the same source, services and dates replace what that source sent before, so
    sending the same rows twice counts them once. Any rejected row rejects them all unless
    `only_valid` is set."""
    key = api_key_of(request)
    source = data_source_for(key.organisation, payload.source)
    outcome = volumes_import_rows(
        organisation=key.organisation,
        source=source,
        api_key=key,
        rows=[row.dict() for row in payload.rows],
        only_valid=payload.only_valid,
    )
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
