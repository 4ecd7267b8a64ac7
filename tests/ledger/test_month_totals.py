"""The monthly totals answer exactly as the volumes do, and follow every change to them."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from takeup.catalogue.models import Channel, Service, UnitCost
from takeup.catalogue.services import unit_cost_save
from takeup.ledger.queries import (
    ChannelFlags,
    CountsByServiceAndChannel,
    MonthlyTakeUpByService,
    QuarterlyFigures,
    Scope,
    SeriesByChannel,
    TransactionsAndCost,
)
from takeup.ledger.services import data_source_get_or_create, data_source_save, volumes_import_rows
from takeup.organisations.models import Organisation
from tests.factories import OrganisationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def both(org: Organisation, start: date, end: date) -> tuple[Scope, Scope]:
    return (Scope(org.pk, start, end), Scope(org.pk, start, end, use_month_totals=False))


def assert_same(org: Organisation, start: date, end: date) -> None:
    fast, raw = both(org, start, end)
    assert fast.whole_months
    assert TransactionsAndCost().run(fast) == TransactionsAndCost().run(raw)
    assert CountsByServiceAndChannel().run(fast, "starts") == CountsByServiceAndChannel().run(
        raw, "starts"
    )
    assert SeriesByChannel().run(fast) == SeriesByChannel().run(raw)
    flags = ChannelFlags.of(org)
    assert MonthlyTakeUpByService().run(fast, flags) == MonthlyTakeUpByService().run(raw, flags)
    assert QuarterlyFigures().run(fast) == QuarterlyFigures().run(raw)
    assert QuarterlyFigures().run(fast, "starts") == QuarterlyFigures().run(raw, "starts")


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31))
rows = st.lists(
    st.tuples(
        days,
        st.sampled_from(["web", "phone", "face-to-face", "kiosk"]),
        st.sampled_from(["transactions", "starts"]),
        st.integers(0, 500),
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda r: (r[0], r[1], r[2]),
)


class TestSameAnswers(TestCase):
    @settings(max_examples=25, deadline=None)
    @given(rows)
    def test_month_totals_equal_the_volumes(self, data: list[tuple[date, str, str, int]]) -> None:
        org = OrganisationFactory.create()
        Channel.objects.create(
            organisation=org, name="Kiosk", slug="kiosk", is_digital=True, is_self_service=True
        )  # no unit cost: priced as nothing
        service = ServiceFactory.create(organisation=org)
        # A unit cost that changes mid-month: each day is priced at the cost in force.
        UnitCost.objects.create(
            organisation=org,
            channel=org.channels.get(slug="phone"),
            pence_per_transaction=400,
            effective_from=date(2025, 6, 15),
            source="test",
        )
        result = volumes_import_rows(
            organisation=org,
            source=data_source_get_or_create(org, "S"),
            rows=[
                {
                    "date": d.isoformat(),
                    "service": service.slug,
                    "channel": c,
                    "measure": m,
                    "count": n,
                }
                for d, c, m, n in data
            ],
        )
        assert result.imported, result.batch.errors
        assert_same(org, date(2025, 1, 1), date(2025, 12, 31))
        assert_same(org, date(2025, 6, 1), date(2025, 6, 30))


def test_custom_dates_read_the_volumes(org: Organisation) -> None:
    assert not Scope(org.pk, date(2025, 6, 3), date(2025, 6, 30)).whole_months
    assert not Scope(org.pk, date(2025, 6, 1), date(2025, 6, 29)).whole_months
    assert Scope(org.pk, date(2024, 2, 1), date(2024, 2, 29)).whole_months


def test_totals_follow_unit_cost_and_priority_changes(org: Organisation, service: Service) -> None:
    crm = data_source_save(organisation=org, name="CRM", priority=100)
    web = data_source_save(organisation=org, name="Web", priority=50)
    row = {"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 100}
    volumes_import_rows(organisation=org, source=crm, rows=[row])
    volumes_import_rows(organisation=org, source=web, rows=[{**row, "count": 300}])
    march = Scope(org.pk, date(2026, 3, 1), date(2026, 3, 31))
    counts, costs = TransactionsAndCost().run(march)
    web_id = org.channels.get(slug="web").pk
    assert counts[service.pk][web_id] == 100 and costs[service.pk][web_id] == 100 * 15
    data_source_save(organisation=org, name="Web", priority=200, source=web)
    counts, _ = TransactionsAndCost().run(march)
    assert counts[service.pk][web_id] == 300
    unit_cost_save(
        organisation=org,
        channel=org.channels.get(slug="web"),
        pence_per_transaction=20,
        effective_from=date(2026, 1, 1),
        source="Finance",
    )
    _, costs = TransactionsAndCost().run(march)
    assert costs[service.pk][web_id] == 300 * 20


def test_month_totals_with_query_logging_on(org: Organisation, service: Service) -> None:
    # With DEBUG on, Django formats each query for its log: the SQL must survive that too.
    from django.db import connection

    from takeup.ledger.services import month_totals_refresh

    volumes_import_rows(
        organisation=org,
        source=data_source_get_or_create(org, "S"),
        rows=[{"date": "2026-03-02", "service": service.slug, "channel": "web", "count": 7}],
    )
    connection.force_debug_cursor = True
    try:
        assert month_totals_refresh(organisation_id=org.pk) == 1
    finally:
        connection.force_debug_cursor = False
