"""A member of staff signs in, adds a service and sees it listed; every page passes axe-core."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pytest_django.live_server_helper import LiveServer

from takeup.catalogue.models import Service
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


@pytest.fixture
def millbrook(live_server: LiveServer) -> dict[str, Any]:
    org = OrganisationFactory.create(
        name="Millbrook City Council", slug="millbrook", allowed_domains=["millbrook.gov.uk"]
    )
    ServiceFactory.create(
        organisation=org,
        name="Report a missed bin",
        slug="report-a-missed-bin",
        area=ServiceAreaFactory.create(organisation=org, name="Parking", slug="parking"),
    )
    user = UserFactory.create(email="digital.lead@millbrook.gov.uk")
    MembershipFactory.create(organisation=org, user=user, role="editor")
    return {"org": org, "url": live_server.url}


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/sign-in/")
    assert_accessible(page)
    page.get_by_label("Email address").fill("digital.lead@millbrook.gov.uk")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/o/millbrook/")


def test_sign_in_add_a_service_and_see_it_listed(page: Page, millbrook: dict[str, Any]) -> None:
    base = millbrook["url"]
    sign_in(page, base)
    assert page.get_by_role("link", name="Millbrook City Council").is_visible()
    # The landing page, before any figures: the month at a glance says there are none yet.
    assert page.get_by_text("There are no transactions for this month yet.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Services", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Add a service").click()
    assert_accessible(page)

    # First with a mistake: the error summary takes focus and links to the field.
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter the name of the service" in summary.inner_text()
    assert_accessible(page)

    page.get_by_label("Name").fill("Apply for a visitor parking permit")
    page.get_by_label("Service area").select_option(label="Parking")
    page.get_by_label("Kind").select_option(label="Apply for it")
    page.get_by_label("Online address").fill("https://www.millbrook.gov.uk/parking/visitor")
    page.get_by_label("Take-up target (%)").fill("95")
    page.get_by_label("Target date").fill("2027-03-31")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(f"{base}/o/millbrook/catalogue/services/")
    assert page.locator(".govuk-notification-banner--success").is_visible()
    row = page.get_by_role("row", name="Apply for a visitor parking permit")
    assert row.is_visible()
    assert "95% by Mar 2027" in row.inner_text()
    assert_accessible(page)
    assert Service.objects.filter(slug="apply-for-a-visitor-parking-permit").exists()


def test_welsh_pages_are_accessible(page: Page, millbrook: dict[str, Any]) -> None:
    base = millbrook["url"]
    sign_in(page, base)
    page.get_by_role("link", name="Cymraeg").first.click()
    page.wait_for_url(f"{base}/cy/o/millbrook/")
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.get_by_role("link", name="Gwasanaethau", exact=True).is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Gwasanaethau", exact=True).click()
    assert page.get_by_role("heading", name="Gwasanaethau").is_visible()
    assert_accessible(page)


def test_api_docs_load_under_the_content_security_policy(
    page: Page, live_server: LiveServer
) -> None:
    # The page fixture fails the test on any console error, such as a blocked script.
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".opblock", timeout=10_000)
    assert page.locator(".opblock").count() >= 7
