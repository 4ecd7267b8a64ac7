"""Two imports at once never count a figure twice (PostgreSQL, where they really run at once;
SQLite lets one writer in at a time)."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections

from takeup.catalogue.models import Channel
from takeup.ledger.models import DataSource, Volume, VolumeMonth
from takeup.ledger.services import data_source_save, volumes_import_rows
from tests.factories import OrganisationFactory, ServiceFactory

pytestmark = pytest.mark.django_db(transaction=True)
DAYS = 120


def rows(slugs: list[str], count: int) -> list[dict[str, object]]:
    start = date(2026, 1, 1)
    return [
        {
            "date": (start + timedelta(days=i)).isoformat(),
            "service": slug,
            "channel": channel,
            "count": count,
        }
        for slug in slugs
        for i in range(DAYS)
        for channel in ("web", "phone")
    ]


@pytest.mark.parametrize("trial", range(4))
def test_two_sources_importing_at_once_count_each_figure_once(trial: int) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time")
    org = OrganisationFactory.create()
    slugs = [ServiceFactory.create(organisation=org).slug for _ in range(5)]
    low = data_source_save(organisation=org, name="Finance", priority=100)
    high = data_source_save(organisation=org, name="CRM", priority=200)
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def run(source: DataSource, count: int) -> None:
        try:
            start.wait()
            outcome = volumes_import_rows(organisation=org, source=source, rows=rows(slugs, count))
            assert outcome.imported
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=a) for a in ((low, 1), (high, 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    keys = 5 * DAYS * 2
    assert Volume.objects.filter(organisation=org).count() == 2 * keys
    counted = Volume.objects.filter(organisation=org, counted=True)
    assert counted.count() == keys
    assert set(counted.values_list("source_id", flat=True)) == {high.pk}
    web = Channel.objects.get(organisation=org, slug="web")
    total = sum(
        VolumeMonth.objects.filter(organisation=org, channel=web).values_list("count", flat=True)
    )
    assert total == 5 * DAYS * 2  # the CRM's 2 a day, never 1 + 2
