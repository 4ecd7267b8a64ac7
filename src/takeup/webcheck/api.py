"""The website engagement check's API: list the runs, and one run's checks by their ids."""

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from takeup.api_errors import ErrorOut
from takeup.organisations.api import api_key_of

from . import queries
from .models import Run
from .reports import run_rows

router = Router(tags=["webcheck"])

RUNS_LISTED = 100


class WebcheckRunOut(Schema):
    id: int
    url: str
    status: Literal["queued", "running", "done", "failed"]
    created_at: datetime
    finished_at: datetime | None
    pages: int = Field(description="Pages read")
    budget_reached: bool
    d16: int | None = Field(description="Promotion of digital engagement overall, 0–3")
    d17: int | None = Field(description="Delivery of digital engagement overall, 0–3")
    error: str

    @staticmethod
    def of(run: Run) -> "WebcheckRunOut":
        return WebcheckRunOut(
            id=run.pk,
            url=run.url,
            status=run.status,  # type: ignore[arg-type]
            created_at=run.created_at,
            finished_at=run.finished_at,
            pages=run.pages_read,
            budget_reached=run.budget_reached,
            d16=run.d16,
            d17=run.d17,
            error=run.error,
        )


class WebcheckCheckOut(Schema):
    id: str = Field(description="The check's identifier, such as alerts_promoted_home")
    result: Literal["pass", "fail", "unknown"]
    url: str = Field(description="The page that decided it")
    evidence: str
    cannot_see: str
    detail: dict[str, Any]


class WebcheckRunChecksOut(WebcheckRunOut):
    checks: list[WebcheckCheckOut]


@router.get(
    "/webcheck/runs", response=list[WebcheckRunOut], summary="List website checks, newest first"
)
def list_runs(request: HttpRequest) -> list[WebcheckRunOut]:
    org = api_key_of(request).organisation
    return [WebcheckRunOut.of(r) for r in queries.runs_of(org)[:RUNS_LISTED]]


@router.get(
    "/webcheck/runs/{run_id}",
    response={200: WebcheckRunChecksOut, 404: ErrorOut},
    summary="One website check with each check's result and evidence",
)
def get_run(request: HttpRequest, run_id: int) -> WebcheckRunChecksOut:
    run = queries.run_of(api_key_of(request).organisation, run_id)
    if run is None:
        raise Http404
    checks = [
        WebcheckCheckOut(
            id=r.id,
            result=r.result,  # type: ignore[arg-type]
            url=r.url,
            evidence=r.evidence,
            cannot_see=r.cannot_see,
            detail=r.detail,
        )
        for r in run_rows(run)
    ]
    return WebcheckRunChecksOut(**WebcheckRunOut.of(run).dict(), checks=checks)
