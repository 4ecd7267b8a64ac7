"""The website check's report page in Chromium, on the demo's two stored runs: axe-core in
English and Welsh, nothing sideways at 390 px, no browser errors, and all there without
JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from pytest_django.live_server_helper import LiveServer

from takeup.demo.webcheck import demo_webcheck_create
from takeup.organisations.models import User
from tests.e2e.conftest import CHROMIUM, assert_accessible
from tests.e2e.test_small_screens import overflow

from ..factories import MembershipFactory, OrganisationFactory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium"),
]
EMAIL, PASSWORD = "web@millbrook.example", "a-long-test-password-1"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture
def base(live_server: LiveServer) -> str:
    org = OrganisationFactory.create(name="Millbrook City Council", slug="millbrook")
    org.website = "https://www.millbrook.gov.uk/"
    org.save()
    user = User.objects.create_user(EMAIL, PASSWORD)
    MembershipFactory.create(organisation=org, user=user, role="admin")
    demo_webcheck_create(org)
    return str(live_server.url)


def signed_in(browser: Browser, base: str, width: int, javascript: bool = True) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{base}/sign-in/")
    page.fill("input[name=username]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/o/millbrook/**")
    return page


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_the_report_is_accessible_and_fits(
    browser: Browser, base: str, width: int, prefix: str
) -> None:
    page = signed_in(browser, base, width)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}{prefix}/o/millbrook/website/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#check-social_policy").count() == 1
    assert_accessible(page)
    if width == 390:
        assert overflow(page) is None
    assert errors == []
    page.context.close()


def test_the_report_without_javascript(browser: Browser, base: str) -> None:
    page = signed_in(browser, base, 1280, javascript=False)
    page.goto(f"{base}/o/millbrook/website/")
    assert page.locator("#d16").inner_text().strip() == "3 / 3"
    assert page.locator("#webcheck-checks > li").count() == 18
    assert "Was: Fail" in page.locator("#check-alerts_promoted_home").inner_text()
    page.context.close()
