"""The organisation's landing page: the last whole month at a glance, from the same sections as
the monthly briefing, instead of a count of services per area."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from takeup.campaigns.models import Campaign
from takeup.catalogue.models import Service
from takeup.insight.models import Response
from takeup.insight.services import survey_save
from takeup.ledger.models import DataSource, ServiceForecast
from takeup.ledger.services import data_source_get_or_create, volumes_import_rows
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient

pytestmark = pytest.mark.django_db


def test_the_landing_page_shows_the_month_at_a_glance(
    viewer_client: MemberClient, org: Organisation, service: Service
) -> None:
    rows = [
        {"date": f"{y}-{m:02d}-01", "period": "month", "service": service.slug, **r}
        for y, m in ((2025, 10), (2026, 10))
        for r in (
            {"channel": "web", "count": 300 if y == 2026 else 200},
            {"channel": "phone", "count": 100},
        )
    ]
    assert volumes_import_rows(
        organisation=org, source=data_source_get_or_create(org, "CRM"), rows=rows
    ).imported
    DataSource.objects.filter(organisation=org).update(
        last_received_at=timezone.now() - timedelta(days=60)
    )
    ServiceForecast.objects.create(
        organisation=org, service=service, status="off track", gain_needed=2.5
    )
    today = timezone.localdate()
    running = Campaign.objects.create(
        organisation=org,
        name="Bins on the radio",
        starts_on=today,
        ends_on=today + timedelta(days=9),
    )
    Campaign.objects.create(
        organisation=org,
        name="Bins in the paper",
        starts_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=20),
    )
    Campaign.objects.create(
        organisation=org, name="Long ago", starts_on=date(2020, 1, 1), ends_on=date(2020, 2, 1)
    )
    survey = survey_save(organisation=org, name="Exit", sampling_percent=100, allowed_origins=[])
    Response.objects.bulk_create(
        Response(
            organisation=org,
            survey=survey,
            received_at=datetime(2026, 10, 5, tzinfo=UTC),
            answers={"satisfaction": "5" if i < 3 else "1", "found": "yes"},
        )
        for i in range(4)
    )
    page = viewer_client.get(f"/o/{org.slug}/").content.decode()
    assert "October 2026 at a glance" in page
    assert 'id="total-take-up">75.0%' in page
    assert 'id="total-change">+8.3' in page  # from 66.7% a year before
    assert 'id="total-saving"' in page
    off = page[page.index('id="off-track"') :]
    assert service.name in off[:400] and "2.5 points" in off[:400]
    assert 'id="overdue-sources">1' in page
    assert running.name in page[page.index('id="running"') :][:300]
    assert "Bins in the paper" in page[page.index('id="recent"') :][:300]
    assert "Long ago" not in page
    assert f'id="survey-{survey.pk}-satisfaction">75%' in page
    assert "services-per-area" not in page  # not a count of services per area
