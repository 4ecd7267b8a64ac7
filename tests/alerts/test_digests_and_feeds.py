"""Digests at 08:30 London time (daily, and Saturdays), built from the messages since the last
one; and feeds that make each new item a message once, however the feed reorders or re-dates."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from takeup.alerts import feeds, schedule, services, tasks
from takeup.alerts.models import Delivery, Digest, Message, Subscriber, Subscription, Topic
from takeup.organisations.models import Organisation

LONDON = ZoneInfo("Europe/London")


def london(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    ("now", "frequency", "slot"),
    [
        ("2026-03-27 08:29", "daily", "2026-03-26 08:30"),
        ("2026-03-27 08:30", "daily", "2026-03-27 08:30"),
        # The clocks go forward on 29 March 2026: 08:30 is still 08:30 London time.
        ("2026-03-29 08:31", "daily", "2026-03-29 08:30"),
        ("2026-10-25 09:00", "daily", "2026-10-25 08:30"),
        ("2026-11-28 08:31", "weekly", "2026-11-28 08:30"),  # a Saturday
        ("2026-11-28 08:29", "weekly", "2026-11-21 08:30"),
        ("2026-12-01 12:00", "weekly", "2026-11-28 08:30"),
    ],
)
def test_digest_times_are_0830_london_time_daily_and_on_saturdays(
    now: str, frequency: str, slot: str
) -> None:
    assert schedule.digest_slot(london(now), frequency) == london(slot)


def test_the_daily_slot_across_the_clock_change_is_23_hours_of_real_time() -> None:
    after = london("2026-03-29 08:30")
    before = schedule.slot_before(after, "daily")
    # (Subtracting two London times would give wall-clock hours; in UTC it is real time.)
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=23)


def test_a_digest_missed_by_more_than_12_hours_waits_for_the_next() -> None:
    assert schedule.slot_due(london("2026-03-27 20:00"), "daily") == london("2026-03-27 08:30")
    assert schedule.slot_due(london("2026-03-28 08:00"), "daily") is None


@pytest.mark.django_db
def test_a_daily_digest_gathers_the_days_messages_once(
    org: Organisation, topic: Topic, planning: Topic
) -> None:
    person = Subscriber.objects.create(organisation=org, channel="email", address="d@example.org")
    for t in (topic, planning):
        Subscription.objects.create(
            organisation=org,
            subscriber=person,
            topic=t,
            frequency="daily",
            confirmed_at=london("2026-11-01 10:00"),
        )
    for subject, at, topics in [
        ("Yesterday's job", "2026-11-29 12:00", [topic]),
        ("Today's plan", "2026-11-30 07:00", [planning]),
        ("Too late", "2026-11-30 09:00", [topic]),
    ]:
        m = Message.objects.create(
            organisation=org, subject=subject, body="text", created_at=london(at)
        )
        m.topics.set(topics)
        Message.objects.filter(pk=m.pk).update(fanout_done_at=london(at))
    Digest.objects.create(
        organisation=org,
        frequency="daily",
        starts_at=london("2026-11-28 08:30"),
        ends_at=london("2026-11-29 08:30"),
    )
    now = london("2026-11-30 08:31")
    assert tasks.alerts_due(now)["digests"] == 1
    assert tasks.alerts_due(now + timedelta(minutes=5))["digests"] == 0
    digest = Digest.objects.get(ends_at=london("2026-11-30 08:30"))
    assert digest.starts_at == london("2026-11-29 08:30")  # where the last one ended
    services.fanout("digest", digest.pk)
    services.fanout("digest", digest.pk)
    assert Delivery.objects.filter(digest=digest).count() == 1
    tasks.deliveries_send_task.call()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Yesterday's job" in body and "Today's plan" in body and "Too late" not in body
    assert "daily alerts, 30 November 2026" in mail.outbox[0].subject
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.django_db
def test_no_digest_goes_to_someone_with_nothing_new(
    org: Organisation, topic: Topic, planning: Topic
) -> None:
    person = Subscriber.objects.create(organisation=org, channel="email", address="w@example.org")
    Subscription.objects.create(
        organisation=org,
        subscriber=person,
        topic=planning,
        frequency="weekly",
        confirmed_at=timezone.now(),
    )
    m = Message.objects.create(
        organisation=org, subject="Jobs only", body="x", created_at=london("2026-11-25 10:00")
    )
    m.topics.set([topic])
    tasks.alerts_due(london("2026-11-28 08:31"))
    digest = Digest.objects.get(frequency="weekly")
    assert services.fanout("digest", digest.pk) == 0


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Jobs</title>
{items}
</channel></rss>"""
ITEM = (
    "<item><guid>{guid}</guid><title>{title}</title>"
    "<link>https://www.millbrook.gov.uk/jobs/{guid}</link>"
    "<description>&lt;p&gt;{title} &amp;amp; more&lt;/p&gt;</description>"
    "<pubDate>{date}</pubDate></item>"
)


def rss(*items: tuple[str, str, str]) -> bytes:
    return RSS.format(
        items="\n".join(ITEM.format(guid=g, title=t, date=d) for g, t, d in items)
    ).encode()


@pytest.mark.django_db
def test_a_feed_makes_each_new_item_a_message_once_however_it_is_reordered_or_redated(
    org: Organisation, topic: Topic
) -> None:
    old = [
        ("j1", "Clerk", "Mon, 23 Nov 2026 09:00:00 GMT"),
        ("j2", "Driver", "Tue, 24 Nov 2026 09:00:00 GMT"),
    ]
    assert feeds.feed_poll(topic, rss(*old)) == 0  # the first read notes what is there
    assert not Message.objects.exists()
    new = ("j3", "Planner", "Wed, 25 Nov 2026 09:00:00 GMT")
    redated = [
        ("j2", "Driver", "Sun, 29 Nov 2026 09:00:00 GMT"),
        ("j1", "Clerk", "Mon, 30 Nov 2026 09:00:00 GMT"),
    ]
    assert feeds.feed_poll(topic, rss(new, *redated)) == 1
    assert feeds.feed_poll(topic, rss(*reversed([new, *redated]))) == 0
    message = Message.objects.get()
    assert message.subject == "Planner"
    assert message.body == "Planner & more"
    assert message.url == "https://www.millbrook.gov.uk/jobs/j3"
    assert message.source == "feed"


def test_atom_items_are_keyed_by_their_id() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>
    <entry><id>tag:millbrook,2026:1</id><title>Bins on Boxing Day</title>
    <updated>2026-11-30T10:00:00Z</updated><link href="https://www.millbrook.gov.uk/news/1"/>
    <summary>Collections move a day.</summary></entry></feed>"""
    items = feeds.items_of(atom)
    assert [(i.title, i.link) for i in items] == [
        ("Bins on Boxing Day", "https://www.millbrook.gov.uk/news/1")
    ]
    moved = atom.replace(b"2026-11-30T10:00:00Z", b"2026-12-01T10:00:00Z")
    assert feeds.items_of(moved)[0].key == items[0].key


@pytest.mark.django_db
def test_a_broken_feed_is_noted_on_the_topic_and_makes_nothing(
    org: Organisation, topic: Topic
) -> None:
    assert feeds.feed_poll(topic, b"<html>not a feed") == 0
    topic.refresh_from_db()
    assert topic.feed_error.startswith("not an RSS or Atom feed")
