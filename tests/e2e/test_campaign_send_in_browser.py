"""A communications officer sends a campaign text to a list of 20 mobile numbers, as a new user
would: write the message, upload the list, check the first message, send. The worker sends
through Notify (a local fake of its API), Notify reports deliveries, some people follow the
link, and the campaign page shows the send's reach and response."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from takeup.alerts import tasks
from takeup.alerts.models import CampaignSend, Delivery
from takeup.campaigns.models import Activity
from takeup.campaigns.services import activity_save, campaign_save
from tests.alerts.fake_notify import FakeNotify, running
from tests.factories import MembershipFactory, OrganisationFactory, ServiceFactory, UserFactory

from .conftest import assert_accessible

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"
TOKEN = "notify-callback-token"


@pytest.fixture
def notify(settings: Settings, live_server: LiveServer) -> Iterator[FakeNotify]:
    with running() as fake:
        settings.TAKEUP_SITE_URL = live_server.url
        settings.TAKEUP_ALERTS_BACKEND = "notify"
        settings.TAKEUP_ALERTS_PER_MINUTE = 0
        settings.TAKEUP_NOTIFY_API_KEY = fake.api_key
        settings.TAKEUP_NOTIFY_BASE_URL = fake.url
        settings.TAKEUP_NOTIFY_SMS_TEMPLATE = "sms-template"
        settings.TAKEUP_NOTIFY_CALLBACK_TOKEN = TOKEN
        yield fake


@pytest.fixture
def texts(live_server: LiveServer) -> Activity:
    org = OrganisationFactory.create(
        name="Millbrook City Council", slug="millbrook", allowed_domains=["millbrook.gov.uk"]
    )
    service = ServiceFactory.create(
        organisation=org,
        name="Report a missed bin",
        slug="report-a-missed-bin",
        online_url="https://www.millbrook.gov.uk/bins",
    )
    today = timezone.localdate()
    campaign = campaign_save(
        organisation=org,
        services=[service],
        name="Bins online",
        starts_on=today,
        ends_on=today + timedelta(days=27),
        budget_pence=50_000,
    )
    MembershipFactory.create(
        organisation=org, user=UserFactory.create(email="comms@millbrook.gov.uk"), role="editor"
    )
    return activity_save(
        organisation=org,
        campaign=campaign,
        medium="text",
        place="Last year's missed-bin callers",
        starts_on=today,
        ends_on=today + timedelta(days=6),
        cost_pence=800,
    )


def test_a_campaign_text_to_a_list_shows_its_reach_and_arrivals(
    page: Page, live_server: LiveServer, notify: FakeNotify, texts: Activity, tmp_path: Path
) -> None:
    base = live_server.url
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Email address").fill("comms@millbrook.gov.uk")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/o/millbrook/")
    campaign_page = f"{base}/o/millbrook/campaigns/{texts.campaign_id}/"
    page.goto(campaign_page)
    assert page.get_by_text("Nothing sent to a list yet.").is_visible()

    page.get_by_role("link", name="Send to a list").click()
    assert page.get_by_role("heading", name="Send to a list").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Write a message").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Bins text, December")
    page.get_by_label("Message").fill(
        "Hi ((first_name)), you can report a missed bin online: ((link)) Millbrook Council"
    )
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("The message “Bins text, December” is saved.").is_visible()

    recipients = tmp_path / "recipients.csv"
    rows = [f"07700 9000{n:02d},Person{n}" for n in range(20)]
    recipients.write_text("mobile,first_name\n" + "\n".join(rows) + "\n")
    page.get_by_label("Bins text, December").check()
    page.get_by_label("CSV file of recipients").set_input_files(str(recipients))
    page.get_by_role("button", name="Check the list").click()
    assert page.get_by_role("heading", name="Check before you send").is_visible()
    send = CampaignSend.objects.get()
    preview = page.locator("#send-preview").inner_text()
    assert "Hi Person0, you can report a missed bin online:" in preview
    assert f"/go/{texts.link.code}?s={send.code}" in preview
    assert page.get_by_text("20 recipients").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send 20 messages").click()
    assert page.get_by_text("20 messages are on their way.").is_visible()

    tasks.deliveries_send_task.call()  # the worker
    assert len(notify.notifications) == 20
    ids = list(notify.notifications)
    receipts = [notify.receipt(i, "delivered") for i in ids[:16]]
    receipts += [notify.receipt(i, "permanent-failure") for i in ids[16:18]]
    for receipt in receipts:
        answer = httpx.post(
            f"{base}/alerts/notify/callback",
            json=receipt,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert answer.status_code == 200
    for n in range(5):  # people following the link in their text, and one from elsewhere
        went = httpx.get(
            f"{base}/go/{texts.link.code}?s={send.code}",
            headers={"User-Agent": PHONE, "X-Forwarded-For": f"203.0.113.{n}"},
        )
        assert went.status_code == 302
    httpx.get(f"{base}/go/{texts.link.code}", headers={"User-Agent": PHONE})
    assert set(Delivery.objects.values_list("address", flat=True)) == {""}  # forgotten

    page.goto(campaign_page)
    table = page.get_by_role("table", name="Sent to a list")
    cells = table.locator("tbody td").all_inner_texts()
    assert cells[:4] == ["20", "16", "2", "5"]
    assert cells[4].startswith("31.2% (95% range")
    assert_accessible(page)
    table.get_by_role("link").click()
    assert page.get_by_role("heading", name="Reach and response").is_visible()
    shown = dict(
        zip(
            page.locator("#send-reach dt").all_inner_texts(),
            page.locator("#send-reach dd").all_inner_texts(),
            strict=True,
        )
    )
    assert shown["Sent"] == "20" and shown["Delivered"] == "16" and shown["Failed"] == "2"
    assert shown["Arrivals through its link"] == "5"
    assert_accessible(page)
