"""Arrivals counted in Redis (REDIS_URL set) and moved to the database by the worker."""

from datetime import date
from typing import Any

import pytest
import redis
from django.test import Client
from django.utils import timezone

from takeup.campaigns import counter
from takeup.campaigns.models import Activity, Arrival, ArrivalFlush, ArrivalVisitor
from takeup.campaigns.queries import arrivals_by_send
from takeup.campaigns.services import link_save
from takeup.campaigns.tasks import arrivals_flush
from takeup.organisations.models import Organisation
from tests.responses import ClientResponse

pytestmark = pytest.mark.django_db
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"


def go(code: str, address: str = "203.0.113.5", agent: str = PHONE, **extra: Any) -> ClientResponse:
    return Client().get(f"/go/{code}", HTTP_USER_AGENT=agent, REMOTE_ADDR=address, **extra)


def test_arrivals_wait_in_redis_then_move_to_the_database(
    r: redis.Redis, activity: Activity
) -> None:
    code = activity.link.code
    for address in ["203.0.113.5", "203.0.113.5", "198.51.100.7"]:
        response = go(code, address)
        assert response.status_code == 302 and response["Cache-Control"] == "no-store"
    go(f"{code}?qr", agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
    assert not Arrival.objects.exists()  # nothing written to the database by the redirects
    assert r.exists(f"takeup:link:{code}")  # the link is cached
    arrivals, visitors = counter.flush(r)
    assert (arrivals, visitors) == (4, 2)
    rows = {(a.via, a.is_bot): a.count for a in Arrival.objects.all()}
    assert rows == {("link", False): 3, ("qr", True): 1}
    assert ArrivalVisitor.objects.count() == 2
    assert counter.flush(r) == (0, 0)  # nothing left to move
    go(code)
    counter.flush(r)
    assert Arrival.objects.get(via="link").count == 4  # added to, not replaced
    assert ArrivalVisitor.objects.count() == 2  # the same person again


def test_unknown_and_expired_codes_are_not_moved(
    r: redis.Redis, org: Organisation, activity: Activity
) -> None:
    assert go("nosuchcode").status_code == 404
    link_save(organisation=org, activity=activity, expires_on=date(2020, 1, 1))
    assert go(activity.link.code).status_code == 410
    assert counter.flush(r) == (0, 0)
    assert not Arrival.objects.exists()


def test_a_flush_that_stopped_half_way_is_not_written_twice(
    r: redis.Redis, activity: Activity, monkeypatch: pytest.MonkeyPatch
) -> None:
    go(activity.link.code)
    go(activity.link.code, "198.51.100.7")
    real_delete = r.delete

    def crash(*keys: str) -> int:
        raise redis.ConnectionError("the worker stopped here")

    monkeypatch.setattr(r, "delete", crash)
    with pytest.raises(redis.ConnectionError):
        counter.flush(r)
    assert ArrivalFlush.objects.count() == 1  # one batch written, its Redis key still there
    monkeypatch.setattr(r, "delete", real_delete)
    counter.flush(r)
    assert Arrival.objects.get().count == 2 and ArrivalVisitor.objects.count() == 2
    assert ArrivalFlush.objects.count() == 2  # one batch of arrivals, one of visitors
    assert not list(r.scan_iter("takeup:flushing:*"))


def test_a_changed_link_is_not_served_from_the_cache(
    r: redis.Redis, org: Organisation, activity: Activity
) -> None:
    assert go(activity.link.code).status_code == 302
    link_save(organisation=org, activity=activity, vanity="bins")
    assert go("bins").status_code == 302
    link_save(organisation=org, activity=activity, vanity="")
    assert go("bins").status_code == 404


def test_the_first_arrival_of_a_minute_queues_the_move(r: redis.Redis, activity: Activity) -> None:
    go(activity.link.code)
    go(activity.link.code)
    assert r.ttl("takeup:flush-due") > 0
    assert arrivals_flush.call() == [2, 1]
    assert Arrival.objects.get().day == timezone.localdate()


def test_arrivals_keep_their_send_through_redis(r: redis.Redis, activity: Activity) -> None:
    code = activity.link.code
    go(f"{code}?s=send01")
    go(f"{code}?s=send01", "198.51.100.7")
    go(code)
    # Counted by a process from before sends were counted: no send field.
    r.hincrby(f"takeup:arrivals:{timezone.localdate()}", f"{code}\tmobile\t\tlink\t0", 2)
    assert counter.flush(r) == (5, 2)
    assert arrivals_by_send(activity.link) == {"send01": 2, "": 3}
