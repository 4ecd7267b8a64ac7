"""/go/ never depends on counting: when the count cannot be written, the visitor is still sent
on, and the lost count is recorded."""

import logging

import pytest
from django.db import OperationalError
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError

from takeup.campaigns import counter, public
from takeup.campaigns.models import Activity, Arrival
from takeup.organisations.models import Organisation

pytestmark = pytest.mark.django_db
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"


def test_a_locked_database_still_redirects(
    activity: Activity, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def locked(**kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(public, "arrival_visit", locked)
    monkeypatch.setattr(counter, "client", lambda: None)
    with caplog.at_level(logging.WARNING, logger="takeup.arrivals"):
        response = Client().get(f"/go/{activity.link.code}", HTTP_USER_AGENT=PHONE)
    assert response.status_code == 302
    assert response["Location"].startswith("https://www.millbrook.gov.uk/bins")
    assert not Arrival.objects.exists()
    assert f"arrival not counted: link {activity.link.code}, OperationalError" in caplog.text
    assert "192.0.2" not in caplog.text and "iPhone" not in caplog.text  # nothing about them


def test_redis_down_still_redirects_and_an_unknown_code_is_still_404(
    activity: Activity, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Down:
        def incr(self, key: str) -> None:
            raise RedisConnectionError("down")

    def down(r: object, **kwargs: object) -> None:
        raise RedisConnectionError("down")

    monkeypatch.setattr(counter, "client", lambda: Down())
    monkeypatch.setattr(counter, "visit", down)
    assert Client().get(f"/go/{activity.link.code}", HTTP_USER_AGENT=PHONE).status_code == 302
    assert Client().get("/go/nosuchcode", HTTP_USER_AGENT=PHONE).status_code == 404


def test_qr_kinds_are_only_svg_and_png(
    viewer_client: Client, org: Organisation, activity: Activity
) -> None:
    base = f"/o/{org.slug}/campaigns/activities/{activity.pk}/qr"
    for bad in ('.svg"x', ".svg%0d%0aX-Evil:1", ".txt", ".SVG"):
        assert viewer_client.get(base + bad + "?download=1").status_code == 404, bad
    # A NUL is refused before any view (RefuseNulMiddleware).
    assert viewer_client.get(base + ".png%00?download=1").status_code == 400
    svg = viewer_client.get(base + ".svg?download=1")
    assert svg.status_code == 200
    assert svg["Content-Disposition"] == f'attachment; filename="qr-{activity.link.code}.svg"'
    assert viewer_client.get(base + ".png").status_code == 200


def test_the_database_alone_cannot_give_back_a_visitors_address(activity: Activity) -> None:
    from takeup.campaigns.models import ArrivalVisitor, VisitorSalt
    from takeup.campaigns.services import visitor_hash
    from takeup.core.clients import keyed

    Client(REMOTE_ADDR="203.0.113.7").get(f"/go/{activity.link.code}", HTTP_USER_AGENT=PHONE)
    stored = ArrivalVisitor.objects.get().visitor
    salt = VisitorSalt.objects.get().salt
    # What someone with the database could try, for every address: it never matches.
    assert stored != visitor_hash(salt, "203.0.113.7|" + PHONE)
    # Only with SECRET_KEY, which is not in the database, does it.
    assert stored == visitor_hash(salt, keyed("203.0.113.7|" + PHONE))


def test_a_psycopg_error_on_the_raw_cursor_still_redirects(
    activity: Activity, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    def timed_out(**kwargs: object) -> None:
        raise psycopg.errors.QueryCanceled("canceling statement due to statement timeout")

    monkeypatch.setattr(public, "arrival_visit", timed_out)
    monkeypatch.setattr(counter, "client", lambda: None)
    assert Client().get(f"/go/{activity.link.code}", HTTP_USER_AGENT=PHONE).status_code == 302
