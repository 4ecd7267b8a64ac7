"""The briefing's background work: the schedule's tick queues each organisation's send once a
month, and the send itself. Both are safe to repeat (see services.py)."""

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from takeup.core.priorities import BATCH
from takeup.organisations.models import Organisation

from . import schedule, services
from .models import BriefingRun

# A run still unfinished this long after it was queued is queued again: the worker stopped
# before or during the send. Repeating the send emails only those not yet claimed.
REQUEUE_AFTER = timedelta(hours=1)


@task(priority=BATCH)
def briefing_send_task(run_id: int) -> dict[str, int] | str:
    run = BriefingRun.objects.select_related("organisation").filter(pk=run_id).first()
    if run is None:
        return "no such briefing"
    return services.briefing_send(run)


def briefings_due(now: datetime | None = None) -> list[BriefingRun]:
    """Queue the month's briefing for every organisation whose first working day has come and
    whose run does not exist yet. Called by the worker's schedule each minute."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    queued = []
    for org in Organisation.objects.all():
        month = schedule.month_due(today, org.nation)
        if month is None:
            continue
        run = services.run_claim(org, month, now)
        if run is not None:
            briefing_send_task.enqueue(run.pk)
            queued.append(run)
    stalled = BriefingRun.objects.filter(finished_at=None, queued_at__lt=now - REQUEUE_AFTER)
    for run in stalled:
        BriefingRun.objects.filter(pk=run.pk).update(queued_at=now)
        briefing_send_task.enqueue(run.pk)
        queued.append(run)
    return queued
