"""The demo's comparison page in Chromium: axe-core in English and Welsh, nothing sideways at
390 px, no browser errors, and the figures there without JavaScript."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

import pytest
from pytest_django.live_server_helper import LiveServer

from takeup.demo.peers import demo_peers_create
from takeup.demo.services import DEMO_ADMIN, DEMO_PASSWORD, demo_create
from tests.e2e.conftest import CHROMIUM, assert_accessible
from tests.e2e.test_small_screens import overflow

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium"),
]
ADDRESS = "/o/millbrook/comparison/"


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
    org, _ = demo_create(years=1, end=date(2026, 10, 31))
    demo_peers_create(org, end=date(2026, 10, 31))
    return str(live_server.url)


def signed_in(browser: Browser, base: str, width: int, javascript: bool = True) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{base}/sign-in/")
    page.fill("input[name=username]", DEMO_ADMIN)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/o/millbrook/")
    return page


@pytest.mark.parametrize("width", [1280, 390])
def test_the_comparison_page_is_accessible_in_both_languages(
    browser: Browser, base: str, width: int
) -> None:
    page = signed_in(browser, base, width)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for prefix, heading in (("", "Comparison with other councils"), ("/cy", "Cymharu")):
        page.goto(base + prefix + ADDRESS)
        page.wait_for_load_state("networkidle")
        assert heading in page.inner_text("h1")
        assert page.locator(".takeup-chart svg, .takeup-chart canvas").count() == 3
        assert_accessible(page)
        assert overflow(page) is None
    assert errors == []
    page.context.close()


def test_the_figures_are_there_without_javascript(browser: Browser, base: str) -> None:
    page = signed_in(browser, base, 1280, javascript=False)
    page.goto(base + ADDRESS)
    table = page.locator("table[data-chart-table=comparison-take-up]")
    assert "Household waste collection (524)" in (table.text_content() or "")
    assert "Central government, for reference" in page.inner_text("body")
    page.context.close()
