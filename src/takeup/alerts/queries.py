"""Reads for alerts, each scoped to one organisation (public pages: to one subscriber)."""

from django.db.models import Count, FilteredRelation, Q, QuerySet

from takeup.organisations.models import Organisation

from .models import Delivery, Message, Subscriber, Subscription, Topic


def open_topics(org: Organisation) -> list[Topic]:
    return list(Topic.objects.filter(organisation=org, is_open=True).order_by("name"))


def topics_of(org: Organisation) -> list[Topic]:
    return list(
        Topic.objects.filter(organisation=org)
        .annotate(
            live=Count(
                "subscriptions",
                filter=Q(
                    subscriptions__ended_at__isnull=True, subscriptions__confirmed_at__isnull=False
                ),
            )
        )
        .order_by("name")
    )


def topic_of(org: Organisation, slug: str) -> Topic | None:
    return Topic.objects.filter(organisation=org, slug=slug).first()


def subscriber_by_address(org: Organisation, address: str) -> Subscriber | None:
    return Subscriber.objects.filter(organisation=org, address=address).first()


def subscriber_of(pk: int) -> Subscriber | None:
    return (
        Subscriber.objects.select_related("organisation")
        .filter(pk=pk, address__isnull=False)
        .first()
    )


def live_subscriptions(subscriber: Subscriber) -> list[Subscription]:
    return list(
        Subscription.objects.filter(
            subscriber=subscriber, ended_at__isnull=True, confirmed_at__isnull=False
        )
        .select_related("topic")
        .order_by("topic__name")
    )


def subscriptions_to_topics(subscriber_id: int, topic_ids: list[int]) -> list[Subscription]:
    """The subscriber's subscriptions to these topics: the live ones, or else the latest."""
    rows = list(
        Subscription.objects.filter(subscriber_id=subscriber_id, topic_id__in=topic_ids)
        .select_related("topic", "subscriber__organisation")
        .order_by("topic_id", "-created_at")
    )
    live = [s for s in rows if s.ended_at is None]
    latest = {s.topic_id: s for s in reversed(rows)}
    return live or list(latest.values())


def messages_of(org: Organisation, limit: int = 50) -> QuerySet[Message]:
    return (
        Message.objects.filter(organisation=org)
        .prefetch_related("topics")
        # The organisation in the join's condition reads one partition (decision 0018).
        .annotate(own=FilteredRelation("deliveries", condition=Q(deliveries__organisation=org)))
        .annotate(
            queued=Count("own"),
            sent=Count("own", filter=Q(own__status__in=["sent", "delivered"])),
            failed=Count("own", filter=Q(own__status__in=["failed", "gave-up"])),
        )[:limit]
    )


def message_of(org: Organisation, pk: int) -> Message | None:
    return Message.objects.filter(organisation=org, pk=pk).prefetch_related("topics").first()


def _by_status(deliveries: QuerySet[Delivery]) -> dict[str, int]:
    """Deliveries by status, every status named (0 where none); "gave-up" as "gave_up", a name
    a template can read."""
    found = dict(
        deliveries.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {status.replace("-", "_"): found.get(status, 0) for status in Delivery.Status.values}


def delivery_counts(org: Organisation) -> dict[str, int]:
    return _by_status(Delivery.objects.filter(organisation=org))


def message_counts(message: Message) -> dict[str, int]:
    """Immediate deliveries by status."""
    return _by_status(
        Delivery.objects.filter(organisation_id=message.organisation_id, message=message)
    )
