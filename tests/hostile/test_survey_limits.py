"""The survey's abuse limits: keyed on the survey (not a forgeable Origin), a sliding window
across minute boundaries, a per-visitor limit on a keyed hash, a friendly message, and 400 for
bodies a parser chokes on."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from takeup.insight.models import IntakeWindow, Response, Survey
from takeup.insight.services import client_key, over_limit, survey_save
from tests.factories import OrganisationFactory
from tests.responses import ClientResponse

pytestmark = pytest.mark.django_db
SITE = "https://www.millbrook.gov.uk"
ANSWERS = {"answers": {"visits": "first", "for_whom": "self", "found": "yes"}}


def post(survey: Survey, address: str = "192.0.2.1", origin: str = SITE) -> int:
    return (
        Client(REMOTE_ADDR=address)
        .post(
            f"/s/{survey.key}/responses",
            json.dumps(ANSWERS),
            content_type="application/json",
            HTTP_ORIGIN=origin,
        )
        .status_code
    )


def hosted(survey: Survey, address: str = "192.0.2.9") -> ClientResponse:
    return Client(REMOTE_ADDR=address).post(
        f"/s/{survey.key}/", {"visits": "first", "for_whom": "self", "found": "yes"}
    )


def make(org_slug: str, origins: list[str]) -> Survey:
    org = OrganisationFactory.create(slug=org_slug)
    return survey_save(organisation=org, name="Exit", sampling_percent=20, allowed_origins=origins)


def test_a_flood_at_one_survey_does_not_block_another(settings: Settings) -> None:
    settings.TAKEUP_SURVEY_PER_MINUTE = 5
    settings.TAKEUP_SURVEY_PER_CLIENT_PER_MINUTE = 1000
    attacked = make("one", [SITE])
    other = make("two", ["https://www.elsewhere.gov.uk"])
    # Every hosted page shares Takeup's own origin; the flood forges it too.
    codes = [post(attacked, address=f"198.51.100.{i}", origin=SITE) for i in range(8)]
    assert codes.count(429) == 3
    page = hosted(other)
    assert page.status_code == 200
    assert Response.objects.filter(survey=other).count() == 1


def test_one_visitor_is_limited_and_told_kindly(settings: Settings) -> None:
    settings.TAKEUP_SURVEY_PER_CLIENT_PER_MINUTE = 2
    survey = make("three", [SITE])
    assert [post(survey) for _ in range(3)] == [201, 201, 429]
    assert post(survey, address="192.0.2.77") == 201  # someone else is not
    page = hosted(survey, address="192.0.2.1")  # the same visitor, on the hosted page
    html = page.content.decode()
    assert page.status_code == 400
    assert "Many answers have come in just now" in html
    # No address is stored: only a keyed hash, and only while the window lasts.
    stored = " ".join(IntakeWindow.objects.values_list("origin", flat=True))
    assert "192.0.2" not in stored and client_key("192.0.2.1") in stored


def test_a_burst_across_a_minute_boundary_is_one_burst(settings: Settings) -> None:
    settings.TAKEUP_SURVEY_PER_MINUTE = 10
    late = datetime(2026, 11, 30, 12, 0, 58, tzinfo=UTC)
    assert not any(over_limit("k", 10, late) for _ in range(10))  # 10 in the last two seconds
    early = late + timedelta(seconds=4)  # 12:01:02: the last minute still weighs 58/60
    assert over_limit("k", 10, early)
    much_later = late + timedelta(seconds=62)  # 12:02:00: the burst has slid out
    assert not over_limit("k", 10, much_later)


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deeply_nested_json_is_400_not_500(depth: int) -> None:
    survey = make("four", [SITE])
    body = "[" * depth + "]" * depth
    response = Client().post(
        f"/s/{survey.key}/responses", body, content_type="application/json", HTTP_ORIGIN=SITE
    )
    assert response.status_code in (400, 413)
    assert response.json()["errors"][0]["field"] == "body"


def test_config_is_cached_per_origin() -> None:
    survey = make("five", [SITE])
    response = Client().get(f"/s/{survey.key}/config.json", HTTP_ORIGIN=SITE)
    assert "Origin" in response["Vary"]


def test_the_hosted_page_sets_no_cookie() -> None:
    survey = make("six", [SITE])
    client = Client(enforce_csrf_checks=True)
    shown = client.get(f"/s/{survey.key}/")
    assert shown.status_code == 200 and not shown.cookies
    sent = client.post(f"/s/{survey.key}/", {"visits": "first", "for_whom": "self", "found": "yes"})
    assert sent.status_code == 200 and not sent.cookies
    assert Response.objects.filter(survey=survey).count() == 1
