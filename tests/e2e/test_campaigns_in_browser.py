"""A communications officer, as a new user would: register a campaign with three activities,
print a QR code, see the arrivals, and read an estimate with its interval and checks."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from pytest_django.live_server_helper import LiveServer

from takeup.campaigns.models import EstimateRun
from takeup.campaigns.tasks import campaign_estimates
from tests.campaigns.conftest import START, daily, poisson_series
from tests.factories import MembershipFactory, OrganisationFactory, ServiceFactory, UserFactory

from .conftest import assert_accessible

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"
CAMPAIGN_START = START + timedelta(days=364)


@pytest.fixture
def millbrook(live_server: LiveServer) -> str:
    org = OrganisationFactory.create(
        name="Millbrook City Council", slug="millbrook", allowed_domains=["millbrook.gov.uk"]
    )
    for i, (name, slug) in enumerate(
        [
            ("Report a missed bin", "report-a-missed-bin"),
            ("Pay council tax", "pay-council-tax"),
            ("Renew library books", "renew-library-books"),
        ]
    ):
        service = ServiceFactory.create(
            organisation=org,
            name=name,
            slug=slug,
            online_url=f"https://www.millbrook.gov.uk/{slug}",
        )
        lift = 0.3 if i == 0 else 0.0
        daily(org, service, poisson_series(i, 150 + 50 * i, lift, 364))
        daily(org, service, poisson_series(10 + i, 80), channel="phone")
    MembershipFactory.create(
        organisation=org, user=UserFactory.create(email="comms@millbrook.gov.uk"), role="editor"
    )
    return str(live_server.url)


def test_register_print_see_arrivals_and_read_the_estimate(page: Page, millbrook: str) -> None:
    base = millbrook
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Email address").fill("comms@millbrook.gov.uk")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/o/millbrook/")

    page.get_by_role("link", name="Campaigns", exact=True).click()
    assert page.get_by_text("No campaigns yet.").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add a campaign").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()  # empty: errors, nothing saved
    assert page.get_by_role("link", name="Enter a name, such as").is_visible()
    page.get_by_label("Name").fill("Bins online")
    page.get_by_label("Report a missed bin").check()
    page.get_by_label("Start date").fill(CAMPAIGN_START.isoformat())
    page.get_by_label("End date").fill((CAMPAIGN_START + timedelta(days=27)).isoformat())
    page.get_by_label("Budget in pounds").fill("1500")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("heading", name="Bins online").is_visible()

    for medium, place in [
        ("Leaflet", "12 GP surgeries"),
        ("Facebook advert", "Facebook"),
        ("Radio", "Millbrook FM"),
    ]:
        page.get_by_role("link", name="Add an activity").click()
        page.get_by_label("Medium").select_option(label=medium)
        page.get_by_label("Place").fill(place)
        page.get_by_label("Cost in pounds").fill("500")
        if medium == "Radio":
            page.get_by_label("Easy-to-say address").fill("bins")
        page.get_by_role("button", name="Save").click()
    rows = page.locator("#activities tbody tr")
    assert rows.count() == 3
    assert page.get_by_text(f"{base}/go/bins").is_visible()
    assert_accessible(page)

    # Print a QR code: the PNG is served for download.
    with page.expect_download() as download:
        page.get_by_role("link", name="QR code for print (PNG) Radio: Millbrook FM").click()
    assert download.value.suggested_filename == "qr-bins.png"

    # Someone hears the radio advert and types the address on their phone.
    response = page.request.get(f"{base}/go/bins", headers={"User-Agent": PHONE}, max_redirects=0)
    assert response.status == 302
    assert response.headers["location"].startswith("https://www.millbrook.gov.uk/report-a")
    page.reload()
    radio_row = rows.filter(has_text="Millbrook FM")
    assert radio_row.locator("td").nth(4).inner_text() == "1"

    # Estimate what the campaign did; the worker runs it, and the page shows it when done.
    page.get_by_role("button", name="Estimate the effect").click()
    assert page.get_by_text("The estimate is waiting to start.").is_visible()
    run = EstimateRun.objects.get()
    campaign_estimates.call(run.pk)
    page.get_by_role("heading", name="Checks").wait_for(timeout=15_000)  # htmx refreshes
    summary = page.locator(".takeup-summary").first.inner_text()
    assert "more digital transactions for “Report a missed bin”" in summary
    assert "95% interval" in summary
    assert page.get_by_text("Placebo test passed").is_visible()
    assert page.locator("#comparison").count() == 0
    assert_accessible(page)

    page.get_by_role("link", name="Campaigns", exact=True).click()
    comparison = page.locator("#comparison").inner_text()
    assert "Bins online" in comparison and "Millbrook FM" in comparison
    assert_accessible(page)
