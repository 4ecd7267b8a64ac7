"""Run by tests/host/test_pgbouncer.py in its own process, with DATABASE_URL pointing at
PgBouncer: the redirect from many threads at once, an import by COPY, and the task queue.
Prints what it did as JSON."""

import json
import threading
from datetime import date

import django

django.setup()  # before the imports below (E402): models need an app registry

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from takeup.campaigns.services import activity_save, campaign_save  # noqa: E402
from takeup.ledger.models import Volume  # noqa: E402
from takeup.ledger.services import data_source_get_or_create, volumes_import_rows  # noqa: E402
from takeup.ledger.tasks import forecasts_refresh_task  # noqa: E402
from tests.factories import OrganisationFactory, ServiceFactory  # noqa: E402

THREADS, VISITS = 8, 40
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"

org = OrganisationFactory.create(allowed_domains=["millbrook.gov.uk"])
service = ServiceFactory.create(
    organisation=org, online_url="https://www.millbrook.gov.uk/bins", slug="bins"
)
# An import: COPY into the partitioned volume table, through the pooler.
rows = [
    {"date": f"2026-03-{d:02d}", "service": "bins", "channel": c, "count": n}
    for d in range(1, 29)
    for c, n in (("web", 40 + d), ("phone", 60 - d))
]
imported = volumes_import_rows(
    organisation=org, source=data_source_get_or_create(org, "CRM"), rows=rows
).imported
campaign = campaign_save(
    organisation=org,
    services=[service],
    name="Bins online",
    starts_on=date(2026, 3, 2),
    ends_on=date(2099, 3, 29),
    budget_pence=100_000,
)
activity = activity_save(
    organisation=org,
    campaign=campaign,
    medium="leaflet",
    place="GP surgeries",
    starts_on=date(2026, 3, 2),
    ends_on=date(2099, 3, 29),
    cost_pence=60_000,
)
code = activity.link.code
failures: list[str] = []


def visit(n: int) -> None:
    client = Client()
    try:
        for i in range(VISITS):
            response = client.get(
                f"/go/{code}", HTTP_USER_AGENT=f"{PHONE} {n}-{i}", REMOTE_ADDR=f"10.0.{n}.{i}"
            )
            if response.status_code != 302:
                failures.append(str(response.status_code))
    except Exception as exc:  # every failure is reported to the test
        failures.append(repr(exc))
    finally:
        connection.close()


threads = [threading.Thread(target=visit, args=(n,)) for n in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for _ in range(20):
    forecasts_refresh_task.enqueue(org.pk)
print(
    json.dumps(
        {
            "organisation": org.pk,
            "imported": imported,
            "volumes": Volume.objects.filter(organisation=org).count(),
            "visits": THREADS * VISITS,
            "failures": failures[:5],
            "tasks": DBTaskResult.objects.filter(status="READY").count(),
        }
    )
)
