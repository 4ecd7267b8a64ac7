"""Millbrook's alerts: five topics (in English and Welsh), a year of sign-ups with some never
confirmed and some who left, recent messages with their deliveries, a daily digest, and the
phase 2 text to carers sent through Takeup, with its reach and the arrivals it brought."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from takeup.alerts import services
from takeup.alerts.models import (
    CampaignSend,
    Delivery,
    Digest,
    Message,
    SendTemplate,
    Subscriber,
    Subscription,
    Topic,
)
from takeup.alerts.schedule import LONDON
from takeup.campaigns.models import Activity, Arrival
from takeup.organisations.models import Organisation

TOPICS = [
    # slug, kind, name, Welsh name, promise, Welsh promise, share of sign-ups
    (
        "news",
        "news",
        "Council news",
        "Newyddion y cyngor",
        "Our news releases, usually two or three a week.",
        "Ein datganiadau newyddion, dau neu dri yr wythnos fel arfer.",
        0.35,
    ),
    (
        "jobs",
        "jobs",
        "Jobs",
        "Swyddi",
        "Every job we advertise, as we advertise it: about 8 a week.",
        "Pob swydd a hysbysebwn, wrth ei hysbysebu: tua 8 yr wythnos.",
        0.3,
    ),
    (
        "planning",
        "planning",
        "Planning applications",
        "Ceisiadau cynllunio",
        "Each planning application once it is valid, about 20 a week.",
        "Pob cais cynllunio unwaith y bydd yn ddilys, tua 20 yr wythnos.",
        0.15,
    ),
    (
        "bin-collections",
        "bin-collections",
        "Bin collection changes",
        "Newidiadau casglu biniau",
        "Only when collection days change: bank holidays and bad weather, a few times a year.",
        "Dim ond pan fydd diwrnodau casglu'n newid: gwyliau banc a thywydd gwael.",
        0.15,
    ),
    (
        "whats-on",
        "whats-on",
        "What's on",
        "Beth sydd ymlaen",
        "Events at our libraries, museum and parks, once a week.",
        "Digwyddiadau yn ein llyfrgelloedd, amgueddfa a pharciau, unwaith yr wythnos.",
        0.05,
    ),
]
MESSAGES = [
    ("jobs", "Customer services adviser (2 posts)", "Full time, £24,790. Closes 12 January."),
    ("news", "Garden waste subscriptions open for 2027", "Renew online in two minutes."),
    ("planning", "24/01832/FUL: two-storey extension, 14 Mill Lane", "Comments by 5 January."),
    ("bin-collections", "Christmas and New Year collections", "Each collection moves a day later."),
    ("jobs", "Library assistant, Millbrook Central", "Part time, 22.5 hours. Closes 9 January."),
    ("news", "Apply for a Blue Badge online", "Most applications are decided within 12 weeks."),
]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def demo_alerts_create(org: Organisation, *, end: date) -> None:
    rng = random.Random(16)
    topics = {}
    for slug, kind, name, name_cy, promise, promise_cy, _share in TOPICS:
        topics[slug] = Topic.objects.create(
            organisation=org,
            slug=slug,
            kind=kind,
            name=name,
            name_cy=name_cy,
            promise=promise,
            promise_cy=promise_cy,
            description="",
            feed_url="https://www.millbrook.gov.uk/jobs/feed.xml" if slug == "jobs" else "",
        )
    Topic.objects.filter(pk=topics["jobs"].pk).update(feed_checked_at=timezone.now())
    shares = [t[-1] for t in TOPICS]
    start = end - timedelta(days=365)
    people = []
    for i in range(1200):
        day = start + timedelta(days=int(365 * rng.random() ** 0.7))
        people.append(
            Subscriber(
                organisation=org,
                channel="email",
                address=f"resident{i}@example.org",
                language="cy" if rng.random() < 0.08 else "en",
                created_at=_at(day, 9 + rng.randrange(12)),
            )
        )
    people = Subscriber.objects.bulk_create(people)
    subscriptions = []
    reasons = [
        Subscription.Ended.UNSUBSCRIBED,
        Subscription.Ended.ONE_CLICK,
        Subscription.Ended.ONE_CLICK,
        Subscription.Ended.BOUNCED,
    ]
    for person in people:
        chosen = {
            rng.choices(list(topics), weights=shares)[0] for _ in range(rng.choice([1, 1, 2, 3]))
        }
        confirmed = rng.random() < 0.82
        frequency = rng.choices(["immediately", "daily", "weekly"], weights=[5, 3, 2])[0]
        for slug in chosen:
            made = person.created_at
            sub = Subscription(
                organisation=org,
                subscriber=person,
                topic=topics[slug],
                frequency=frequency,
                created_at=made,
                confirmed_at=made + timedelta(minutes=rng.randrange(3, 600)) if confirmed else None,
            )
            if not confirmed and made < timezone.now() - services.CONFIRM_WITHIN:
                sub.ended_at, sub.ended_reason = (
                    made + services.CONFIRM_WITHIN,
                    Subscription.Ended.NOT_CONFIRMED,
                )
            elif confirmed and rng.random() < 0.12:
                sub.ended_at = made + timedelta(days=rng.randrange(5, 200))
                sub.ended_reason = rng.choice(reasons)
                if sub.ended_at > timezone.now():
                    sub.ended_at, sub.ended_reason = None, ""
            subscriptions.append(sub)
    Subscription.objects.bulk_create(subscriptions)
    _messages(org, topics, end)
    _campaign_send(org, end, rng)


def _messages(org: Organisation, topics: dict[str, Topic], end: date) -> None:
    for n, (slug, subject, body) in enumerate(MESSAGES):
        when = _at(end - timedelta(days=2 * (len(MESSAGES) - n)), 11)
        message = Message.objects.create(
            organisation=org,
            subject=subject,
            body=body,
            created_at=when,
            url=f"https://www.millbrook.gov.uk/{slug}",
        )
        message.topics.set([topics[slug]])
        services.fanout("message", message.pk)
        sent = Delivery.objects.filter(message=message)
        sent.update(
            status=Delivery.Status.DELIVERED, sent_at=when + timedelta(minutes=2), attempts=1
        )
    # Yesterday's daily digest, sent at 08:30.
    ends = _at(end, 8).replace(minute=30)
    digest = Digest.objects.create(
        organisation=org,
        frequency="daily",
        starts_at=ends - timedelta(days=1),
        ends_at=ends,
        created_at=ends,
    )
    services.fanout("digest", digest.pk)
    Delivery.objects.filter(digest=digest).update(
        status=Delivery.Status.SENT, sent_at=ends + timedelta(minutes=1), attempts=1
    )


def _campaign_send(org: Organisation, end: date, rng: random.Random) -> None:
    """Phase 2's text to 4,200 carers, sent through Takeup on its first day."""
    activity = (
        Activity.objects.filter(organisation=org, medium="text", campaign__phase="Phase 2")
        .select_related("link")
        .first()
    )
    if activity is None:
        return
    template = SendTemplate.objects.create(
        organisation=org,
        name="Blue Badge reminder",
        channel="sms",
        body="Millbrook Council: you can now apply for or renew a Blue Badge online at ((link)) "
        "It takes about 20 minutes.",
    )
    code = "demo2send"
    sent_at = _at(activity.starts_on, 10)
    send = CampaignSend.objects.create(
        organisation=org,
        activity=activity,
        template=template,
        code=code,
        channel="sms",
        body=template.body,
        status=CampaignSend.Status.DONE,
        recipients=4200,
        file_sha256="0" * 64,
        created_at=sent_at - timedelta(hours=1),
        started_at=sent_at,
        completed_at=sent_at + timedelta(minutes=3),
    )
    statuses = ["delivered"] * 4032 + ["failed"] * 126 + ["gave-up"] * 42
    rng.shuffle(statuses)
    Delivery.objects.bulk_create(
        [
            Delivery(
                organisation=org,
                purpose="campaign",
                channel="sms",
                priority=Delivery.PRIORITY["campaign"],
                send=send,
                status=status,
                attempts=1,
                sent_at=sent_at,
                finished_at=sent_at + timedelta(minutes=5),
                reference=f"campaign-demo-{i}",
            )
            for i, status in enumerate(statuses)
        ],
        batch_size=2000,
    )
    # The people who came through the texts' link carried the send's code.
    Arrival.objects.filter(
        link=activity.link, via="link", is_bot=False, day__gte=activity.starts_on
    ).update(send=code)
