"""/go/<code>: the redirect, what it counts and what it keeps (no IP address, no cookie)."""

from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from takeup.campaigns import public
from takeup.campaigns.models import (
    Activity,
    Arrival,
    ArrivalVisitor,
    Campaign,
    TrackedLink,
    VisitorSalt,
)
from takeup.campaigns.queries import arrivals_by_send
from takeup.campaigns.services import activity_save, link_save
from takeup.catalogue.services import domain_allowed
from takeup.organisations.models import Organisation
from tests.factories import ServiceFactory
from tests.responses import ClientResponse

pytestmark = pytest.mark.django_db
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


def go(client: Client, code: str, agent: str = PHONE, **extra: Any) -> ClientResponse:
    return client.get(f"/go/{code}", HTTP_USER_AGENT=agent, **extra)


def test_redirects_to_the_service_with_utm_and_no_store(activity: Activity) -> None:
    response = go(Client(), activity.link.code)
    assert response.status_code == 302
    assert response["Cache-Control"] == "no-store"
    target = urlsplit(response["Location"])
    assert target.netloc == "www.millbrook.gov.uk" and target.path == "/bins"
    utm = parse_qs(target.query)
    assert utm["utm_medium"] == ["leaflet"] and utm["utm_campaign"] == ["bins-online"]
    assert utm["utm_content"] == [f"{activity.link.code}-link"]
    assert not response.cookies


def test_each_arrival_is_counted_by_day_device_referrer_and_kind(activity: Activity) -> None:
    client = Client()
    code = activity.link.code
    go(client, code)
    go(client, code, HTTP_REFERER="https://l.facebook.com/some/path?x=1")
    go(client, f"{code}?qr", DESKTOP)
    go(client, code.upper())  # codes are read without case
    rows = {
        (a.device, a.referrer_host, a.via, a.is_bot): a.count
        for a in Arrival.objects.filter(link=activity.link)
    }
    assert rows == {
        ("mobile", "", "link", False): 2,
        ("mobile", "l.facebook.com", "link", False): 1,
        ("desktop", "", "qr", False): 1,
    }
    assert {a.day for a in Arrival.objects.all()} == {timezone.localdate()}


@pytest.mark.parametrize(
    ("method", "agent", "headers"),
    [
        ("head", PHONE, {}),
        ("get", "Mozilla/5.0 (compatible; Googlebot/2.1)", {}),
        ("get", "facebookexternalhit/1.1", {}),
        ("get", "", {}),
        ("get", PHONE, {"HTTP_SEC_PURPOSE": "prefetch;prerender"}),
        ("get", PHONE, {"HTTP_PURPOSE": "prefetch"}),
    ],
)
def test_bots_and_prefetches_are_flagged_not_counted_as_people(
    activity: Activity, method: str, agent: str, headers: dict[str, str]
) -> None:
    response = getattr(Client(), method)(
        f"/go/{activity.link.code}", HTTP_USER_AGENT=agent, **headers
    )
    assert response.status_code == 302
    arrival = Arrival.objects.get()
    assert arrival.is_bot and arrival.count == 1
    assert not ArrivalVisitor.objects.exists()


def test_unique_visitors_use_a_daily_salted_hash_and_keep_no_address(activity: Activity) -> None:
    code = activity.link.code
    go(Client(), code, REMOTE_ADDR="203.0.113.5")
    go(Client(), code, REMOTE_ADDR="203.0.113.5")
    go(Client(), code, REMOTE_ADDR="198.51.100.7")
    visitors = list(ArrivalVisitor.objects.values_list("visitor", flat=True))
    assert len(visitors) == 2
    stored = " ".join(str(v) for row in Arrival.objects.values_list() for v in row) + " ".join(
        visitors
    )
    assert "203.0.113.5" not in stored and "198.51.100.7" not in stored
    assert VisitorSalt.objects.count() == 1


def test_yesterdays_salt_is_deleted_when_todays_is_made(activity: Activity) -> None:
    VisitorSalt.objects.create(day=timezone.localdate() - timedelta(days=1), salt="old")
    go(Client(), activity.link.code)
    assert list(VisitorSalt.objects.values_list("day", flat=True)) == [timezone.localdate()]


def test_vanity_address(org: Organisation, activity: Activity) -> None:
    link_save(organisation=org, activity=activity, vanity="Bins")
    assert TrackedLink.objects.get().vanity == "bins"
    assert go(Client(), "bins").status_code == 302
    assert Arrival.objects.get().count == 1
    # Typed or printed with a trailing slash, it still goes (and counts).
    slashed = go(Client(), "bins/")
    assert slashed.status_code == 302 and slashed["Location"].startswith("https://www.millbrook")
    assert Arrival.objects.get().count == 2


def test_unknown_and_expired_codes_get_a_friendly_page(
    org: Organisation, activity: Activity
) -> None:
    missing = go(Client(), "nosuchcode")
    assert missing.status_code == 404 and b"This link does not work" in missing.content
    assert missing["Cache-Control"] == "no-store"
    link_save(organisation=org, activity=activity, expires_on=date(2020, 1, 1))
    expired = go(Client(), activity.link.code)
    assert expired.status_code == 410
    assert b"https://millbrook.gov.uk/" in expired.content  # back to the council's website
    assert not Arrival.objects.exists()


def test_links_only_go_to_allowed_domains(org: Organisation, activity: Activity) -> None:
    elsewhere = ServiceFactory.create(organisation=org, online_url="https://evil.example.com/phish")
    activity.campaign.services.add(elsewhere)
    with pytest.raises(ValidationError, match="allowed domains"):
        link_save(organisation=org, activity=activity, service=elsewhere)
    assert TrackedLink.objects.get().destination == "https://www.millbrook.gov.uk/bins"
    # If the organisation later drops the domain, the link stops redirecting there.
    org.allowed_domains = ["millbrook.example"]
    org.save()
    assert go(Client(), activity.link.code).status_code == 404


def test_a_service_with_no_online_address_cannot_have_a_link(
    org: Organisation, campaign: Campaign
) -> None:
    offline = ServiceFactory.create(organisation=org, online_url="")
    campaign.services.set([offline])
    with pytest.raises(ValidationError, match="no online address"):
        activity_save(
            organisation=org,
            campaign=campaign,
            medium="poster",
            starts_on=date(2026, 3, 2),
            ends_on=date(2026, 3, 3),
        )
    assert not Activity.objects.exists()  # nothing half-saved


def test_only_get_and_head(activity: Activity) -> None:
    assert Client().post(f"/go/{activity.link.code}").status_code == 405
    assert not Arrival.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_counting_outside_a_transaction_uses_one_round_trip_and_loses_nothing(
    org: Organisation, activity: Activity
) -> None:
    """In production each request is in autocommit mode: on PostgreSQL the two writes go in one
    statement batch (decision 0007). Every arrival and the unique visitors must still count."""
    client = Client()
    for address in ["203.0.113.5", "203.0.113.5", "198.51.100.7"]:
        assert go(client, activity.link.code, REMOTE_ADDR=address).status_code == 302
    assert Arrival.objects.get().count == 3
    assert ArrivalVisitor.objects.count() == 2


def test_arrivals_are_counted_by_the_send_their_message_came_from(activity: Activity) -> None:
    client = Client()
    code = activity.link.code
    go(client, f"{code}?s=ab12cd34ef56")
    go(client, f"{code}?s=ab12cd34ef56", REMOTE_ADDR="198.51.100.7")
    go(client, f"{code}?s=other1")
    go(client, code)
    # Anything not shaped like a send's code is counted as no send.
    go(client, f"{code}?s=AB12")
    go(client, f"{code}?s=ab12cd34ef567")
    go(client, f"{code}?s=a-b")
    go(client, f"{code}?s=ab12cd34ef56", "Mozilla/5.0 (compatible; Googlebot/2.1)")
    assert arrivals_by_send(activity.link) == {"ab12cd34ef56": 2, "other1": 1, "": 4}
    assert Arrival.objects.get(send="ab12cd34ef56", is_bot=True).count == 1


def test_a_links_address_is_checked_once_per_process_until_it_changes(
    org: Organisation, activity: Activity, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    allowed = domain_allowed

    def counting(url: str, domains: list[str]) -> bool:
        checked.append(url)
        return allowed(url, domains)

    monkeypatch.setattr(public, "domain_allowed", counting)
    public._target.cache_clear()
    client = Client()
    for _ in range(3):
        assert go(client, activity.link.code).status_code == 302
    assert len(checked) == 1
    org.allowed_domains = ["elsewhere.gov.uk"]  # the organisation drops the domain
    org.save()
    assert go(client, activity.link.code).status_code == 404
    assert len(checked) == 2
