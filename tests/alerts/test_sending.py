"""Fan-out, the send loop and its failures, against a real SMTP server (aiosmtpd): one
delivery per subscriber and message, confirmations first, retries with back-off kept apart
from permanent failures, and a sweep that picks up what a stopped worker left."""

import itertools
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from django.utils import timezone
from pytest_django.fixtures import Settings

from takeup.alerts import services, tasks
from takeup.alerts.models import Delivery, Message, Subscriber, Subscription, Topic
from takeup.alerts.sending import RateLimiter, smtp_data
from takeup.organisations.models import Organisation


class Server:
    """Accepts mail, except for addresses told to fail at RCPT with a given reply."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.received.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings: Settings) -> Iterator[Server]:
    handler = Server()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.TAKEUP_ALERTS_PER_MINUTE = 0
    yield handler
    controller.stop()


def _subscribers(
    org: Organisation, topic: Topic, n: int, frequency: str = "immediately", prefix: str = "p"
) -> list[Subscriber]:
    people = Subscriber.objects.bulk_create(
        [
            Subscriber(organisation=org, channel="email", address=f"{prefix}{i}@example.org")
            for i in range(n)
        ]
    )
    Subscription.objects.bulk_create(
        [
            Subscription(
                organisation=org,
                subscriber=p,
                topic=topic,
                frequency=frequency,
                confirmed_at=timezone.now(),
            )
            for p in people
        ]
    )
    return people


def _message(org: Organisation, topics: list[Topic], subject: str = "News") -> Message:
    message = Message.objects.create(organisation=org, subject=subject, body="Body")
    message.topics.set(topics)
    return message


@pytest.mark.django_db
def test_fanout_in_batches_is_one_delivery_per_subscriber_and_a_repeat_adds_none(
    org: Organisation, topic: Topic, planning: Topic
) -> None:
    people = _subscribers(org, topic, 25)
    Subscription.objects.create(
        organisation=org,
        subscriber=people[0],
        topic=planning,
        frequency="immediately",
        confirmed_at=timezone.now(),
    )
    # Not reached: unconfirmed, ended, suppressed, daily.
    other = Subscriber.objects.create(organisation=org, channel="email", address="x@example.org")
    Subscription.objects.create(
        organisation=org, subscriber=other, topic=topic, frequency="immediately"
    )
    gone = _subscribers(org, planning, 1, prefix="gone")[0]
    Subscription.objects.filter(subscriber=gone).update(ended_at=timezone.now())
    blocked = _subscribers(org, topic, 1, prefix="blocked")[0]
    Subscriber.objects.filter(pk=blocked.pk).update(suppressed_at=timezone.now())
    _subscribers(org, topic, 2, frequency="daily", prefix="daily")
    message = _message(org, [topic, planning])
    batches: list[int] = []
    assert services.fanout("message", message.pk, batch=10, after=lambda: batches.append(1)) == 25
    assert len(batches) == 3
    # A crashed run carries on from its cursor; a full repeat adds nothing.
    Message.objects.filter(pk=message.pk).update(fanout_done_at=None, fanout_cursor=0)
    assert services.fanout("message", message.pk, batch=10) == 0
    assert Delivery.objects.filter(message=message).count() == 25


@pytest.mark.django_db
def test_sending_over_smtp_reaches_each_once_with_one_click_headers(
    smtp: Server, org: Organisation, topic: Topic
) -> None:
    _subscribers(org, topic, 5)
    message = _message(org, [topic])
    services.fanout("message", message.pk)
    counts = tasks.deliveries_send_task.call()
    assert counts["sent"] == 5
    assert sorted(e.rcpt_tos[0] for e in smtp.received) == [f"p{i}@example.org" for i in range(5)]
    raw = smtp.received[0].original_content or b""
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert tasks.deliveries_send_task.call()["sent"] == 0  # nothing twice


@pytest.mark.django_db
def test_a_refused_mailbox_fails_for_good_and_ends_its_subscriptions_a_busy_one_is_retried(
    smtp: Server, org: Organisation, topic: Topic
) -> None:
    _subscribers(org, topic, 3)
    smtp.refuse["p0@example.org"] = "550 5.1.1 No such user"
    smtp.refuse["p1@example.org"] = "451 4.3.0 Try again later"
    message = _message(org, [topic])
    services.fanout("message", message.pk)
    tasks.deliveries_send_task.call()
    failed = Delivery.objects.get(subscriber__address="p0@example.org")
    assert failed.status == "failed" and "550" in failed.error
    assert Subscriber.objects.get(address="p0@example.org").suppressed_reason == "bounce"
    assert Subscription.objects.get(subscriber__address="p0@example.org").ended_reason == "bounced"
    retry = Delivery.objects.get(subscriber__address="p1@example.org")
    assert retry.status == "retry" and retry.attempts == 1
    assert retry.next_attempt_at is not None and retry.next_attempt_at > timezone.now()
    # Not due yet: nothing is tried; once due, the retry goes, and the failure never does.
    assert tasks.deliveries_send_task.call()["sent"] == 0
    del smtp.refuse["p1@example.org"]
    del smtp.refuse["p0@example.org"]
    Delivery.objects.filter(pk=retry.pk).update(next_attempt_at=timezone.now())
    assert tasks.deliveries_send_task.call()["sent"] == 1
    assert [e.rcpt_tos[0] for e in smtp.received].count("p0@example.org") == 0
    assert [e.rcpt_tos[0] for e in smtp.received].count("p1@example.org") == 1


def test_retries_wait_longer_each_time_and_stop() -> None:
    now = timezone.now()
    waits = [services.retry_at(n, now) - now for n in range(1, 12)]
    assert waits[0] == timedelta(minutes=1)
    assert waits[1] == timedelta(minutes=2)
    assert all(a <= b for a, b in itertools.pairwise(waits))
    assert max(waits) == services.RETRY_MOST


@pytest.mark.django_db
def test_gives_up_after_the_last_attempt(smtp: Server, org: Organisation, topic: Topic) -> None:
    _subscribers(org, topic, 1)
    smtp.refuse["p0@example.org"] = "421 4.7.0 Busy"
    services.fanout("message", _message(org, [topic]).pk)
    Delivery.objects.update(attempts=services.MAX_ATTEMPTS - 1)
    tasks.deliveries_send_task.call()
    assert Delivery.objects.get().status == "gave-up"


@pytest.mark.django_db
def test_confirmations_are_claimed_before_a_bulk_send(org: Organisation, topic: Topic) -> None:
    _subscribers(org, topic, 30)
    services.fanout("message", _message(org, [topic]).pk)
    confirm = services.subscribe(
        organisation=org,
        channel="email",
        address="new@example.org",
        topics=[topic],
        frequency="daily",
    )
    first = services.claim("w", 1, timezone.now(), timedelta(minutes=5))
    assert first == [confirm.pk]


@pytest.mark.django_db
def test_a_claim_held_past_its_lease_is_taken_back_and_a_live_one_is_not(
    org: Organisation, topic: Topic
) -> None:
    _subscribers(org, topic, 2)
    services.fanout("message", _message(org, [topic]).pk)
    lease = timedelta(minutes=5)
    now = timezone.now()
    held = services.claim("dead", 2, now - lease - timedelta(seconds=1), lease)
    assert len(held) == 2
    Delivery.objects.filter(pk=held[1]).update(claimed_at=now)  # still being worked on
    assert services.claim("new", 10, now, lease) == [held[0]]


@pytest.mark.django_db
def test_the_sweep_restarts_a_stalled_fanout_and_queues_a_send(
    org: Organisation, topic: Topic
) -> None:
    from django_tasks_db.models import DBTaskResult

    _subscribers(org, topic, 3)
    message = _message(org, [topic])
    later = timezone.now() + timedelta(minutes=10)
    result = tasks.alerts_due(later)
    assert result["fanouts_restarted"] == 1
    assert (
        DBTaskResult.objects.filter(task_path=tasks.fanout_task.module_path, status="READY").count()
        == 1
    )
    services.fanout("message", message.pk)
    assert tasks.alerts_due(later + timedelta(minutes=5))["send_queued"] == 1
    # A send job already waiting is not queued again.
    tasks.alerts_due(later + timedelta(minutes=6))
    assert (
        DBTaskResult.objects.filter(
            task_path=tasks.deliveries_send_task.module_path, status="READY"
        ).count()
        == 1
    )


def test_dots_at_the_start_of_a_line_are_doubled_and_lines_end_in_crlf() -> None:
    assert smtp_data(b"Subject: x\n\n.hidden\nok\n") == b"Subject: x\r\n\r\n..hidden\r\nok\r\n"


def test_the_rate_limiter_spaces_sends_evenly() -> None:
    clock = [0.0]
    limiter = RateLimiter(600, clock=lambda: clock[0])
    limiter.wait()
    assert limiter.next_at == pytest.approx(0.1)
    limiter.slow_down(5)
    assert limiter.next_at == pytest.approx(5.0)


def test_the_email_built_for_smtp_reads_back_as_written() -> None:
    import email
    from email import policy

    from takeup.alerts.sending import Outgoing, mime_bytes

    body = "Line one\nCafé = ok, " + "x" * 100 + "\n.a line starting with a dot"
    raw = mime_bytes(
        Outgoing(
            1,
            "email",
            "a@example.org",
            "Newyddion: ŵyl y gaeaf",
            body,
            "message-1",
            "https://t.example/u/",
        )
    )
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "Newyddion: ŵyl y gaeaf"
    assert parsed["To"] == "a@example.org"
    assert parsed["Message-ID"] == "<message-1@takeup>"
    assert parsed["List-Unsubscribe"] == "<https://t.example/u/>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.get_content() == body + "\n" or parsed.get_content() == body
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
