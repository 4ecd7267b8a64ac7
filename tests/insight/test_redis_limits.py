"""Survey answers limited in Redis (REDIS_URL set) instead of the database."""

import os
from collections.abc import Iterator

import pytest
import redis
from django.test import Client
from pytest_django.fixtures import Settings

from takeup.core import redisclient
from takeup.insight.models import IntakeWindow, Response
from takeup.insight.services import survey_save
from takeup.organisations.models import Organisation

pytestmark = pytest.mark.django_db
URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


if not _redis_up():
    if os.environ.get("TAKEUP_REQUIRE_REDIS") == "1":
        raise RuntimeError(f"TAKEUP_REQUIRE_REDIS=1 but Redis at {URL} does not answer")
    pytestmark = [pytestmark, pytest.mark.skip(reason=f"no Redis at {URL}")]


@pytest.fixture
def r(settings: Settings) -> Iterator[redis.Redis]:
    settings.TAKEUP_REDIS_URL = URL
    client = redisclient.client()
    assert client is not None
    client.flushdb()
    yield client
    client.flushdb()


def test_survey_answers_are_rate_limited_in_redis_too(
    r, org: Organisation, settings: Settings
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
