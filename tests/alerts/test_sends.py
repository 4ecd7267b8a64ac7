"""Campaign sends: a list of recipients read all or nothing, a preview, one delivery each with
the send's code on the link, never the same file twice, recipients forgotten once the send is
done, and reach and response on the campaign page."""

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from takeup.alerts import sends, tasks
from takeup.alerts.models import CampaignSend, Delivery, SendTemplate
from takeup.campaigns.models import Activity, Arrival, Campaign
from takeup.campaigns.services import activity_save, campaign_save
from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation, User
from tests.alerts.fake_notify import FakeNotify, running
from tests.conftest import MemberClient

pytestmark = pytest.mark.django_db
SITE = "https://takeup.example"
BODY = "Hi ((first name)), report a missed bin online: ((link))"
LIST = b"mobile,first_name\n07700 900001,Ann\n07700900002,Bob\n+44 7700 900003,Cai\n"


@pytest.fixture
def notify(settings: Settings) -> Iterator[FakeNotify]:
    with running() as fake:
        settings.TAKEUP_SITE_URL = SITE
        settings.TAKEUP_NOTIFY_API_KEY = fake.api_key
        settings.TAKEUP_NOTIFY_BASE_URL = fake.url
        settings.TAKEUP_NOTIFY_SMS_TEMPLATE = "sms-template"
        settings.TAKEUP_ALERTS_PER_MINUTE = 0
        yield fake


@pytest.fixture
def campaign(org: Organisation, service: Service) -> Campaign:
    return campaign_save(
        organisation=org,
        services=[service],
        name="Bins online",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
        budget_pence=10_000,
    )


@pytest.fixture
def texts(org: Organisation, campaign: Campaign) -> Activity:
    return activity_save(
        organisation=org,
        campaign=campaign,
        medium="text",
        place="Residents with a missed bin last year",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
        cost_pence=500,
    )


@pytest.fixture
def template(org: Organisation) -> SendTemplate:
    return SendTemplate.objects.create(organisation=org, name="Bins text", channel="sms", body=BODY)


def _prepare(activity: Activity, template: SendTemplate, data: bytes = LIST) -> CampaignSend:
    return sends.send_prepare(activity=activity, template=template, data=data, actor=None)


def test_a_list_with_problems_is_refused_whole_with_each_line_named(
    texts: Activity, template: SendTemplate
) -> None:
    data = b"mobile,first_name\n07700900001,Ann\n01632 960000,Bob\n\n07700900003,Cai\nnope,Dai\n"
    with pytest.raises(sends.SendRefused) as refused:
        _prepare(texts, template, data)
    assert [(e.line, e.column) for e in refused.value.errors] == [(3, "mobile"), (6, "mobile")]
    assert "UK mobile number" in refused.value.errors[0].message
    assert not CampaignSend.objects.exists()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"email,first_name\na@example.org,Ann\n", "no column called mobile"),
        (b"phone\n07700900001\n", "((first_name)): add that column"),
        (b"mobile,first_name\n", "no recipients"),
        (b"", "empty"),
    ],
)
def test_a_list_without_what_the_message_needs_is_refused(
    texts: Activity, template: SendTemplate, data: bytes, says: str
) -> None:
    with pytest.raises(sends.SendRefused) as refused:
        _prepare(texts, template, data)
    assert says in str(refused.value)


def test_the_preview_is_the_first_recipients_message_with_the_sends_link(
    texts: Activity, template: SendTemplate, notify: FakeNotify
) -> None:
    send = _prepare(texts, template)
    assert send.status == CampaignSend.Status.DRAFT and send.recipients == 3
    assert len(send.code) == 10 and send.code.isalnum() and send.code.islower()
    preview = sends.send_preview(send)
    assert preview.body == (
        f"Hi Ann, report a missed bin online: {SITE}/go/{texts.link.code}?s={send.code}"
    )
    assert preview.texts_each == 1
    assert not Delivery.objects.exists()  # nothing is sent, or kept in the database, yet


def test_a_send_makes_one_delivery_each_and_forgets_them_when_done(
    texts: Activity,
    template: SendTemplate,
    notify: FakeNotify,
    settings: Settings,
    django_capture_on_commit_callbacks: Any,
    django_assert_num_queries: Any,
) -> None:
    # A column the message does not use is not kept; the same number twice is sent once.
    data = b"mobile,first_name,notes\n07700 900001,Ann,private\n07700900002,Bob,\n"
    data += b"+44 7700 900003,Cai,\n07700 900 001,Ann again,\n"
    send = _prepare(texts, template, data)
    draft = Path(settings.MEDIA_ROOT) / "sends" / f"{send.code}.csv"
    assert draft.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert sends.send_start(send, None) == 3
    assert sends.send_start(send, None) == 0  # a second click starts nothing more
    assert not draft.exists()
    assert DBTaskResult.objects.filter(task_path__endswith="deliveries_send_task").exists()
    deliveries = list(Delivery.objects.filter(send=send).order_by("pk"))
    assert [d.address for d in deliveries] == ["+447700900001", "+447700900002", "+447700900003"]
    assert deliveries[0].personalisation == {"first_name": "Ann"}
    assert {d.purpose for d in deliveries} == {"campaign"}
    assert {d.priority for d in deliveries} == {Delivery.PRIORITY["campaign"]}
    claimed = list(Delivery.objects.filter(send=send).select_related("send"))
    with django_assert_num_queries(1):  # one read for the whole batch, not one per message
        assert len(sends.campaign_outgoing(claimed)) == 3
    tasks.deliveries_send_task.call()
    bodies = {b["phone_number"]: b for _, b in notify.requests}
    assert bodies["+447700900002"]["personalisation"]["body"] == (
        f"Hi Bob, report a missed bin online: {SITE}/go/{texts.link.code}?s={send.code}"
    )
    assert bodies["+447700900002"]["reference"] == f"campaign-{deliveries[1].pk}"
    send.refresh_from_db()
    assert send.status == CampaignSend.Status.DONE and send.completed_at is not None
    assert set(Delivery.objects.filter(send=send).values_list("address", "personalisation")) == {
        ("", None)
    }
    assert set(Delivery.objects.filter(send=send).values_list("status", flat=True)) == {"sent"}


def test_a_send_is_not_done_while_a_delivery_waits(
    texts: Activity, template: SendTemplate, notify: FakeNotify
) -> None:
    send = _prepare(texts, template)
    sends.send_start(send, None)
    notify.fail_next(429)
    tasks.deliveries_send_task.call()
    send.refresh_from_db()
    assert send.status == CampaignSend.Status.SENDING
    waiting = Delivery.objects.get(send=send, status="retry")
    assert waiting.address and waiting.personalisation  # still needed for the next try
    Delivery.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
    tasks.deliveries_send_task.call()
    send.refresh_from_db()
    assert send.status == CampaignSend.Status.DONE


def test_the_same_file_is_never_sent_twice_for_one_activity(
    org: Organisation,
    campaign: Campaign,
    texts: Activity,
    template: SendTemplate,
    notify: FakeNotify,
) -> None:
    first, second = _prepare(texts, template), _prepare(texts, template)
    sends.send_start(first, None)
    with pytest.raises(sends.SendRefused, match="sent for this activity already"):
        sends.send_start(second, None)
    with pytest.raises(sends.SendRefused, match="sent for this activity already"):
        _prepare(texts, template)
    other = activity_save(
        organisation=org,
        campaign=campaign,
        medium="text",
        place="Reminder",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
    )
    assert _prepare(other, template).recipients == 3  # another activity may use it


def test_a_draft_left_a_day_is_dropped_with_its_file(
    texts: Activity, template: SendTemplate, notify: FakeNotify, settings: Settings
) -> None:
    old = _prepare(texts, template)
    CampaignSend.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    _prepare(texts, template, LIST + b"07700900009,Dee\n")
    old.refresh_from_db()
    assert old.status == CampaignSend.Status.CANCELLED
    assert not (Path(settings.MEDIA_ROOT) / "sends" / f"{old.code}.csv").exists()


def test_letters_take_their_address_lines_to_notify(
    org: Organisation, campaign: Campaign, notify: FakeNotify, settings: Settings
) -> None:
    settings.TAKEUP_NOTIFY_LETTER_TEMPLATE = "letter-template"
    letters = activity_save(
        organisation=org,
        campaign=campaign,
        medium="letter",
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
    )
    template = SendTemplate.objects.create(
        organisation=org, name="Letter", channel="letter", subject="Bins", body="Go: ((link))"
    )
    data = b"address_line_1,address_line_2,postcode\nA Resident,1 High St,MB1 1AA\n"
    data += b"Flat 2,,MB1 1AB\n"  # one line and a postcode: Notify would refuse it
    with pytest.raises(sends.SendRefused) as refused:
        _prepare(letters, template, data)
    assert [e.line for e in refused.value.errors] == [3]
    send = _prepare(letters, template, data.rsplit(b"\n", 2)[0] + b"\n")
    sends.send_start(send, None)
    tasks.deliveries_send_task.call()
    [(path, body)] = notify.requests
    assert path == "/v2/notifications/letter"
    assert body["personalisation"] == {
        "address_line_1": "A Resident",
        "address_line_2": "1 High St",
        "postcode": "MB1 1AA",
        "subject": "Bins",
        "body": f"Go: {SITE}/go/{letters.link.code}?s={send.code}",
    }


def test_reach_and_response_by_send(
    texts: Activity, template: SendTemplate, notify: FakeNotify
) -> None:
    numbers = "\n".join(f"0770090{n:04d},P{n}" for n in range(12))
    send = _prepare(texts, template, f"mobile,first_name\n{numbers}\n".encode())
    sends.send_start(send, None)
    tasks.deliveries_send_task.call()
    delivered = list(Delivery.objects.filter(send=send).order_by("pk"))
    Delivery.objects.filter(pk__in=[d.pk for d in delivered[:10]]).update(status="delivered")
    Delivery.objects.filter(pk=delivered[10].pk).update(status="failed")
    day = timezone.localdate()
    org = texts.organisation_id
    Arrival.objects.create(
        organisation_id=org,
        link=texts.link,
        day=day,
        device="mobile",
        via="link",
        send=send.code,
        count=3,
    )
    Arrival.objects.create(
        organisation_id=org, link=texts.link, day=day, device="mobile", via="link", count=5
    )
    [row] = sends.sends_report(texts)
    assert (row.sent, row.delivered, row.failed, row.waiting, row.arrivals) == (12, 10, 1, 0, 3)
    assert row.share == pytest.approx(0.3)
    assert row.interval is not None and row.interval[0] < 0.3 < row.interval[1]
    assert row.share_text.startswith("30.0% (95% range 10.8% to")


def test_the_share_waits_for_ten_delivered(
    texts: Activity, template: SendTemplate, notify: FakeNotify
) -> None:
    send = _prepare(texts, template)
    sends.send_start(send, None)
    Delivery.objects.filter(send=send).update(status="delivered", sent_at=timezone.now())
    [row] = sends.sends_report(texts)
    assert row.delivered == 3 and row.share is None and row.share_text == "–"


# The pages


def test_an_editor_uploads_checks_and_sends_from_the_pages(
    editor_client: MemberClient,
    campaign: Campaign,
    texts: Activity,
    template: SendTemplate,
    notify: FakeNotify,
) -> None:
    org = campaign.organisation.slug
    page = editor_client.get(f"/o/{org}/campaigns/{campaign.pk}/")
    new = f"/o/{org}/campaigns/activities/{texts.pk}/send/"
    assert f'href="{new}"' in page.content.decode()
    assert "Nothing sent to a list yet." in page.content.decode()
    form = editor_client.get(new).content.decode()
    assert "Bins text" in form
    assert editor_client.get(f"/cy{new}").status_code == 200
    upload = editor_client.post(
        new, {"template": template.pk, "file": _file(b"mobile,first_name\n01632960000,Ann\n")}
    )
    assert upload.status_code == 200
    assert "Nothing was sent: fix the 1 problem" in upload.content.decode()
    response = editor_client.post(new, {"template": template.pk, "file": _file(LIST)})
    send = CampaignSend.objects.get()
    assert response["Location"] == f"/o/{org}/campaigns/sends/{send.code}/"
    preview = editor_client.get(response["Location"]).content.decode()
    assert "Hi Ann, report a missed bin online" in preview and "Send 3 messages" in preview
    started = editor_client.post(f"/o/{org}/campaigns/sends/{send.code}/start/", follow=True)
    assert "3 messages are on their way." in started.content.decode()
    tasks.deliveries_send_task.call()
    Client().get(f"/go/{texts.link.code}?s={send.code}", HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    shown = editor_client.get(f"/o/{org}/campaigns/{campaign.pk}/").content.decode()
    assert f"/o/{org}/campaigns/sends/{send.code}/" in shown
    detail = editor_client.get(f"/o/{org}/campaigns/sends/{send.code}/").content.decode()
    assert "Reach and response" in detail and "Shown once 10 messages are delivered" in detail


def test_viewers_see_sends_but_cannot_send(
    viewer_client: MemberClient, campaign: Campaign, texts: Activity, template: SendTemplate
) -> None:
    org = campaign.organisation.slug
    page = viewer_client.get(f"/o/{org}/campaigns/{campaign.pk}/").content.decode()
    assert "Nothing sent to a list yet." in page and "Send to a list" not in page
    assert viewer_client.get(f"/o/{org}/campaigns/activities/{texts.pk}/send/").status_code == 403
    send = _prepare(texts, template)
    assert viewer_client.post(f"/o/{org}/campaigns/sends/{send.code}/start/").status_code == 403
    assert not Delivery.objects.exists()


def test_another_organisations_send_is_not_found(
    other_org: Organisation, texts: Activity, template: SendTemplate
) -> None:
    send = _prepare(texts, template)
    user = User.objects.create_user(email="x@elsewhere.gov.uk", password="x")
    from tests.factories import MembershipFactory

    MembershipFactory.create(organisation=other_org, user=user, role="editor")
    client = Client()
    client.force_login(user)
    assert client.get(f"/o/{other_org.slug}/campaigns/sends/{send.code}/").status_code == 404


def _file(data: bytes) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("recipients.csv", data, content_type="text/csv")
