"""One organisation's batch work cannot hold up another's import: the queue hands out the
highest priority first (core/priorities.py), so an import confirmed after 100 forecasts were
queued runs before them."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from takeup.core.priorities import BATCH, PEOPLE_WAITING
from takeup.ledger.tasks import batch_apply, batch_read, forecasts_refresh_task
from takeup.organisations.tasks import send_password_reset_email
from takeup.webcheck.tasks import webcheck_run
from tests.factories import OrganisationFactory

# The worker commits and closes its connection, as in production: a real transaction each.
pytestmark = pytest.mark.django_db(transaction=True)


def test_work_people_wait_for_goes_before_batch_work() -> None:
    for waited_for in (batch_read, batch_apply, send_password_reset_email):
        assert waited_for.priority == PEOPLE_WAITING
    for batch in (forecasts_refresh_task, webcheck_run):
        assert batch.priority == BATCH


def test_an_import_is_not_stuck_behind_another_organisations_forecasts() -> None:
    busy = OrganisationFactory.create()
    forecasts = [forecasts_refresh_task.enqueue(busy.pk) for _ in range(100)]
    imported = batch_apply.enqueue(10**9)  # confirmed last, by another organisation
    call_command("db_worker", "--batch", "--no-startup-delay")
    done = {str(pk): at for pk, at in DBTaskResult.objects.values_list("id", "finished_at")}
    first = done[str(imported.id)]
    assert first is not None
    assert all((at := done[str(f.id)]) is not None and first < at for f in forecasts)
