"""Reads from a real streaming replica, writes to the primary (core/dbrouting.py). The replica
(.ci/host-services) is a pg_basebackup of the primary on port 5433, and the test database the
primary makes streams to it. Pausing the replica's replay makes it lag on purpose: then a page
read from it cannot show what was just written, and one read from the primary can."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from takeup.catalogue.models import Service
from takeup.core.dbrouting import WROTE_COOKIE
from takeup.ledger.models import ImportBatch
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
DATA = Path(__file__).parent.parent / "ledger" / "data"


def replica() -> str:
    [alias] = [a for a in connections if a.startswith("replica")]
    return alias


def caught_up(timeout: float = 10) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (written,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with connections[replica()].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


@contextmanager
def lagging() -> Iterator[None]:
    """The replica stops replaying the primary's changes for the length of the block."""
    with connections[replica()].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        with connections[replica()].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


def reads(client: Client, address: str) -> tuple[str, int, int]:
    """The page, and how many queries it made on the primary and on the replica."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[replica()]) as standby,
    ):
        response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode(), len(primary), len(standby)


def test_the_replica_is_a_standby_of_the_test_database() -> None:
    with connections[replica()].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database()")
        in_recovery, name = cursor.fetchone()
    assert in_recovery is True
    assert name == connections["default"].settings_dict["NAME"]


def test_dashboards_read_from_the_replica(viewer_client: MemberClient, service: Service) -> None:
    Service.objects.filter(pk=service.pk).update(public=True)
    caught_up()
    _, on_primary, on_replica = reads(viewer_client, f"/o/{service.organisation.slug}/")
    assert on_replica > 0 and on_primary == 0
    _, on_primary, on_replica = reads(
        viewer_client, f"/performance/{service.organisation.slug}/{service.slug}/"
    )
    assert on_replica > 0 and on_primary == 0


def test_api_reads_come_from_the_replica(api_client: Client, service: Service) -> None:
    caught_up()
    with CaptureQueriesContext(connections[replica()]) as standby:
        response = api_client.get("/api/services")
    assert response.status_code == 200 and service.slug in response.content.decode()
    assert len(standby) > 0


def test_writes_go_to_the_primary_and_the_writer_reads_them_back(
    member_client: Callable[[str], MemberClient], org: Organisation, service: Service
) -> None:
    client = member_client("analyst")
    caught_up()
    uploads = f"/o/{org.slug}/take-up/upload/"
    with lagging():
        with (
            CaptureQueriesContext(connections[replica()]) as standby,
            (DATA / "long-clean.csv").open("rb") as f,
        ):
            response = client.post(uploads, {"file": f, "new_source": "CRM", "period": "day"})
        assert response.status_code == 302 and len(standby) == 0
        assert WROTE_COOKIE in response.cookies
        batch = ImportBatch.objects.get(organisation=org)
        # Straight after writing: the primary, so the new import is on the page.
        page, on_primary, on_replica = reads(client, uploads)
        assert batch.file_name in page and on_primary > 0 and on_replica == 0
        # The preview must be exact: from the primary, whoever asks.
        client.cookies.pop(WROTE_COOKIE)
        page, _, on_replica = reads(client, f"/o/{org.slug}/take-up/imports/{batch.pk}/")
        assert 'id="preview"' in page and on_replica == 0
        # Once the few seconds are over, the page reads the lagging replica: not there yet.
        page, _, on_replica = reads(client, uploads)
        assert batch.file_name not in page and on_replica > 0
    caught_up()
    page, _, on_replica = reads(client, uploads)
    assert batch.file_name in page and on_replica > 0


def test_the_worker_and_commands_read_the_primary(service: Service) -> None:
    with lagging():
        Service.objects.filter(pk=service.pk).update(name="Renamed while the replica lags")
        # Outside a request nothing reads a replica.
        with CaptureQueriesContext(connections[replica()]) as standby:
            assert Service.objects.get(pk=service.pk).name == "Renamed while the replica lags"
        assert len(standby) == 0
