"""Background work for findability: each search runs in the worker, and the schedule searches
again every week, so the history shows when the site's search changes."""

from datetime import datetime, timedelta

from django.db.models import Max, Q
from django.utils import timezone
from django_tasks import task

from takeup.core.priorities import BATCH

from . import services
from .models import SearchTerm

AGAIN_AFTER = timedelta(days=7)
# A search queued this long ago and not yet run is queued again.
REQUEUE_AFTER = timedelta(hours=1)


@task(priority=BATCH)
def search_check_task(term_id: int) -> str:
    term = SearchTerm.objects.select_related("organisation").filter(pk=term_id).first()
    if term is None:
        return "no such words"
    result = services.search_check(term)
    return result.error or f"rank {result.rank}"


def searches_due(now: datetime | None = None) -> list[int]:
    """Queue a search for each set of words not searched in the last week (called by the
    worker's schedule each minute; a search queued is recorded when it runs)."""
    now = now or timezone.now()
    due = list(
        SearchTerm.objects.annotate(last=Max("results__checked_at"))
        .filter(Q(last__isnull=True) | Q(last__lt=now - AGAIN_AFTER))
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
        .filter(organisation__site_search__isnull=False)
        .values_list("pk", flat=True)
    )
    return queue(due, now)


def queue(term_ids: list[int], now: datetime | None = None) -> list[int]:
    """Queue these searches, marking them queued so the schedule does not queue them again."""
    SearchTerm.objects.filter(pk__in=term_ids).update(queued_at=now or timezone.now())
    for pk in term_ids:
        search_check_task.enqueue(pk)
    return term_ids
