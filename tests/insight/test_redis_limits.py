"""Survey answers limited in Redis (REDIS_URL set) instead of the database."""

import pytest
import redis
from django.test import Client
from pytest_django.fixtures import Settings

from takeup.insight.models import IntakeWindow, Response
from takeup.insight.services import survey_save
from takeup.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_survey_answers_are_rate_limited_in_redis_too(
    r: redis.Redis, org: Organisation, settings: Settings
) -> None:
    """With Redis, the per-website limit on survey answers counts there, not in the database."""
    settings.TAKEUP_SURVEY_PER_MINUTE = 2
    site = "https://www.millbrook.gov.uk"
    survey = survey_save(organisation=org, name="Exit", sampling_percent=20, allowed_origins=[site])
    body = '{"answers": {"visits": "first", "for_whom": "self", "found": "yes"}}'
    codes = [
        Client()
        .post(f"/s/{survey.key}/responses", body, content_type="application/json", HTTP_ORIGIN=site)
        .status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Response.objects.count() == 2 and not IntakeWindow.objects.exists()
    assert list(r.scan_iter("takeup:intake:*"))
