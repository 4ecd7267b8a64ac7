import os
from collections.abc import Callable, Iterator

import pytest
import redis
from django.test import Client
from django.utils import translation
from pytest_django.fixtures import Settings

from takeup.catalogue.models import Service
from takeup.core import redisclient
from takeup.organisations.models import Organisation, User
from takeup.organisations.services import api_key_create

from .factories import MembershipFactory, OrganisationFactory, ServiceFactory, UserFactory

# The host tests need a replica and PgBouncer beside PostgreSQL (.ci/host-services): they run in
# their own pass (make pytest-host), which sets DATABASE_REPLICA_URLS.
collect_ignore = [] if os.environ.get("DATABASE_REPLICA_URLS") else ["host"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Settings) -> None:
    # Argon2 is the real hasher (see test_passwords_are_hashed_with_argon2); tests that make
    # many users use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    # A request to a Welsh page leaves Welsh active in the thread; code called directly by the
    # next test (a service's messages) must not inherit it.
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _media_root(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Uploads waiting for confirmation are kept on disk (MEDIA_ROOT): the test run's own.
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")


@pytest.fixture
def org(db: None) -> Organisation:
    return OrganisationFactory.create(
        name="Millbrook Test Council", slug="millbrook-test", allowed_domains=["millbrook.gov.uk"]
    )


@pytest.fixture
def other_org(db: None) -> Organisation:
    return OrganisationFactory.create(name="Elsewhere Borough Council", slug="elsewhere")


@pytest.fixture
def service(org: Organisation) -> Service:
    return ServiceFactory.create(
        organisation=org,
        name="Report a missed bin",
        slug="report-a-missed-bin",
        online_url="https://www.millbrook.gov.uk/bins",
    )


class MemberClient(Client):
    """A test client that knows which member of staff it is signed in as."""

    def __init__(self, user: User) -> None:
        super().__init__()
        self.user = user


@pytest.fixture
def member_client(org: Organisation) -> Callable[[str], MemberClient]:
    """A signed-in client for a new user with the given role in `org`."""

    def make(role: str) -> MemberClient:
        user = UserFactory.create()
        MembershipFactory.create(organisation=org, user=user, role=role)
        client = MemberClient(user)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def admin_client(member_client: Callable[[str], MemberClient]) -> MemberClient:
    return member_client("admin")


@pytest.fixture
def editor_client(member_client: Callable[[str], MemberClient]) -> MemberClient:
    return member_client("editor")


@pytest.fixture
def viewer_client(member_client: Callable[[str], MemberClient]) -> MemberClient:
    return member_client("viewer")


@pytest.fixture
def api_client(org: Organisation) -> Client:
    _, raw = api_key_create(organisation=org, name="test feed")
    return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.fixture
def admin_user(admin_client: MemberClient) -> User:
    return admin_client.user


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def r(settings: Settings) -> Iterator[redis.Redis]:
    """An empty Redis for counting (TAKEUP_REDIS_URL set); the test is skipped without one,
    unless TAKEUP_REQUIRE_REDIS=1 says it must run."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("TAKEUP_REQUIRE_REDIS") == "1":
            raise RuntimeError(f"TAKEUP_REQUIRE_REDIS=1 but no Redis at {REDIS_URL}") from exc
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.TAKEUP_REDIS_URL = REDIS_URL
    client = redisclient.client()
    assert client is not None
    client.flushdb()
    yield client
    client.flushdb()
