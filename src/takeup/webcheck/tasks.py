"""Background work for the website engagement check. Safe to repeat: a run that is no longer
waiting is left alone."""

from django_tasks import task

from takeup.core.priorities import BATCH

from . import services
from .models import Run


@task(priority=BATCH)
def webcheck_run(run_id: int) -> str:
    run = Run.objects.filter(pk=run_id, status=Run.Status.QUEUED).first()
    if run is None:
        return "not waiting to run"
    return services.run_execute(run).status
