"""Sign-up, double opt-in, the manage page and one-click unsubscribe, as a resident meets
them: through the pages and the emails, with the worker's send run in between."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from takeup.alerts import services, tasks, tokens
from takeup.alerts.models import Delivery, Message, Subscriber, Subscription, Topic
from takeup.organisations.models import Organisation


def _send() -> None:
    """What the worker does next: fan out new messages, then send what is due."""
    for pk in Message.objects.filter(fanout_done_at=None).values_list("pk", flat=True):
        tasks.fanout_task.call("message", pk)
    tasks.deliveries_send_task.call()


def _link(body: object, kind: str) -> str:
    body = str(body)
    found = re.search(rf"http://[^\s]+/alerts/{kind}/[^\s]+/", body)
    assert found, body
    return found.group(0).split("8000", 1)[1] if "8000" in found.group(0) else found.group(0)


def _sign_up(client: Client, org: Organisation, **data: str | list[str]) -> int:
    form = {"topics": ["jobs"], "frequency": "immediately", "address": "Resident@Example.org"}
    form.update(data)
    return client.post(f"/alerts/{org.slug}/", form).status_code


@pytest.mark.django_db
def test_sign_up_sends_a_confirmation_that_says_what_comes_and_starts_nothing_until_opened(
    client: Client, org: Organisation, topic: Topic
) -> None:
    assert _sign_up(client, org) == 200
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None
    assert subscription.subscriber.address == "resident@example.org"
    _send()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["resident@example.org"]
    assert "Every new job we advertise, usually 5 to 10 a week." in email.body
    assert "as soon as we publish" in email.body
    # Nothing is sent to an unconfirmed subscriber.
    services.message_create(organisation=org, topics=[topic], subject="A job", body="Apply now")
    _send()
    assert len(mail.outbox) == 1

    page = client.get(_link(email.body, "confirm"))
    assert page.status_code == 200
    assert "Every new job we advertise" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None


@pytest.mark.django_db
def test_a_confirmed_subscriber_gets_each_message_once_with_one_click_headers(
    client: Client, org: Organisation, topic: Topic, planning: Topic
) -> None:
    _sign_up(client, org, topics=["jobs", "planning"])
    _send()
    client.get(_link(mail.outbox[0].body, "confirm"))
    message = services.message_create(
        organisation=org, topics=[topic, planning], subject="Planner wanted", body="Apply by Friday"
    )
    tasks.fanout_task.call("message", message.pk)
    tasks.fanout_task.call("message", message.pk)  # a repeat adds nothing
    _send()
    alerts = [m for m in mail.outbox if m.subject == "Planner wanted"]
    assert len(alerts) == 1
    assert Delivery.objects.filter(message=message).count() == 1
    headers = alerts[0].extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<http://[^>]+/alerts/unsubscribe/[^>]+/>", headers["List-Unsubscribe"])
    assert "Unsubscribe: http" in alerts[0].body


@pytest.mark.django_db
def test_one_click_unsubscribe_as_a_mail_provider_sends_it(
    client: Client, org: Organisation, topic: Topic
) -> None:
    _sign_up(client, org)
    _send()
    client.get(_link(mail.outbox[0].body, "confirm"))
    services.message_create(organisation=org, topics=[topic], subject="A job", body="Apply")
    _send()
    url = mail.outbox[-1].extra_headers["List-Unsubscribe"].strip("<>").split("8000", 1)[1]
    # RFC 8058: a POST with this body, no cookies, no CSRF token.
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(
        url,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.ended_at is not None
    assert subscription.ended_reason == Subscription.Ended.ONE_CLICK
    # Ended, never deleted; and nothing more is sent.
    services.message_create(organisation=org, topics=[topic], subject="Another job", body="x")
    _send()
    assert not [m for m in mail.outbox if m.subject == "Another job"]


@pytest.mark.django_db
def test_the_visible_link_ends_it_in_one_click_but_a_link_scanner_does_not(
    client: Client, org: Organisation, topic: Topic
) -> None:
    subscriber = Subscriber.objects.create(
        organisation=org, channel="email", address="a@example.org"
    )
    sub = Subscription.objects.create(
        organisation=org,
        subscriber=subscriber,
        topic=topic,
        frequency="daily",
        confirmed_at=timezone.now(),
    )
    url = f"/alerts/unsubscribe/{tokens.unsubscribe_token(subscriber.pk, [topic.pk])}/"
    scanner = client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (compatible; SafeLinks scanner)")
    assert scanner.status_code == 200
    sub.refresh_from_db()
    assert sub.ended_at is None
    person = client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)")
    assert "You are unsubscribed" in person.content.decode()
    sub.refresh_from_db()
    assert sub.ended_reason == Subscription.Ended.UNSUBSCRIBED
    assert client.get("/alerts/unsubscribe/forged:token/").status_code == 404


@pytest.mark.django_db
def test_the_manage_page_changes_frequency_as_a_new_subscription_and_ends_without_deleting(
    client: Client, org: Organisation, topic: Topic, planning: Topic
) -> None:
    subscriber = Subscriber.objects.create(
        organisation=org, channel="email", address="a@example.org"
    )
    now = timezone.now()
    jobs = Subscription.objects.create(
        organisation=org,
        subscriber=subscriber,
        topic=topic,
        frequency="immediately",
        confirmed_at=now,
    )
    plans = Subscription.objects.create(
        organisation=org,
        subscriber=subscriber,
        topic=planning,
        frequency="immediately",
        confirmed_at=now,
    )
    url = f"/alerts/manage/{tokens.manage_token(subscriber.pk)}/"
    assert "a…@example.org" in client.get(url).content.decode()
    client.post(url, {"action": f"frequency:{jobs.pk}", f"frequency-{jobs.pk}": "weekly"})
    jobs.refresh_from_db()
    assert jobs.ended_reason == Subscription.Ended.CHANGED
    assert Subscription.objects.get(topic=topic, ended_at__isnull=True).frequency == "weekly"
    client.post(url, {"action": f"end:{plans.pk}"})
    plans.refresh_from_db()
    assert plans.ended_reason == Subscription.Ended.UNSUBSCRIBED
    assert Subscription.objects.filter(subscriber=subscriber).count() == 3
    # A tampered token is refused.
    assert client.get(url.replace("/manage/", "/manage/x")).status_code == 410


@pytest.mark.django_db
def test_bad_sign_ups_say_what_to_fix_and_save_nothing(
    client: Client, org: Organisation, topic: Topic
) -> None:
    response = client.post(
        f"/alerts/{org.slug}/", {"frequency": "daily", "address": "not-an-address"}
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "Choose at least one topic" in text
    assert "Enter an email address in the right form" in text
    assert not Subscriber.objects.exists()
    assert (
        client.post(
            f"/alerts/{org.slug}/", {"topics": ["nope"], "frequency": "daily", "address": "a@b.org"}
        ).status_code
        == 400
    )
    assert client.get("/alerts/no-such-council/").status_code == 404


@pytest.mark.django_db
def test_an_address_already_subscribed_is_told_so_and_the_page_does_not_say(
    client: Client, org: Organisation, topic: Topic
) -> None:
    _sign_up(client, org)
    _send()
    client.get(_link(mail.outbox[0].body, "confirm"))
    first = client.post(
        f"/alerts/{org.slug}/",
        {"topics": ["jobs"], "frequency": "immediately", "address": "x@example.org"},
    )
    again = client.post(
        f"/alerts/{org.slug}/",
        {"topics": ["jobs"], "frequency": "immediately", "address": "resident@example.org"},
    )
    assert first.status_code == again.status_code == 200
    _send()
    told = [m for m in mail.outbox if m.to == ["resident@example.org"]][-1]
    assert "already get" in told.body
    assert Subscription.objects.filter(subscriber__address="resident@example.org").count() == 1


@pytest.mark.django_db
def test_unconfirmed_requests_end_after_7_days_and_addresses_are_nulled_28_days_after(
    org: Organisation, topic: Topic
) -> None:
    start = timezone.now()
    services.subscribe(
        organisation=org,
        channel="email",
        address="a@example.org",
        topics=[topic],
        frequency="daily",
        now=start,
    )
    expired, nulled = services.tidy(start + services.CONFIRM_WITHIN + services.RETRY_FIRST)
    assert (expired, nulled) == (1, 0)
    sub = Subscription.objects.get()
    assert sub.ended_reason == Subscription.Ended.NOT_CONFIRMED
    assert sub.ended_at is not None
    assert services.tidy(sub.ended_at + services.NULL_AFTER - services.RETRY_FIRST) == (0, 0)
    assert services.tidy(sub.ended_at + services.NULL_AFTER + services.RETRY_FIRST) == (0, 1)
    subscriber = Subscriber.objects.get()
    assert subscriber.address is None and subscriber.nulled_at is not None
    assert Subscription.objects.count() == 1  # the history stays


@pytest.mark.django_db
def test_welsh_sign_up_gets_welsh_topics_and_a_welsh_link(
    client: Client, org: Organisation, topic: Topic
) -> None:
    page = client.get(f"/cy/alerts/{org.slug}/")
    assert "Swyddi" in page.content.decode()
    client.post(
        f"/cy/alerts/{org.slug}/",
        {"topics": ["jobs"], "frequency": "daily", "address": "a@example.org"},
    )
    _send()
    assert "/cy/alerts/confirm/" in mail.outbox[0].body
    assert "Pob swydd newydd" in mail.outbox[0].body


@pytest.mark.django_db
def test_an_old_unsubscribe_link_still_stops_a_topic_after_a_change_of_frequency(
    client: Client, org: Organisation, topic: Topic
) -> None:
    subscriber = Subscriber.objects.create(
        organisation=org, channel="email", address="a@example.org"
    )
    first = Subscription.objects.create(
        organisation=org,
        subscriber=subscriber,
        topic=topic,
        frequency="immediately",
        confirmed_at=timezone.now(),
    )
    url = f"/alerts/unsubscribe/{tokens.unsubscribe_token(subscriber.pk, [topic.pk])}/"
    weekly = services.frequency_change(first, "weekly")
    client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    weekly.refresh_from_db()
    assert weekly.ended_reason == Subscription.Ended.ONE_CLICK
    assert not Subscription.objects.filter(subscriber=subscriber, ended_at__isnull=True).exists()
