"""Staff pages for alerts and the API: topics, writing a message, its progress, the take-up
figures; who may do what; and bad input answered field by field with nothing saved."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from takeup.alerts import services
from takeup.alerts.models import Message, Subscriber, Subscription, Topic
from takeup.alerts.reports import take_up
from takeup.organisations.models import Organisation
from tests.conftest import MemberClient


@pytest.mark.django_db
def test_an_editor_adds_a_topic_and_writes_a_message(
    editor_client: MemberClient, org: Organisation
) -> None:
    base = f"/o/{org.slug}/alerts/"
    response = editor_client.post(
        base + "topics/new/",
        {
            "name": "Bin collections",
            "kind": "bin-collections",
            "promise": "Changes to collection days, a few a year.",
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get()
    assert topic.slug == "bin-collections"
    response = editor_client.post(
        base + "messages/new/",
        {"topics": ["bin-collections"], "subject": "Boxing Day", "body": "Collections move a day."},
    )
    message = Message.objects.get()
    assert response["Location"] == f"{base}messages/{message.pk}/"
    page = editor_client.get(response["Location"]).content.decode()
    assert "Boxing Day" in page
    index = editor_client.get(base).content.decode()
    assert "Bin collections" in index and "Boxing Day" in index


@pytest.mark.django_db
def test_a_viewer_sees_alerts_but_cannot_write(
    viewer_client: MemberClient, org: Organisation, topic: Topic
) -> None:
    base = f"/o/{org.slug}/alerts/"
    assert viewer_client.get(base).status_code == 200
    assert "Write a message" not in viewer_client.get(base).content.decode()
    assert viewer_client.get(base + "messages/new/").status_code == 403
    assert (
        viewer_client.post(
            base + "topics/new/", {"name": "x", "kind": "news", "promise": "x"}
        ).status_code
        == 403
    )
    assert Topic.objects.count() == 1


@pytest.mark.django_db
def test_a_message_without_a_topic_or_subject_says_what_to_fix(
    editor_client: MemberClient, org: Organisation, topic: Topic
) -> None:
    response = editor_client.post(f"/o/{org.slug}/alerts/messages/new/", {"body": "x"})
    text = response.content.decode()
    assert "Choose at least one topic" in text and "Enter “Subject”." in text
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_take_up_counts_live_subscribers_confirmation_and_reasons(
    org: Organisation, topic: Topic
) -> None:
    signed = datetime(2026, 10, 5, 9, tzinfo=UTC)
    for i in range(12):
        person = Subscriber.objects.create(
            organisation=org, channel="email", address=f"t{i}@example.org"
        )
        sub = Subscription.objects.create(
            organisation=org, subscriber=person, topic=topic, frequency="daily", created_at=signed
        )
        if i < 9:
            Subscription.objects.filter(pk=sub.pk).update(confirmed_at=signed + timedelta(hours=1))
    ended = Subscription.objects.filter(confirmed_at__isnull=False).first()
    assert ended is not None
    services.end([ended], Subscription.Ended.ONE_CLICK, now=datetime(2026, 11, 20, tzinfo=UTC))
    page = take_up(org, today=date(2026, 12, 1))
    assert page.months[-1] == "2026-11"  # whole months: December has only begun
    assert page.by_topic[0][1][-3:] == [0, 9, 8]  # end of September, October, November
    assert page.confirmed.k == 9 and page.confirmed.n == 12
    assert page.reasons == [("Unsubscribed from their email program", 1)]
    assert page.chart is not None


@pytest.mark.django_db
def test_the_api_lists_topics_and_posts_a_message(
    api_client: Client, org: Organisation, topic: Topic
) -> None:
    topics = api_client.get("/api/alerts/topics").json()
    assert topics[0]["slug"] == "jobs" and topics[0]["subscribers"] == 0
    response = api_client.post(
        "/api/alerts/messages",
        json.dumps(
            {
                "topics": ["jobs"],
                "subject": "Planner",
                "body": "Apply",
                "url": "https://www.millbrook.gov.uk/jobs/1",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["topics"] == ["jobs"]
    assert Message.objects.get().source == "api"
    assert api_client.get(f"/api/alerts/messages/{body['id']}").json()["subject"] == "Planner"
    assert api_client.get("/api/alerts/messages/999999").status_code == 404


@pytest.mark.django_db
def test_the_api_names_each_bad_field_and_saves_nothing(
    api_client: Client, org: Organisation, other_org: Organisation, topic: Topic
) -> None:
    Topic.objects.create(
        organisation=other_org, slug="theirs", kind="news", name="Theirs", promise="x"
    )
    response = api_client.post(
        "/api/alerts/messages",
        json.dumps(
            {
                "topics": ["jobs", "theirs"],
                "subject": "x",
                "body": "y",
                "url": "javascript:alert(1)",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"topics.1", "url"}
    assert not Message.objects.exists()
    empty = api_client.post(
        "/api/alerts/messages",
        json.dumps({"topics": [], "subject": "", "body": "y"}),
        content_type="application/json",
    )
    assert empty.status_code == 422


@pytest.mark.django_db
def test_subscriptions_count_in_the_ledger_as_engagement_not_as_transactions(
    admin_client: MemberClient, org: Organisation, topic: Topic
) -> None:
    from takeup.alerts.reports import engagement

    def subscribed(n: int, confirmed: str, ended: str | None = None) -> None:
        for i in range(n):
            person = Subscriber.objects.create(
                organisation=org, channel="email", address=f"{confirmed}-{ended}-{i}@example.org"
            )
            Subscription.objects.create(
                organisation=org,
                subscriber=person,
                topic=topic,
                frequency="daily",
                confirmed_at=datetime.fromisoformat(f"{confirmed}T12:00:00+00:00"),
                ended_at=datetime.fromisoformat(f"{ended}T12:00:00+00:00") if ended else None,
                ended_reason="unsubscribed" if ended else "",
            )

    subscribed(5, "2025-06-01")  # before the baseline ended, still live
    subscribed(3, "2026-03-10")  # started in the period
    subscribed(2, "2025-06-01", "2026-03-20")  # ended in the period
    subscribed(1, "2026-03-05", "2026-03-06")  # started and ended in it
    found = engagement(org, date(2026, 3, 1), date(2026, 3, 31), date(2025, 12, 31))
    assert found is not None
    assert (found["live"], found["then"], found["started"], found["ended"]) == (8, 7, 4, 3)
    page = admin_client.get(f"/o/{org.slug}/take-up/?period=month&date=2026-03-01").content.decode()
    assert 'id="engagement-alerts"' in page
