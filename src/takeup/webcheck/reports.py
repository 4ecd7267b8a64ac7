"""The website engagement check's report: the latest run, its scores, each check with its
evidence and the change since the run before; and one run as rows for CSV and JSON."""

from dataclasses import dataclass, field
from typing import Any

from takeup.organisations.models import Organisation

from . import queries
from .checks import CANNOT_SEE, IDS
from .labels import KEY_PAGES, LABELS, RESULTS
from .models import Check, Page, Run

CSV_COLUMNS = ("id", "question", "result", "url", "evidence", "cannot_see")


@dataclass
class CheckRow:
    id: str
    label: str
    question: str
    result: str
    result_label: str
    before: str | None  # the result in the run before, None when there was none
    url: str
    evidence: str
    cannot_see: str
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.before is not None and self.before != self.result

    @property
    def before_label(self) -> str:
        return str(RESULTS[self.before]) if self.before else ""


@dataclass
class KeyPageRow:
    label: str
    url: str
    status: int
    depth: int | None


@dataclass
class ReportPage:
    latest: Run | None  # the latest run, whatever its status (for progress)
    run: Run | None  # the latest finished run
    before: Run | None  # the finished run before it
    rows: list[CheckRow]
    key_pages: list[KeyPageRow]
    counts: dict[str, int]

    @property
    def d16_change(self) -> int | None:
        return _change(self.run, self.before, "d16")

    @property
    def d17_change(self) -> int | None:
        return _change(self.run, self.before, "d17")


def _change(run: Run | None, before: Run | None, name: str) -> int | None:
    if run is None or before is None:
        return None
    now, then = getattr(run, name), getattr(before, name)
    return None if now is None or then is None else now - then


def rows_of(checks: list[Check], before: dict[str, str] | None = None) -> list[CheckRow]:
    by_id = {c.check_id: c for c in checks}
    rows = []
    for check_id in IDS:
        check = by_id.get(check_id)
        if check is None:
            continue
        label, question = LABELS[check_id]
        rows.append(
            CheckRow(
                id=check_id,
                label=str(label),
                question=question,
                result=check.result,
                result_label=str(RESULTS.get(check.result, check.result)),
                before=(before or {}).get(check_id),
                url=check.url,
                evidence=check.evidence,
                cannot_see=str(CANNOT_SEE[check_id]),
                detail=check.detail,
            )
        )
    return rows


def _key_page_rows(pages: list[Page]) -> list[KeyPageRow]:
    rows = []
    for page in pages:
        if page.kind.startswith("service:"):
            label = page.service.name if page.service else page.kind.removeprefix("service:")
        else:
            label = str(KEY_PAGES.get(page.kind, page.kind))
        rows.append(KeyPageRow(label, page.url, page.status, page.depth))
    return rows


def report_page(organisation: Organisation) -> ReportPage:
    latest = queries.latest_run(organisation)
    done = queries.latest_two_done(organisation)
    run = done[0] if done else None
    before = done[1] if len(done) > 1 else None
    checks = list(queries.checks_of([r.pk for r in done])) if done else []
    earlier = {c.check_id: c.result for c in checks if before and c.run_id == before.pk}
    current = [c for c in checks if run and c.run_id == run.pk]
    rows = rows_of(current, earlier if before else None)
    counts = {r: sum(row.result == r for row in rows) for r in ("pass", "fail", "unknown")}
    pages = _key_page_rows(list(queries.key_pages_of(run))) if run else []
    return ReportPage(latest, run, before, rows, pages, counts)


def run_rows(run: Run) -> list[CheckRow]:
    return rows_of(list(queries.checks_of([run.pk])))


def run_json(run: Run) -> dict[str, Any]:
    return {
        "id": run.pk,
        "url": run.url,
        "status": run.status,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "pages": run.pages_read,
        "budget_reached": run.budget_reached,
        "d16": run.d16,
        "d17": run.d17,
        "checks": [
            {
                "id": r.id,
                "result": r.result,
                "url": r.url,
                "evidence": r.evidence,
                "cannot_see": r.cannot_see,
                "detail": r.detail,
            }
            for r in run_rows(run)
        ],
    }
