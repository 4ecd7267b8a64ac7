"""Every main page at 390 px, in English and Welsh, on the demo council: nothing scrolls sideways.
Wide tables scroll inside their own labelled region instead of widening the page."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from pytest_django.live_server_helper import LiveServer

from takeup.campaigns.models import Campaign
from takeup.demo.services import DEMO_ADMIN, DEMO_PASSWORD, demo_create
from takeup.insight.models import Survey
from takeup.ledger.models import ImportBatch

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# How far the page may be wider than the screen (a sub-pixel rounding, never a scrollbar).
SLACK = 1


@pytest.fixture
def demo(live_server: LiveServer) -> dict[str, Any]:
    org, _ = demo_create(years=1, end=date(2026, 10, 31))
    campaign = Campaign.objects.filter(organisation=org).order_by("starts_on").first()
    survey = Survey.objects.filter(organisation=org).first()
    service = org.services.filter(public=True).first() or org.services.first()
    assert campaign and survey and service
    service.public = True
    service.save()
    batch = ImportBatch.objects.filter(organisation=org).first()
    return {
        "base": str(live_server.url),
        "campaign": campaign.pk,
        "survey": survey,
        "service": service.slug,
        "batch": batch.pk if batch else None,
    }


def main_pages(demo: dict[str, Any]) -> list[str]:
    o = "/o/millbrook"
    pages = [
        f"{o}/",
        f"{o}/catalogue/services/",
        f"{o}/catalogue/services/{demo['service']}/",
        f"{o}/catalogue/areas/",
        f"{o}/catalogue/channels/",
        f"{o}/catalogue/unit-costs/",
        f"{o}/catalogue/unit-costs/add/",
        f"{o}/take-up/",
        f"{o}/take-up/services/{demo['service']}/",
        f"{o}/take-up/upload/",
        f"{o}/take-up/sources/",
        f"{o}/campaigns/",
        f"{o}/campaigns/new/",
        f"{o}/campaigns/{demo['campaign']}/",
        f"{o}/campaigns/notes/",
        f"{o}/campaigns/plan/",
        f"{o}/visitors/",
        f"{o}/visitors/{demo['survey'].pk}/",
        f"{o}/visitors/{demo['survey'].pk}/results/",
        f"{o}/website/",
        f"{o}/outreach/",
        f"{o}/outreach/sessions/new/",
        f"{o}/outreach/champions/",
        f"{o}/outreach/assisted-digital/",
        f"{o}/outreach/assisted-digital/{demo['service']}/",
        f"{o}/outreach/neighbourhoods/",
        f"{o}/outreach/did-it-work/",
        f"{o}/alerts/",
        f"{o}/alerts/messages/new/",
        "/alerts/millbrook/",
        f"{o}/settings/",
        f"{o}/settings/staff/",
        f"{o}/settings/api-keys/",
        f"{o}/settings/audit-log/",
        f"/performance/millbrook/{demo['service']}/",
        f"/s/{demo['survey'].key}/",
    ]
    if demo["batch"]:
        pages.append(f"{o}/take-up/imports/{demo['batch']}/")
    return pages


def overflow(page: Page) -> dict[str, Any] | None:
    """How far the page is wider than the screen, and the widest elements that stick out."""
    found: dict[str, Any] | None = page.evaluate(
        """(slack) => {
          const width = document.documentElement.clientWidth;
          const over = document.documentElement.scrollWidth - width;
          if (over <= slack) return null;
          const culprits = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + slack)
            .filter(e => !e.closest('.takeup-scroll, [role=region]'))
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                 (typeof e.className === 'string' && e.className
                   ? '.' + e.className.split(' ')[0] : ''));
          return {over, culprits};
        }""",
        SLACK,
    )
    return found


def test_no_main_page_scrolls_sideways_at_390_px(browser: Browser, demo: dict[str, Any]) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = demo["base"]
    page.goto(f"{base}/sign-in/")
    page.fill("input[name=username]", DEMO_ADMIN)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/o/millbrook/")
    wide = {}
    for address in main_pages(demo):
        for prefix in ("", "/cy"):
            response = page.goto(base + prefix + address)
            assert response is not None and response.status < 400, (prefix + address, response)
            page.wait_for_load_state("networkidle")
            found = overflow(page)
            if found:
                wide[prefix + address] = found
    context.close()
    assert wide == {}
