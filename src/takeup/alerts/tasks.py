"""The alerts' background work: fan-out, sending, feeds, and the worker's minute (`alerts_due`),
which also recovers what a stopped worker left: a fan-out that stopped part-way, deliveries
held past their lease, and any due delivery no send job is waiting for."""

from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from takeup.core.priorities import BATCH
from takeup.organisations.models import Organisation

from . import content, feeds, schedule, services
from .models import CampaignSend, Delivery, Digest, Frequency, Message, Topic
from .sending import Sender, email_sender

STALLED = timedelta(minutes=2)
FEED_EVERY = timedelta(minutes=15)


def lease() -> timedelta:
    return timedelta(seconds=settings.TAKEUP_ALERTS_LEASE_SECONDS)


def sender_for(channel: str) -> AbstractContextManager[Sender]:
    if channel == "email" and settings.TAKEUP_ALERTS_BACKEND == "email":
        return email_sender()
    from .notify import notify_sender  # texts and letters go through Notify

    return notify_sender()


@task()
def deliveries_send_task() -> dict[str, int]:
    from .sends import send_complete_if_done

    counts = services.deliveries_send(
        outgoing=content.outgoing,
        sender_for=sender_for,
        per_minute=settings.TAKEUP_ALERTS_PER_MINUTE,
        lease=lease(),
    )
    for send in CampaignSend.objects.filter(status=CampaignSend.Status.SENDING):
        send_complete_if_done(send)
    return counts


def _send_soon(priority: int = 0) -> None:
    deliveries_send_task.using(priority=priority).enqueue()


@task()
def fanout_task(owner: str, pk: int) -> int:
    added = services.fanout(owner, pk)
    _send_soon()
    return added


@task(priority=BATCH)
def feed_poll_task(topic_id: int) -> int:
    topic = Topic.objects.select_related("organisation").filter(pk=topic_id).first()
    return 0 if topic is None else feeds.feed_poll(topic)


def _waiting(path: str) -> bool:
    return DBTaskResult.objects.filter(task_path=path, status="READY").exists()


def alerts_due(now: datetime | None = None) -> dict[str, int]:
    """Called each minute by the worker (TAKEUP_SCHEDULE). Everything here is safe to repeat."""
    now = now or timezone.now()
    expired, nulled = services.tidy(now)
    digests = 0
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        slot = schedule.slot_due(now, frequency)
        if slot is None:
            continue
        for org in Organisation.objects.filter(
            pk__in=Topic.objects.filter(subscriptions__frequency=frequency).values("organisation")
        ):
            digest = services.digest_claim(
                org, frequency, slot, schedule.slot_before(slot, frequency)
            )
            if digest is not None:
                fanout_task.enqueue("digest", digest.pk)
                digests += 1
    feeds_due = 0
    for topic_id in (
        Topic.objects.exclude(feed_url="")
        .filter(Q(feed_checked_at__isnull=True) | Q(feed_checked_at__lt=now - FEED_EVERY))
        .values_list("pk", flat=True)
    ):
        Topic.objects.filter(pk=topic_id).update(feed_checked_at=now)
        feed_poll_task.enqueue(topic_id)
        feeds_due += 1
    restarted = 0
    for model, owner in ((Message, "message"), (Digest, "digest")):
        stalled = model.objects.filter(
            fanout_done_at__isnull=True, created_at__lt=now - STALLED
        ).filter(Q(fanout_touched_at__isnull=True) | Q(fanout_touched_at__lt=now - STALLED))
        for pk in stalled.values_list("pk", flat=True):
            model.objects.filter(pk=pk).update(fanout_touched_at=now)
            fanout_task.enqueue(owner, pk)
            restarted += 1
    due = Delivery.objects.filter(
        Q(status__in=[Delivery.Status.QUEUED, Delivery.Status.RETRY])
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - lease())
    ).exists()
    if due and not _waiting(deliveries_send_task.module_path):
        _send_soon()
    return {
        "expired": expired,
        "nulled": nulled,
        "digests": digests,
        "feeds": feeds_due,
        "fanouts_restarted": restarted,
        "send_queued": int(due),
    }
