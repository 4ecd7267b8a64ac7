"""From upload to the figure on the page, in a real browser, with axe-core on every page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pytest_django.live_server_helper import LiveServer

from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ServiceAreaFactory,
    ServiceFactory,
    UserFactory,
)

from .conftest import assert_accessible

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).parent.parent / "ledger" / "data"


@pytest.fixture
def millbrook(live_server: LiveServer) -> str:
    org = OrganisationFactory.create(
        name="Millbrook City Council", slug="millbrook", allowed_domains=["millbrook.gov.uk"]
    )
    area = ServiceAreaFactory.create(organisation=org, name="Waste and recycling", slug="waste")
    ServiceFactory.create(
        organisation=org,
        area=area,
        name="Report a missed bin",
        slug="report-a-missed-bin",
        target_percent=80,
        target_date="2027-03-31",
    )
    MembershipFactory.create(
        organisation=org, user=UserFactory.create(email="analyst@millbrook.gov.uk"), role="analyst"
    )
    return str(live_server.url)


def test_upload_a_messy_file_and_see_the_figure(page: Page, millbrook: str) -> None:
    base = millbrook
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Email address").fill("analyst@millbrook.gov.uk")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/o/millbrook/")

    page.get_by_role("link", name="Take-up", exact=True).click()
    assert page.get_by_text("There are no figures yet.").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Import volumes").first.click()
    assert_accessible(page)

    page.get_by_label("File (CSV or Excel .xlsx)").set_input_files(
        str(DATA / "wide-bom-semicolon-monthly.csv")
    )
    page.get_by_label("New source's name").fill("CRM export")
    page.get_by_label("Each row is a").select_option("month")
    page.get_by_role("button", name="Check the file").click()

    assert page.get_by_role("heading", name="Check the file before importing").is_visible()
    assert page.locator("#preview tbody tr").count() == 3  # the file's first rows, as written
    assert page.locator("#skipped").inner_text() == "line 5"
    assert page.locator("#rows-rejected").inner_text() == "0"
    assert_accessible(page)
    page.get_by_role("button", name="Import", exact=True).click()
    assert page.get_by_role("heading", name="Imported").is_visible()
    assert_accessible(page)

    page.goto(
        f"{base}/o/millbrook/take-up/services/report-a-missed-bin/"
        "?period=custom&from=2026-03-01&to=2026-04-30"
    )
    # 1,250 + 1,300 online of 1,250 + 800 + 12 + 1,300 + 750 = 4,112 transactions
    assert page.locator("#take-up-figure").inner_text() == "62.0%"
    assert page.get_by_text("2,550 of 4,112 transactions").is_visible()
    page.wait_for_selector(".takeup-chart__figure svg", timeout=10_000)
    assert_accessible(page)

    page.goto(f"{base}/o/millbrook/take-up/?period=custom&from=2026-03-01&to=2026-04-30")
    row = page.get_by_role("row", name="Report a missed bin")
    assert "62.0%" in row.inner_text()
    assert_accessible(page)

    # The landing page and the briefing read the same figures for the last whole month (April).
    page.goto(f"{base}/o/millbrook/")
    assert page.get_by_text("April 2026 at a glance").is_visible()
    page.wait_for_selector(".takeup-chart__figure svg", timeout=10_000)
    assert_accessible(page)
    page.get_by_role("link", name="Briefing", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="April 2026", exact=True).click()
    assert page.locator("#total-take-up").first.is_visible()
    assert_accessible(page)


def test_the_public_index_and_service_page_show_the_four_kpis(page: Page, millbrook: str) -> None:
    from takeup.catalogue.models import Service
    from takeup.insight.services import survey_save
    from tests.ledger.test_public_kpis import answers, volumes

    service = Service.objects.get(slug="report-a-missed-bin")
    service.public = True
    service.save()
    volumes(service.organisation, service, starts=True)
    survey = survey_save(
        organisation=service.organisation, name="Exit", sampling_percent=100, allowed_origins=[]
    )
    answers(survey, service, 40, satisfied=30, found=10)

    page.goto(f"{millbrook}/performance/millbrook/")
    row = page.locator("#public-services tbody tr")
    assert row.count() == 1
    assert [c.strip() for c in row.locator("td").all_inner_texts()] == [
        "2026/27 Q2",
        "75.0%",
        row.locator("td").nth(2).inner_text().strip(),  # the cost, at the default unit costs
        "75.0%",
        "75.0%",
    ]
    assert row.locator("td").nth(2).inner_text().startswith("£")
    assert_accessible(page)
    page.get_by_role("link", name="Report a missed bin").click()
    for kpi in ("#kpi-take-up", "#kpi-cost", "#kpi-satisfaction", "#kpi-completion"):
        assert page.locator(kpi).is_visible()
    assert page.locator("#kpi-satisfaction").inner_text() == "75.0%"
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("#kpi-completion").is_visible()
    assert_accessible(page)
