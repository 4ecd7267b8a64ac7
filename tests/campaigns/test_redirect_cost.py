"""What a counted /go/ costs PostgreSQL: one round trip, a statement prepared once per
connection (unless behind PgBouncer), and a commit that does not wait for the disk."""

import pytest
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings

from takeup.campaigns.models import Activity, Arrival, ArrivalVisitor
from tests.campaigns.round_trips import round_trips

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the cost on PostgreSQL"),
]
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"


def go(code: str, address: str = "203.0.113.5") -> int:
    return Client().get(f"/go/{code}", HTTP_USER_AGENT=PHONE, REMOTE_ADDR=address).status_code


def prepared_visits() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements "
            "WHERE statement LIKE '%%campaigns_arrivalvisitor%%'"
        )
        return int(cursor.fetchone()[0])


def test_a_visit_is_one_round_trip(activity: Activity) -> None:
    go(activity.link.code)  # the day's first visit makes the day's salt
    with round_trips() as made:
        assert go(activity.link.code, "198.51.100.7") == 302
    assert made == [1]
    assert Arrival.objects.get().count == 2 and ArrivalVisitor.objects.count() == 2


def test_the_visit_is_prepared_on_the_server_once(activity: Activity) -> None:
    for address in ["203.0.113.5", "198.51.100.7", "198.51.100.8"]:
        go(activity.link.code, address)
    assert prepared_visits() == 1
    assert Arrival.objects.get().count == 3 and ArrivalVisitor.objects.count() == 3


def test_behind_pgbouncer_nothing_is_prepared(activity: Activity, settings: Settings) -> None:
    settings.TAKEUP_SERVER_PREPARE = False
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what earlier tests on this connection prepared
    go(activity.link.code)
    go(activity.link.code, "198.51.100.7")
    assert prepared_visits() == 0
    assert Arrival.objects.get().count == 2


def test_the_visit_commits_without_waiting_for_the_disk(activity: Activity) -> None:
    # Inside this test's transaction the statement's setting is still in force: it was the
    # visit's own transaction that was told not to wait.
    go(activity.link.code)
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.django_db(transaction=True)
def test_not_waiting_for_the_disk_stays_with_the_visit(activity: Activity) -> None:
    """Each request commits on its own: whatever the connection writes next waits as usual."""
    assert go(activity.link.code) == 302
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    assert Arrival.objects.get().count == 1
