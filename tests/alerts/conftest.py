import pytest

from takeup.alerts.models import Topic
from takeup.organisations.models import Organisation


@pytest.fixture
def topic(org: Organisation) -> Topic:
    return Topic.objects.create(
        organisation=org,
        slug="jobs",
        kind=Topic.Kind.JOBS,
        name="Jobs",
        name_cy="Swyddi",
        promise="Every new job we advertise, usually 5 to 10 a week.",
        promise_cy="Pob swydd newydd a hysbysebwn, fel arfer 5 i 10 yr wythnos.",
    )


@pytest.fixture
def planning(org: Organisation) -> Topic:
    return Topic.objects.create(
        organisation=org,
        slug="planning",
        kind=Topic.Kind.PLANNING,
        name="Planning applications",
        promise="Each new planning application, as it is validated.",
    )
