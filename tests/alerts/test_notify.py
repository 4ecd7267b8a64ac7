"""The GOV.UK Notify backend against a local fake of Notify's API (tests/alerts/fake_notify.py):
what each send posts, which failures wait for another try and which are final, and the
delivery and complaint callbacks."""

import json
import logging
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import jwt
import pytest
from django.test import RequestFactory
from django.utils import timezone
from pytest_django.fixtures import Settings

from takeup.alerts import callbacks, services
from takeup.alerts.models import Delivery, Subscriber, Subscription, Topic
from takeup.alerts.notify import notify_sender
from takeup.alerts.sending import Outgoing
from takeup.organisations.models import Organisation
from tests.alerts.fake_notify import FakeNotify, running

pytestmark = pytest.mark.django_db
TOKEN = "callback-token-for-tests"
Status = Delivery.Status


@pytest.fixture
def notify(settings: Settings) -> Iterator[FakeNotify]:
    with running() as fake:
        settings.TAKEUP_NOTIFY_API_KEY = fake.api_key
        settings.TAKEUP_NOTIFY_BASE_URL = fake.url
        settings.TAKEUP_NOTIFY_EMAIL_TEMPLATE = "email-template"
        settings.TAKEUP_NOTIFY_SMS_TEMPLATE = "sms-template"
        settings.TAKEUP_NOTIFY_LETTER_TEMPLATE = "letter-template"
        settings.TAKEUP_NOTIFY_CALLBACK_TOKEN = TOKEN
        yield fake


def _delivery(org: Organisation, topic: Topic, address: str, channel: str = "email") -> Delivery:
    subscriber = Subscriber.objects.create(organisation=org, channel=channel, address=address)
    Subscription.objects.create(
        organisation=org,
        subscriber=subscriber,
        topic=topic,
        frequency="immediately",
        confirmed_at=timezone.now(),
    )
    return Delivery.objects.create(
        organisation=org, purpose="message", channel=channel, subscriber=subscriber
    )


def _outgoing(ids: list[int]) -> tuple[list[Outgoing], list[int]]:
    # The message itself is content.py's business; here each says who it is for.
    items = []
    for d in Delivery.objects.filter(pk__in=ids).select_related("subscriber").order_by("pk"):
        address = d.subscriber.address if d.subscriber else ""
        items.append(
            Outgoing(
                d.pk,
                d.channel,
                address or "",
                "New job",
                f"Hello {address}",
                f"message-{d.pk}",
                unsubscribe_url=f"https://takeup.example/u/{d.pk}/",
                personalisation=d.personalisation,
            )
        )
    return items, []


def _send() -> dict[str, int]:
    return services.deliveries_send(
        outgoing=_outgoing,
        sender_for=lambda channel: notify_sender(),
        per_minute=6000,
        lease=timedelta(minutes=5),
    )


def _due_now(*deliveries: Delivery) -> None:
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(next_attempt_at=None)


def test_an_email_goes_to_notify_signed_with_the_key_and_carries_the_unsubscribe_address(
    notify: FakeNotify, org: Organisation, topic: Topic
) -> None:
    delivery = _delivery(org, topic, "resident@example.org")
    assert _send()["sent"] == 1
    path, body = notify.requests[0]
    assert path == "/v2/notifications/email"
    assert body == {
        "email_address": "resident@example.org",
        "template_id": "email-template",
        "personalisation": {"subject": "New job", "body": "Hello resident@example.org"},
        "reference": f"message-{delivery.pk}",
        "one_click_unsubscribe_url": f"https://takeup.example/u/{delivery.pk}/",
    }
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 1
    assert delivery.reference in notify.notifications  # Notify's id, for its callbacks


def test_texts_and_letters_use_their_own_templates_and_the_letter_its_address(
    notify: FakeNotify, org: Organisation, topic: Topic
) -> None:
    _delivery(org, topic, "07700 900123", "sms")
    letter = Delivery.objects.create(
        organisation=org,
        purpose="campaign",
        channel="letter",
        personalisation={
            "address_line_1": "A Resident",
            "address_line_2": "1 High Street",
            "address_line_3": "Millbrook",
            "postcode": "MB1 1AA",
            "first_name": "Ann",
        },
    )
    sent = services.deliveries_send(
        outgoing=lambda ids: (
            [
                *_outgoing([i for i in ids if i != letter.pk])[0],
                Outgoing(
                    letter.pk,
                    "letter",
                    "",
                    "Bins",
                    "Hello Ann",
                    f"campaign-{letter.pk}",
                    personalisation=letter.personalisation,
                ),
            ],
            [],
        ),
        sender_for=lambda channel: notify_sender(),
        per_minute=6000,
        lease=timedelta(minutes=5),
    )
    assert sent["sent"] == 2
    by_path = dict(notify.requests)
    assert by_path["/v2/notifications/sms"]["template_id"] == "sms-template"
    assert by_path["/v2/notifications/sms"]["phone_number"] == "07700 900123"
    assert by_path["/v2/notifications/letter"] == {
        "template_id": "letter-template",
        "personalisation": {
            "address_line_1": "A Resident",
            "address_line_2": "1 High Street",
            "address_line_3": "Millbrook",
            "postcode": "MB1 1AA",
            "subject": "Bins",
            "body": "Hello Ann",
        },
        "reference": f"campaign-{letter.pk}",
    }


def test_429_waits_for_another_try_and_slows_the_sender(
    notify: FakeNotify,
    org: Organisation,
    topic: Topic,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slept: list[float] = []
    monkeypatch.setattr("takeup.alerts.sending.time.sleep", slept.append)
    first = _delivery(org, topic, "one@example.org")
    second = _delivery(org, topic, "two@example.org")
    notify.fail_next(429)
    counts = _send()
    assert counts["retry"] == 1 and counts["sent"] == 1
    first.refresh_from_db()
    assert first.status == Status.RETRY and first.attempts == 1
    assert first.error.startswith("429 RateLimitError: Exceeded rate limit")
    assert first.next_attempt_at is not None and first.sent_at is None
    assert slept and max(slept) > 4  # the next send waited about five seconds
    assert Delivery.objects.get(pk=second.pk).status == Status.SENT
    _due_now(first)
    notify.fail_next(429, error="TooManyRequestsError", message="Exceeded send limits (250000)")
    _send()
    first.refresh_from_db()
    assert first.status == Status.RETRY and first.attempts == 2
    _due_now(first)
    _send()
    first.refresh_from_db()
    assert first.status == Status.SENT and first.attempts == 3
    assert len(notify.notifications) == 2  # each person got one message


def test_400_for_a_bad_number_fails_for_good_and_stops_the_address(
    notify: FakeNotify, org: Organisation, topic: Topic
) -> None:
    delivery = _delivery(org, topic, "01632 960000", "sms")  # a landline
    assert _send()["failed"] == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED and delivery.finished_at is not None
    assert delivery.error == "400 ValidationError: phone_number Not a UK mobile number"
    assert Subscription.objects.get().ended_reason == Subscription.Ended.BOUNCED
    _due_now(delivery)
    assert _send() == {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    assert len(notify.requests) == 1  # never tried again


def test_400_about_the_message_fails_without_stopping_the_address(
    notify: FakeNotify, org: Organisation, topic: Topic
) -> None:
    delivery = _delivery(org, topic, "resident@example.org")
    notify.fail_next(400)  # "Can't send to this recipient using a team-only API key"
    _send()
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert "team-only API key" in delivery.error
    assert Subscription.objects.get().ended_at is None
    assert Subscriber.objects.get().suppressed_at is None


def test_a_wrong_key_keeps_the_delivery_waiting_and_logs_an_error(
    notify: FakeNotify,
    org: Organisation,
    topic: Topic,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The right service, the wrong secret: Notify's check of the JWT refuses it.
    settings.TAKEUP_NOTIFY_API_KEY = (
        f"takeup_test-{notify.service_id}-{'0' * 8}-0000-0000-0000-{'0' * 12}"
    )
    delivery = _delivery(org, topic, "resident@example.org")
    with caplog.at_level(logging.ERROR, logger="takeup.alerts.notify"):
        assert _send()["retry"] == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.RETRY and delivery.sent_at is None
    assert delivery.error.startswith("403 AuthError: Invalid token")
    assert "Notify refused the API key" in caplog.text
    assert not notify.requests  # refused before the request was read


def test_500_and_an_unreachable_notify_wait_for_another_try(
    notify: FakeNotify, org: Organisation, topic: Topic, settings: Settings
) -> None:
    delivery = _delivery(org, topic, "resident@example.org")
    notify.fail_next(500)
    _send()
    delivery.refresh_from_db()
    assert delivery.status == Status.RETRY
    assert delivery.error == "500 Exception: Internal server error"
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.TAKEUP_NOTIFY_BASE_URL = f"http://127.0.0.1:{port}"
    _due_now(delivery)
    _send()
    delivery.refresh_from_db()
    assert delivery.status == Status.RETRY and delivery.attempts == 2
    settings.TAKEUP_NOTIFY_BASE_URL = notify.url
    _due_now(delivery)
    _send()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and len(notify.notifications) == 1


def test_the_fake_checks_the_token_it_is_sent(notify: FakeNotify) -> None:
    """The fake refuses what Notify refuses, so the 403 test above can fail."""
    stale = jwt.encode({"iss": notify.service_id, "iat": 0}, notify.secret, algorithm="HS256")
    assert notify.answer("/v2/notifications/email", f"Bearer {stale}", b"{}")[0] == 403
    other = jwt.encode({"iss": "someone-else", "iat": 2e9}, notify.secret, algorithm="HS256")
    assert notify.answer("/v2/notifications/email", f"Bearer {other}", b"{}")[0] == 403
    assert notify.answer("/v2/notifications/email", "", b"{}")[0] == 403


# Callbacks


def _callback(body: Any, token: str = TOKEN, raw: bytes | None = None) -> tuple[int, Any]:
    request = RequestFactory().post(
        "/alerts/notify/callback",
        raw if raw is not None else json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )
    response = callbacks.notify_callback(request)
    return response.status_code, json.loads(response.content)


def _sent(notify: FakeNotify, org: Organisation, topic: Topic, address: str) -> Delivery:
    delivery = _delivery(org, topic, address)
    _send()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    return delivery


def test_a_delivery_receipt_marks_the_delivery_delivered_once(
    notify: FakeNotify, org: Organisation, topic: Topic
) -> None:
    delivery = _sent(notify, org, topic, "resident@example.org")
    receipt = notify.receipt(delivery.reference, "delivered")
    assert _callback(receipt) == (200, {"changed": True})
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and delivery.finished_at is not None
    finished = delivery.finished_at
    assert _callback(receipt) == (200, {"changed": False})  # Notify sent it again
    assert _callback(notify.receipt(delivery.reference, "permanent-failure"))[0] == 200
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and delivery.finished_at == finished


def test_a_receipt_without_our_reference_is_found_by_notifys_id(
    notify: FakeNotify, org: Organisation, topic: Topic
) -> None:
    delivery = _sent(notify, org, topic, "resident@example.org")
    receipt = notify.receipt(delivery.reference, "temporary-failure") | {"reference": None}
    assert _callback(receipt) == (200, {"changed": True})
    delivery.refresh_from_db()
    assert delivery.status == Status.GAVE_UP and delivery.error == "Notify: temporary-failure"
    assert Subscriber.objects.get().suppressed_at is None  # the inbox was full, that is all


def test_a_permanent_failure_stops_the_address(
    notify: FakeNotify, org: Organisation, topic: Topic
) -> None:
    delivery = _sent(notify, org, topic, "gone@example.org")
    waiting = Delivery.objects.create(
        organisation=org, purpose="digest", channel="email", subscriber=delivery.subscriber
    )
    assert _callback(notify.receipt(delivery.reference, "permanent-failure"))[0] == 200
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    subscriber = Subscriber.objects.get()
    assert subscriber.suppressed_reason == "bounce"
    assert Subscription.objects.get().ended_reason == Subscription.Ended.BOUNCED
    assert Delivery.objects.get(pk=waiting.pk).status == Status.SKIPPED


def test_a_complaint_stops_the_address_and_a_repeat_changes_nothing(
    notify: FakeNotify, org: Organisation, topic: Topic
) -> None:
    delivery = _sent(notify, org, topic, "cross@example.org")
    complaint = notify.complaint(delivery.reference)
    assert _callback(complaint) == (200, {"changed": True})
    subscriber = Subscriber.objects.get()
    assert subscriber.suppressed_reason == "complaint"
    assert Subscription.objects.get().ended_reason == Subscription.Ended.COMPLAINED
    assert _callback(complaint) == (200, {"changed": False})
    assert Subscriber.objects.get().suppressed_at == subscriber.suppressed_at


def test_callbacks_need_the_token(notify: FakeNotify, settings: Settings) -> None:
    body = {"id": "x", "reference": "message-1", "status": "delivered"}
    assert _callback(body, token="wrong")[0] == 401
    assert _callback(body, token="")[0] == 401
    settings.TAKEUP_NOTIFY_CALLBACK_TOKEN = ""  # none set: none accepted
    assert _callback(body, token="")[0] == 401


def test_unknown_and_unreadable_callbacks(notify: FakeNotify) -> None:
    unknown = {"id": "0d8f", "reference": "message-999999", "status": "delivered"}
    assert _callback(unknown) == (200, {"changed": False})  # Notify must not retry it
    status, answer = _callback(None, raw=b"{not json")
    assert status == 400 and answer == {"error": "The body is not JSON."}
    assert _callback(["a", "list"])[0] == 400
    assert _callback({"id": "x"})[0] == 400
    response = callbacks.notify_callback(RequestFactory().get("/alerts/notify/callback"))
    assert response.status_code == 405
