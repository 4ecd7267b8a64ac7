"""The four GDS KPIs on the public pages, by quarter of the financial year, and the
organisation's index of public services with its open data."""

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from takeup.catalogue.models import Service
from takeup.insight import reports as insight_reports
from takeup.insight.models import Response, Survey
from takeup.insight.services import survey_save
from takeup.ledger import public
from takeup.ledger.public import fy_quarter_label
from takeup.ledger.services import data_source_get_or_create, volumes_import_rows
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "label"),
    [
        (date(2026, 4, 1), "2026/27 Q1"),
        (date(2026, 7, 1), "2026/27 Q2"),
        (date(2026, 10, 1), "2026/27 Q3"),
        (date(2027, 1, 1), "2026/27 Q4"),
        (date(1999, 1, 1), "1998/99 Q4"),
        (date(2099, 4, 1), "2099/00 Q1"),
    ],
)
def test_quarters_of_the_financial_year(start: date, label: str) -> None:
    assert fy_quarter_label(start) == label


def test_the_survey_rule_is_the_one_the_open_data_states() -> None:
    assert public.PUBLIC_MIN_ANSWERS == insight_reports.PUBLIC_MIN_ANSWERS


def volumes(org: Organisation, service: Service, starts: bool) -> None:
    rows = [
        {"date": f"2026-{m:02d}-01", "period": "month", "service": service.slug, **row}
        for m in (7, 8, 9, 10)
        for row in (
            {"channel": "web", "count": 300},
            {"channel": "phone", "count": 100},
            *([{"channel": "web", "count": 400, "measure": "starts"}] if starts else []),
        )
    ]
    assert volumes_import_rows(
        organisation=org, source=data_source_get_or_create(org, "CRM"), rows=rows
    ).imported


def answers(survey: Survey, service: Service, n: int, satisfied: int, found: int) -> None:
    Response.objects.bulk_create(
        Response(
            organisation_id=survey.organisation_id,
            survey=survey,
            service=service,
            received_at=datetime(2026, 8, 10, 12, tzinfo=UTC),
            answers={
                "satisfaction": "5" if i < satisfied else "2",
                "found": "yes" if i < found else "no",
            },
        )
        for i in range(n)
    )


@pytest.fixture
def survey(org: Organisation) -> Survey:
    return survey_save(
        organisation=org, name="Exit survey", sampling_percent=100, allowed_origins=[]
    )


def test_all_four_kpis_with_their_sources(
    client: Client, org: Organisation, service: Service, survey: Survey
) -> None:
    service.public = True
    service.save()
    volumes(org, service, starts=True)
    answers(survey, service, 40, satisfied=30, found=10)
    (q2,) = public.quarterly(service)  # July–September 2026; October alone is incomplete
    assert q2["quarter"] == "2026/27 Q2"
    assert q2["digital_take_up_percent"] == 75.0
    assert q2["user_satisfaction_percent"] == 75.0 and q2["satisfaction_answers"] == 40
    # Starts are counted: completion is 900 finished of 1,200 started, not the survey's 25%.
    assert (q2["completion_rate_percent"], q2["completion_source"]) == (75.0, "starts")
    page = client.get(f"/performance/{org.slug}/{service.slug}/").content.decode()
    for kpi in ("kpi-take-up", "kpi-cost", "kpi-satisfaction", "kpi-completion"):
        assert f'id="{kpi}"' in page
    assert "from 40 exit survey answers" in page


def test_without_starts_completion_comes_from_the_survey_and_few_answers_say_nothing(
    org: Organisation, service: Service, survey: Survey
) -> None:
    volumes(org, service, starts=False)
    answers(survey, service, 40, satisfied=30, found=10)
    (q2,) = public.quarterly(service)
    assert (q2["completion_rate_percent"], q2["completion_source"]) == (25.0, "exit survey")
    Response.objects.filter(pk__in=Response.objects.values("pk")[:11]).delete()  # 29 left
    (q2,) = public.quarterly(service)
    assert q2["user_satisfaction_percent"] is None and q2["completion_rate_percent"] is None


def test_the_index_lists_only_public_services_with_open_data(
    client: Client, org: Organisation, service: Service
) -> None:
    hidden = ServiceFactory.create(organisation=org, area=service.area, name="Hidden service")
    assert client.get(f"/performance/{org.slug}/").status_code == 404  # nothing published yet
    service.public = True
    service.save()
    volumes(org, service, starts=True)
    volumes(org, hidden, starts=False)
    page = client.get(f"/performance/{org.slug}/").content.decode()
    assert service.name in page and hidden.name not in page
    assert "2026/27 Q2" in page
    data = client.get(f"/performance/{org.slug}.json")
    assert data["Access-Control-Allow-Origin"] == "*"
    (entry,) = data.json()["services"]
    assert entry["slug"] == service.slug
    assert entry["latest_quarter"]["digital_take_up_percent"] == 75.0
    csv = client.get(f"/performance/{org.slug}.csv").content.decode().splitlines()
    assert csv[0].startswith("service,slug,quarter_start,quarter,")
    assert len(csv) == 2 and csv[1].startswith(f"{service.name},{service.slug},2026-07-01")
    assert client.get("/performance/no-such-council/").status_code == 404


def test_staff_pages_link_to_the_public_ones(
    viewer_client: MemberClient, org: Organisation, service: Service
) -> None:
    volumes(org, service, starts=False)
    page = viewer_client.get(f"/o/{org.slug}/take-up/services/{service.slug}/").content.decode()
    assert 'id="public-page"' not in page
    assert 'id="public-index"' not in viewer_client.get(f"/o/{org.slug}/take-up/").content.decode()
    service.public = True
    service.save()
    page = viewer_client.get(f"/o/{org.slug}/take-up/services/{service.slug}/").content.decode()
    assert f'href="/performance/{org.slug}/{service.slug}/"' in page
    overview = viewer_client.get(f"/o/{org.slug}/take-up/").content.decode()
    assert f'href="/performance/{org.slug}/"' in overview
