"""Background work for campaigns: the estimates of a campaign, one run at a time."""

from django_tasks import task

from takeup.core.priorities import BATCH
from takeup.core.redisclient import client

from . import counter
from .estimates import estimates_run
from .models import EstimateRun


@task(priority=BATCH)
def campaign_estimates(run_id: int) -> str:
    """Run a queued estimate run. Safe to repeat: a finished run is left alone, and each run
    replaces the campaign's estimates in one transaction."""
    run = EstimateRun.objects.select_related("campaign").filter(pk=run_id).first()
    if run is None or run.status == EstimateRun.Status.DONE:
        return "gone" if run is None else "done already"
    try:
        run = estimates_run(run)
    except Exception as exc:
        EstimateRun.objects.filter(pk=run_id).update(
            status=EstimateRun.Status.FAILED, error=f"The estimate stopped: {exc}"
        )
        raise
    return run.status


@task()
def arrivals_flush() -> list[int]:
    """Move the arrivals counted in Redis into the database (see counter.py). Safe to repeat."""
    r = client()
    if r is None:
        return [0, 0]
    return list(counter.flush(r))
