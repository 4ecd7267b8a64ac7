"""A resident on a 390 px phone, in Welsh, signs up to two topics, opens the link in the
confirmation email, changes how often on the manage page and leaves with the link in an alert;
and a mail program's one-click POST ends another subscription. axe checks each page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx
import pytest
from django.core import mail
from pytest_django.live_server_helper import LiveServer

from takeup.alerts import services, tasks
from takeup.alerts.models import Subscription, Topic
from tests.factories import OrganisationFactory

from .conftest import assert_accessible

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 391, f"{page.url} is {width} px wide on a 390 px screen"


def _path(body: object, kind: str) -> str:
    found = re.search(rf"https?://[^/\s]+(/cy/alerts/{kind}/\S+/)", str(body))
    assert found, body
    return found.group(1)


def test_signing_up_confirming_managing_and_leaving_in_welsh(
    browser: Browser, live_server: LiveServer
) -> None:
    org = OrganisationFactory.create(name="Cyngor Sir Millbrook", slug="millbrook")
    for slug, name, name_cy in (("jobs", "Jobs", "Swyddi"), ("news", "News", "Newyddion")):
        Topic.objects.create(
            organisation=org,
            slug=slug,
            kind=slug,
            name=name,
            name_cy=name_cy,
            promise=f"{name}, weekly",
            promise_cy=f"{name_cy}, bob wythnos",
        )
    base = str(live_server.url)
    # A phone's own browser: the headless one names itself, and a link checker's GET does not
    # unsubscribe anyone.
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
    )
    page = context.new_page()

    page.goto(f"{base}/cy/alerts/millbrook/")
    assert_accessible(page)
    _fits(page)
    page.get_by_role("button", name="Cofrestru").click()  # nothing chosen: errors, in Welsh
    assert "Dewiswch o leiaf un pwnc" in page.content()
    assert_accessible(page)
    page.get_by_label("Swyddi").check()
    page.get_by_label("Newyddion").check()
    page.get_by_label("Unwaith y dydd, am 8:30yb, pan fydd rhywbeth newydd").check()
    page.get_by_label("Cyfeiriad e-bost").fill("preswylydd@example.org")
    page.get_by_role("button", name="Cofrestru").click()
    assert "Gwiriwch eich e-bost" in page.content()
    assert_accessible(page)

    tasks.deliveries_send_task.call()
    confirmation = mail.outbox[-1].body
    assert "Newyddion, bob wythnos" in confirmation
    page.goto(base + _path(confirmation, "confirm"))
    assert "Mae eich hysbysiadau wedi dechrau" in page.content()
    assert_accessible(page)
    _fits(page)
    assert Subscription.objects.filter(confirmed_at__isnull=False, frequency="daily").count() == 2

    page.get_by_role("link", name="Newid pa mor aml, neu atal").click()
    assert_accessible(page)
    jobs = Subscription.objects.get(topic__slug="jobs")
    page.locator(f"#f-{jobs.pk}-3").check()
    page.locator(f"button[value='frequency:{jobs.pk}']").click()
    assert "Mae pa mor aml rydych yn ei gael wedi newid." in page.content()
    assert Subscription.objects.get(topic__slug="jobs", ended_at__isnull=True).frequency == "weekly"

    news = Topic.objects.get(slug="news")
    message = services.message_create(
        organisation=org, topics=[news], subject="Newyddion", body="x"
    )
    Subscription.objects.filter(topic=news, ended_at__isnull=True).update(frequency="immediately")
    services.fanout("message", message.pk)
    tasks.deliveries_send_task.call()
    alert = mail.outbox[-1]
    page.goto(base + _path(alert.body, "unsubscribe"))
    assert "Rydych wedi dad-danysgrifio" in page.content()
    assert_accessible(page)
    _fits(page)
    assert (
        Subscription.objects.get(topic=news, ended_at__isnull=False).ended_reason == "unsubscribed"
    )

    # A mail program's one-click unsubscribe (RFC 8058) for the weekly jobs subscription.
    services.message_create(
        organisation=org, topics=[Topic.objects.get(slug="jobs")], subject="J", body="x"
    )
    weekly = Subscription.objects.get(topic__slug="jobs", ended_at__isnull=True)
    from takeup.alerts import tokens

    token = tokens.unsubscribe_token(weekly.subscriber_id, [weekly.topic_id])
    url = f"{base}/alerts/unsubscribe/{token}/"
    response = httpx.post(
        url,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    weekly.refresh_from_db()
    assert weekly.ended_reason == "one-click"
    context.close()
