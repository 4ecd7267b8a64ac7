"""Everything that changes alerts: sign-up, confirmation, frequency, leaving and suppression;
messages and digests, and their fan-out into deliveries; claiming, sending and recording
deliveries; and the housekeeping the worker's minute runs. Each step is safe to run twice."""

import logging
import select
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from takeup.organisations.models import Organisation, User
from takeup.organisations.services import audit_record

from .models import Delivery, Digest, Frequency, Message, Subscriber, Subscription, Topic
from .sending import Outcome, Outgoing, RateLimiter, Sender

log = logging.getLogger(__name__)

CONFIRM_WITHIN = timedelta(days=7)
NULL_AFTER = timedelta(days=28)
FANOUT_BATCH = 1000
SEND_BATCH = 100
MAX_ATTEMPTS = 8
RETRY_FIRST = timedelta(minutes=1)
RETRY_MOST = timedelta(hours=6)

Ended = Subscription.Ended
Status = Delivery.Status


def _live() -> Q:
    return Q(ended_at__isnull=True)


# Subscribing and leaving


@transaction.atomic
def subscribe(
    *,
    organisation: Organisation,
    channel: str,
    address: str,
    topics: Iterable[Topic],
    frequency: str,
    language: str = "en",
    now: datetime | None = None,
) -> Delivery:
    """Ask to confirm: pending subscriptions for the topics not already confirmed, and a
    confirmation queued ahead of every bulk send. An address that is subscribed already gets
    an email too (saying so), so the page never tells a stranger who is on the list."""
    now = now or timezone.now()
    subscriber = Subscriber.objects.filter(organisation=organisation, address=address).first()
    if subscriber is None:
        subscriber = Subscriber.objects.create(
            organisation=organisation,
            channel=channel,
            address=address,
            language=language,
            created_at=now,
        )
    elif subscriber.language != language:
        Subscriber.objects.filter(pk=subscriber.pk).update(language=language)
    for topic in topics:
        live = Subscription.objects.filter(_live(), subscriber=subscriber, topic=topic).first()
        if live is not None and live.confirmed_at is not None:
            continue
        if live is not None:  # an earlier, unconfirmed request: this one replaces it
            Subscription.objects.filter(pk=live.pk).update(ended_at=now, ended_reason=Ended.CHANGED)
        Subscription.objects.create(
            organisation=organisation,
            subscriber=subscriber,
            topic=topic,
            frequency=frequency,
            created_at=now,
        )
    return Delivery.objects.create(
        organisation=organisation,
        purpose=Delivery.Purpose.CONFIRM,
        channel=channel,
        priority=Delivery.PRIORITY["confirm"],
        subscriber=subscriber,
        created_at=now,
    )


@transaction.atomic
def confirm(
    subscriber_id: int, subscription_ids: list[int], now: datetime | None = None
) -> list[Subscription]:
    """Confirm the subscriptions a link names that are still waiting. Confirming lifts a
    suppression: the person has just shown the address works and that they want the mail."""
    now = now or timezone.now()
    waiting = Subscription.objects.filter(
        _live(), subscriber_id=subscriber_id, pk__in=subscription_ids, confirmed_at__isnull=True
    )
    waiting.update(confirmed_at=now)
    Subscriber.objects.filter(pk=subscriber_id, suppressed_at__isnull=False).update(
        suppressed_at=None, suppressed_reason=""
    )
    return list(
        Subscription.objects.filter(subscriber_id=subscriber_id, pk__in=subscription_ids)
        .select_related("topic", "subscriber")
        .order_by("topic__name")
    )


def end(
    subscriptions: Iterable[Subscription] | Iterable[int], reason: str, now: datetime | None = None
) -> int:
    """End live subscriptions (ids or rows) with a reason. Ended ones stay ended."""
    ids = [s if isinstance(s, int) else s.pk for s in subscriptions]
    return Subscription.objects.filter(_live(), pk__in=ids).update(
        ended_at=now or timezone.now(), ended_reason=reason
    )


@transaction.atomic
def frequency_change(
    subscription: Subscription, frequency: str, now: datetime | None = None
) -> Subscription:
    """A new frequency is a new subscription: the old one ends, so the counts over time show it."""
    now = now or timezone.now()
    if subscription.frequency == frequency or subscription.ended_at is not None:
        return subscription
    end([subscription], Ended.CHANGED, now)
    return Subscription.objects.create(
        organisation_id=subscription.organisation_id,
        subscriber_id=subscription.subscriber_id,
        topic_id=subscription.topic_id,
        frequency=frequency,
        created_at=now,
        confirmed_at=now,
    )


@transaction.atomic
def suppress(subscriber_id: int, reason: str, now: datetime | None = None) -> None:
    """A permanent failure or a complaint: end every subscription the address has, and send it
    nothing more that is waiting."""
    now = now or timezone.now()
    Subscriber.objects.filter(pk=subscriber_id).update(suppressed_at=now, suppressed_reason=reason)
    Subscription.objects.filter(_live(), subscriber_id=subscriber_id).update(
        ended_at=now, ended_reason=Ended.COMPLAINED if reason == "complaint" else Ended.BOUNCED
    )
    Delivery.objects.filter(
        subscriber_id=subscriber_id, status__in=[Status.QUEUED, Status.RETRY]
    ).update(status=Status.SKIPPED, finished_at=now, error=f"suppressed: {reason}")


def tidy(now: datetime) -> tuple[int, int]:
    """Requests not confirmed within 7 days end; an address whose last subscription ended 28
    days ago is nulled (the row and its counts stay)."""
    expired = Subscription.objects.filter(
        _live(), confirmed_at__isnull=True, created_at__lt=now - CONFIRM_WITHIN
    ).update(ended_at=now, ended_reason=Ended.NOT_CONFIRMED)
    done = (
        Subscriber.objects.filter(address__isnull=False)
        .exclude(subscriptions__ended_at__isnull=True)
        .annotate(last=Max("subscriptions__ended_at"))
        .filter(last__lt=now - NULL_AFTER)
        .values_list("pk", flat=True)
    )
    nulled = Subscriber.objects.filter(pk__in=list(done)).update(address=None, nulled_at=now)
    return expired, nulled


# Messages, digests and fan-out


def message_create(
    *,
    organisation: Organisation,
    topics: list[Topic],
    subject: str,
    body: str,
    url: str = "",
    source: str = Message.Source.STAFF,
    actor: User | None = None,
    now: datetime | None = None,
) -> Message:
    """A message for some topics; its fan-out is queued once the row is saved."""
    from .tasks import fanout_task

    if not topics:
        raise ValueError("a message needs a topic")
    if any(t.organisation_id != organisation.pk for t in topics):
        raise ValueError("a message's topics must be its organisation's")
    with transaction.atomic():
        message = Message.objects.create(
            organisation=organisation,
            subject=subject,
            body=body,
            url=url,
            source=source,
            created_by=actor,
            created_at=now or timezone.now(),
        )
        message.topics.set(topics)
        audit_record(organisation=organisation, action="alerts.message", obj=message, actor=actor)
        transaction.on_commit(lambda: fanout_task.enqueue("message", message.pk))
    return message


_SUBSCRIBERS = """
SELECT DISTINCT sub.subscriber_id FROM alerts_subscription sub
JOIN alerts_subscriber s ON s.id = sub.subscriber_id
WHERE sub.topic_id IN ({topics}) AND sub.frequency = %s AND sub.confirmed_at IS NOT NULL
  AND sub.ended_at IS NULL AND s.suppressed_at IS NULL AND s.address IS NOT NULL
  AND sub.subscriber_id > %s
ORDER BY sub.subscriber_id LIMIT %s
"""

_FANOUT_INSERT = """
INSERT INTO alerts_delivery (organisation_id, purpose, channel, priority, subscriber_id,
  {owner}_id, status, attempts, claimed_by, created_at, reference, error, address)
SELECT s.organisation_id, %s, s.channel, %s, s.id, %s, 'queued', 0, '', %s, '', '', ''
FROM alerts_subscriber s WHERE s.id IN (
  SELECT DISTINCT sub.subscriber_id FROM alerts_subscription sub
  WHERE sub.topic_id IN ({topics}) AND sub.frequency = %s AND sub.confirmed_at IS NOT NULL
    AND sub.ended_at IS NULL AND sub.subscriber_id > %s AND sub.subscriber_id <= %s
) AND s.suppressed_at IS NULL AND s.address IS NOT NULL
ON CONFLICT DO NOTHING
"""


def _fanout_batch(
    owner: str, row: Message | Digest, topic_ids: list[int], frequency: str, batch: int
) -> int | None:
    """Queue one batch of deliveries (one INSERT … SELECT) and move the cursor on, in one
    transaction. None when there was nothing left."""
    marks = ", ".join(["%s"] * len(topic_ids))
    purpose = "message" if owner == "message" else "digest"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _SUBSCRIBERS.format(topics=marks), [*topic_ids, frequency, row.fanout_cursor, batch]
        )
        ids = [r[0] for r in cursor.fetchall()]
        if not ids:
            return None
        now = timezone.now()
        cursor.execute(
            _FANOUT_INSERT.format(owner=owner, topics=marks),
            [
                purpose,
                Delivery.PRIORITY[purpose],
                row.pk,
                now,
                *topic_ids,
                frequency,
                row.fanout_cursor,
                ids[-1],
            ],
        )
        added: int = cursor.rowcount
        type(row).objects.filter(pk=row.pk).update(fanout_cursor=ids[-1], fanout_touched_at=now)
        row.fanout_cursor = ids[-1]
    return added


def fanout(
    owner: str, pk: int, batch: int = FANOUT_BATCH, after: Callable[[], None] | None = None
) -> int:
    """Queue a delivery for every subscriber a message (or digest) reaches, in batches. A run
    stopped part-way carries on from its cursor; the unique deliveries make a repeat harmless."""
    row: Message | Digest | None
    frequency: str
    if owner == "message":
        row = Message.objects.filter(pk=pk).first()
        if row is None or row.fanout_done_at is not None:
            return 0
        topic_ids = list(row.topics.values_list("pk", flat=True))
        frequency = Frequency.IMMEDIATELY
    else:
        row = Digest.objects.filter(pk=pk).first()
        if row is None or row.fanout_done_at is not None:
            return 0
        topic_ids = digest_topics(row)
        frequency = row.frequency
    added = 0
    while topic_ids:
        got = _fanout_batch(owner, row, topic_ids, frequency, batch)
        if got is None:
            break
        added += got
        if after is not None:
            after()
    type(row).objects.filter(pk=row.pk).update(fanout_done_at=timezone.now())
    return added


def digest_topics(digest: Digest) -> list[int]:
    return list(
        Topic.objects.filter(
            organisation_id=digest.organisation_id,
            messages__created_at__gte=digest.starts_at,
            messages__created_at__lt=digest.ends_at,
        )
        .distinct()
        .values_list("pk", flat=True)
    )


def digest_claim(
    organisation: Organisation, frequency: str, ends_at: datetime, first_start: datetime
) -> Digest | None:
    """The digest for this slot, made now; None if it exists already. It starts where the
    organisation's last digest of the kind ended, so no message is missed or sent twice."""
    last = Digest.objects.filter(
        organisation=organisation, frequency=frequency, ends_at__lt=ends_at
    ).aggregate(end=Max("ends_at"))["end"]
    try:
        with transaction.atomic():
            return Digest.objects.create(
                organisation=organisation,
                frequency=frequency,
                starts_at=last or first_start,
                ends_at=ends_at,
            )
    except IntegrityError:
        return None


# Sending


def claim(worker: str, limit: int, now: datetime, lease: timedelta) -> list[int]:
    """Take up to `limit` deliveries that are due, most urgent first: waiting ones, retries
    whose time has come, and ones a stopped worker held longer than the lease."""
    due = Q(status__in=[Status.QUEUED, Status.RETRY]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    stale = Q(status=Status.SENDING, claimed_at__lt=now - lease)
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(due | stale)
            .order_by("priority", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=Status.SENDING, claimed_by=worker, claimed_at=now
            )
    return ids


_MARK_SENT = (
    "UPDATE alerts_delivery SET status = 'sent', sent_at = {now}, attempts = attempts + 1 "
    "WHERE id = {id} AND claimed_by = {worker} AND status = 'sending'"
)


class SentMark:
    """Marks one delivery sent, committed, just before the provider acts on it (decision 0017).

    On PostgreSQL the UPDATE is written to the server and the send goes on without waiting for
    the reply: a worker killed while waiting would leave the row marked sent and the mail
    unsent. The statement commits on its own (autocommit). Its reply is read before the
    connection's next statement (`settle_pending`), by when the commit is long done."""

    waiting = threading.local()  # the mark whose reply is still to be read, in this thread

    def __init__(self, delivery_id: int, worker: str) -> None:
        self.delivery_id = delivery_id
        self.worker = worker

    @classmethod
    def settle_pending(cls) -> None:
        """Read the reply to the last mark sent ahead, if any; call before any other query."""
        mark = getattr(cls.waiting, "mark", None)
        if mark is not None:
            cls.waiting.mark = None
            mark.settle()

    def __call__(self, then: Callable[[], object] | None = None) -> bool:
        SentMark.settle_pending()
        now = timezone.now()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            connection.ensure_connection()
            pgconn = connection.connection.pgconn
            sql = _MARK_SENT.format(now="$1", id="$2", worker="$3").encode()
            pgconn.send_query_params(
                sql,
                [now.isoformat().encode(), str(self.delivery_id).encode(), self.worker.encode()],
            )
            while pgconn.flush():  # all of it on the wire before the provider is told
                select.select([], [pgconn.socket], [])
            if then is not None:
                then()
            SentMark.waiting.mark = self
            return True
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            # sqlite3 itself, not Django's cursor: the commit is done inside this call, and
            # the fewer steps from here to the provider's write, the smaller the gap.
            connection.ensure_connection()
            done: bool = (
                connection.connection.execute(
                    _MARK_SENT.format(now="?", id="?", worker="?"),
                    (connection.ops.adapt_datetimefield_value(now), self.delivery_id, self.worker),
                ).rowcount
                == 1
            )
            if done and then is not None:
                then()
            return done
        with connection.cursor() as cursor:  # inside a transaction (tests)
            cursor.execute(
                _MARK_SENT.format(now="%s", id="%s", worker="%s"),
                [now, self.delivery_id, self.worker],
            )
            done = bool(cursor.rowcount == 1)
        if done and then is not None:
            then()
        return done

    def settle(self) -> None:
        pgconn = connection.connection.pgconn
        rows = None
        while True:
            pgconn.consume_input()  # the reply is usually here already
            while pgconn.is_busy():
                select.select([pgconn.socket], [], [])
                pgconn.consume_input()
            result = pgconn.get_result()
            if result is None:
                break
            rows = result.command_tuples
            if result.error_message:
                log.error(
                    "delivery %s: marking it sent failed: %s",
                    self.delivery_id,
                    result.error_message,
                )
        if rows != 1:
            log.error("delivery %s was sent after another worker took it over", self.delivery_id)


def retry_at(attempts: int, now: datetime) -> datetime:
    wait: timedelta = min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MOST)
    return now + wait


def record(item: Outgoing, outcome: Outcome, worker: str, attempts: int) -> None:
    """What came of one send. A permanent failure is never tried again; a retryable one waits
    longer each time, and gives up after MAX_ATTEMPTS."""
    if outcome.status == "sent":
        if outcome.reference and outcome.reference != item.reference:
            Delivery.objects.filter(pk=item.delivery_id).update(reference=outcome.reference)
        return
    now = timezone.now()
    rows = Delivery.objects.filter(pk=item.delivery_id, claimed_by=worker)
    if outcome.status == "failed":
        rows.update(status=Status.FAILED, error=outcome.error, finished_at=now, attempts=attempts)
        if outcome.suppress:
            subscriber = (
                Delivery.objects.filter(pk=item.delivery_id)
                .values_list("subscriber_id", flat=True)
                .first()
            )
            if subscriber:
                suppress(subscriber, "bounce", now)
        return
    # Only a delivery not yet marked sent can be tried again: once the provider may have it,
    # a second try could be a second email. Unless the provider said it made nothing.
    if outcome.unsent:
        rows = rows.filter(status__in=[Status.SENDING, Status.SENT])
        rows.update(sent_at=None)
    else:
        rows = rows.filter(status=Status.SENDING)
    if attempts >= MAX_ATTEMPTS:
        rows.update(status=Status.GAVE_UP, error=outcome.error, finished_at=now, attempts=attempts)
        return
    rows.update(
        status=Status.RETRY,
        error=outcome.error,
        attempts=attempts,
        next_attempt_at=retry_at(attempts, now),
    )


def deliveries_send(
    *,
    outgoing: Callable[[list[int]], tuple[list[Outgoing], list[int]]],
    sender_for: Callable[[str], object],
    per_minute: int,
    lease: timedelta,
    batch: int = SEND_BATCH,
    worker: str | None = None,
) -> dict[str, int]:
    """Claim and send deliveries until none are due. `outgoing` builds each claimed delivery
    (and names those no longer to be sent); `sender_for(channel)` opens the channel's sender.
    Stops claiming before its lease could run out under it."""
    worker = worker or uuid.uuid4().hex
    limiter = RateLimiter(per_minute)
    if connection.vendor == "postgresql":
        # A mark need not wait for the disk: a stopped worker leaves it committed in the
        # server; only the server's own crash could lose the last moments' marks (decision 17).
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    try:
        while True:
            started = timezone.now()
            SentMark.settle_pending()
            ids = claim(worker, batch, started, lease)
            if not ids:
                return counts
            items, skipped = outgoing(ids)
            if skipped:
                Delivery.objects.filter(pk__in=skipped, claimed_by=worker).update(
                    status=Status.SKIPPED, finished_at=timezone.now()
                )
                counts["skipped"] += len(skipped)
            attempts = dict(Delivery.objects.filter(pk__in=ids).values_list("pk", "attempts"))
            by_channel: dict[str, list[Outgoing]] = {}
            for item in items:
                by_channel.setdefault(item.channel, []).append(item)
            for channel, group in by_channel.items():
                with sender_for(channel) as sender:  # type: ignore[attr-defined]
                    for n, item in enumerate(group):
                        if timezone.now() - started > lease / 2:
                            # Hand the rest back rather than risk another worker taking them over.
                            SentMark.settle_pending()
                            Delivery.objects.filter(
                                pk__in=[i.delivery_id for i in group[n:]], claimed_by=worker
                            ).update(status=Status.QUEUED)
                            break
                        limiter.wait()
                        outcome = _send_one(sender, item, worker)
                        if outcome.status != "sent" or outcome.reference != item.reference:
                            SentMark.settle_pending()  # record() writes
                        if outcome.status == "retry" and "429" in outcome.error:
                            limiter.slow_down(5)
                        record(item, outcome, worker, attempts.get(item.delivery_id, 0) + 1)
                        counts[outcome.status] += 1
    finally:
        if connection.vendor == "postgresql":
            SentMark.settle_pending()
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


def _send_one(sender: Sender, item: Outgoing, worker: str) -> Outcome:
    try:
        return sender.send(item, SentMark(item.delivery_id, worker))
    except Exception as error:  # any failure of one send is recorded, never raised
        log.warning("delivery %s: %s", item.delivery_id, error)
        return Outcome("retry", f"{type(error).__name__}: {error}"[:300])


# What Notify reports after a send (callbacks.py receives it)

# Notify's final statuses (and a letter's "received": printed and posted) → ours.
RECEIPT_STATUS = {
    "delivered": Status.DELIVERED,
    "received": Status.DELIVERED,
    "permanent-failure": Status.FAILED,
    "temporary-failure": Status.GAVE_UP,
    "technical-failure": Status.FAILED,
    "validation-failed": Status.FAILED,
}


def _delivery(reference: Any, provider_id: Any) -> Delivery | None:
    """Our reference ("campaign-12") names the delivery; Notify's id finds it when the
    reference is missing."""
    found = Q(pk__in=[])
    if isinstance(reference, str) and reference.rpartition("-")[2].isdigit():
        purpose, _, pk = reference.rpartition("-")
        found |= Q(pk=int(pk), purpose=purpose)
    if isinstance(provider_id, str) and provider_id:
        found |= Q(reference=provider_id)
    return Delivery.objects.filter(found).first()


@transaction.atomic
def receipt_record(body: dict[str, Any]) -> bool:
    """A delivery receipt: the delivery's final status. Only a delivery still marked sent
    changes, so a receipt received again does nothing more."""
    status = RECEIPT_STATUS.get(str(body.get("status")))
    delivery = _delivery(body.get("reference"), body.get("id"))
    if status is None or delivery is None:
        return False
    error = "" if status == Status.DELIVERED else f"Notify: {body.get('status')}"
    changed = Delivery.objects.filter(pk=delivery.pk, status=Status.SENT).update(
        status=status, finished_at=timezone.now(), error=error
    )
    if changed and body.get("status") == "permanent-failure" and delivery.subscriber_id:
        suppress(delivery.subscriber_id, "bounce")
    return bool(changed)


def complaint_record(body: dict[str, Any]) -> bool:
    """A complaint: the address is sent nothing more."""
    delivery = _delivery(body.get("reference"), body.get("notification_id"))
    if delivery is None or not delivery.subscriber_id:
        return False
    if Subscriber.objects.filter(pk=delivery.subscriber_id, suppressed_reason="complaint").exists():
        return False
    suppress(delivery.subscriber_id, "complaint")
    return True
