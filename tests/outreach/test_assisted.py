"""The assisted-digital estimate: its arithmetic, what it leaves out and says so, and where it
shows (its own page and the service's take-up page)."""

from datetime import UTC, datetime

import pytest

from takeup.catalogue.models import Service
from takeup.insight.models import Response, Survey
from takeup.insight.services import survey_save
from takeup.insight.stats import Share, wilson
from takeup.ledger.services import data_source_get_or_create, volumes_import_rows
from takeup.organisations.models import Organisation
from takeup.outreach import assisted
from takeup.outreach.models import Neighbourhood
from tests.conftest import MemberClient


def test_the_three_groups_add_up_with_their_range() -> None:
    e = assisted.estimate(
        total=1000,
        digital=600,
        assisted=50,
        someone_else=Share(10, 100),
        older_online=Share(20, 100),
        older_area=0.30,
    )
    assert e.other == 350
    values = {p.key: p.value for p in e.parts}
    assert values == pytest.approx({"recorded": 50, "someone_else": 60, "older": 35})
    assert e.share == pytest.approx(0.145)
    s_low, s_high = wilson(10, 100) or (0, 0)
    o_low, o_high = wilson(20, 100) or (0, 0)
    assert e.low == pytest.approx((50 + s_low * 600 + (0.30 - o_high) * 350) / 1000)
    assert e.high == pytest.approx((50 + s_high * 600 + (0.30 - o_low) * 350) / 1000)
    assert e.low is not None and e.high is not None and e.low < 0.145 < e.high
    assert e.people == pytest.approx(145)


def test_online_users_older_than_the_area_add_nobody() -> None:
    e = assisted.estimate(
        total=100,
        digital=50,
        assisted=0,
        someone_else=Share(0, 40),
        older_online=Share(30, 40),
        older_area=0.25,
    )
    assert {p.key: p.value for p in e.parts}["older"] == 0


def test_what_is_not_known_is_left_out_and_named() -> None:
    e = assisted.estimate(
        total=1000,
        digital=600,
        assisted=None,
        someone_else=Share(3, 29),  # one answer short of the rule
        older_online=Share(20, 100),
        older_area=None,
    )
    assert e.share is None and e.known == ()
    assert [p.why_missing for p in e.left_out] == [
        "no assisted-digital channel in the ledger",
        "fewer than 30 survey answers",
        "no neighbourhood figures loaded",
    ]


@pytest.fixture
def survey(org: Organisation) -> Survey:
    return survey_save(
        organisation=org, name="Exit survey", sampling_percent=100, allowed_origins=[]
    )


@pytest.mark.django_db
def test_a_service_shows_its_estimate_beside_its_take_up(
    viewer_client: MemberClient, org: Organisation, service: Service, survey: Survey
) -> None:
    rows = [
        {"date": f"2026-{m:02d}-01", "period": "month", "service": service.slug, **row}
        for m in range(1, 13)
        for row in (
            {"channel": "web", "count": 60},
            {"channel": "phone", "count": 35},
            {"channel": "assisted-digital", "count": 5},
        )
    ]
    assert volumes_import_rows(
        organisation=org, source=data_source_get_or_create(org, "CRM"), rows=rows
    ).imported
    Response.objects.bulk_create(
        Response(
            organisation=org,
            survey=survey,
            service=service,
            received_at=datetime(2026, 6, 10, 12, tzinfo=UTC),
            answers={
                "for_whom": "intermediary" if i < 10 else "self",
                "age": "60-74" if i < 20 else "25-44",
            },
        )
        for i in range(100)
    )
    Neighbourhood.objects.create(
        organisation=org, code="E01000001", name="A", population=1000, aged_60_plus=300
    )
    page = viewer_client.get(f"/o/{org.slug}/outreach/assisted-digital/{service.slug}/")
    body = page.content.decode()
    # 60 of 1,200 recorded; 10% of 720 online = 72; (30% − 20%) of 420 by phone = 42.
    assert (
        'id="assisted-share">14%' in body and "about 174 transactions in the twelve months" in body
    )
    assert "How many of your users will need help?" in body
    assert "Who are they?" in body and "How will you support them?" in body
    take_up = viewer_client.get(f"/o/{org.slug}/take-up/services/{service.slug}/?kind=fy")
    text = take_up.content.decode()
    assert 'id="assisted-estimate"' in text and "<strong>14%</strong>" in text
    listed = viewer_client.get(f"/o/{org.slug}/outreach/assisted-digital/?download=csv")
    assert f"{service.name},1200,14.5," in listed.content.decode()
