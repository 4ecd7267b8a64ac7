"""What each delivery says: a confirmation, an alert or a digest, in the subscriber's language,
built when it is sent (so it reflects the subscriptions then). Every email names what it is
for, how to change it, and how to leave in one click (RFC 8058)."""

from collections import defaultdict
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from takeup.organisations.models import Organisation

from . import tokens
from .models import Delivery, Message, Subscription, Topic
from .schedule import LONDON
from .sending import Outgoing
from .sends import campaign_outgoing

SMS_MAX = 459  # three text messages


def site_url(name: str, language: str, token: str) -> str:
    """A link with a token in it, in the subscriber's language. The address around the token is
    worked out once per link and language: a send builds thousands."""
    before, after = _around_token(name, language, settings.TAKEUP_SITE_URL)
    return before + token + after


@lru_cache(maxsize=32)
def _around_token(name: str, language: str, site: str) -> tuple[str, str]:
    with translation.override(language):
        path = reverse(name, kwargs={"token": "TOKEN"})
    before, _token, after = path.partition("TOKEN")
    return site.rstrip("/") + before, after


def topic_name(topic: Topic, language: str) -> str:
    return (topic.name_cy if language == "cy" else "") or topic.name


def topic_promise(topic: Topic, language: str) -> str:
    return (topic.promise_cy if language == "cy" else "") or topic.promise


def frequency_words(frequency: str) -> str:
    return {
        "immediately": _("as soon as we publish"),
        "daily": _("in one email a day, at 8:30am"),
        "weekly": _("in one email a week, on Saturdays at 8:30am"),
    }[frequency]


def _footer(org_name: str, names: list[str], manage: str, unsubscribe: str) -> str:
    return "\n".join(
        [
            "---",
            _("You get this because you subscribed to %(topics)s from %(org)s.")
            % {"topics": ", ".join(f"“{n}”" for n in names), "org": org_name},
            _("Change your alerts: %(url)s") % {"url": manage},
            _("Unsubscribe: %(url)s") % {"url": unsubscribe},
        ]
    )


def _confirmation(delivery: Delivery) -> Outgoing | None:
    subscriber = delivery.subscriber
    if subscriber is None:
        return None
    language = subscriber.language
    waiting = list(
        Subscription.objects.filter(
            subscriber=subscriber,
            ended_at__isnull=True,
            confirmed_at__isnull=True,
            created_at__lte=delivery.created_at,
        ).select_related("topic")
    )
    org = delivery.organisation.name
    manage = site_url("alerts-manage", language, token=tokens.manage_token(subscriber.pk))
    if not waiting:
        subject = _("Your alerts from %(org)s") % {"org": org}
        body = _(
            "Someone, probably you, asked for alerts you already get. Nothing has changed. "
            "To change or stop your alerts, go to %(url)s"
        ) % {"url": manage}
    else:
        link = site_url(
            "alerts-confirm",
            language,
            token=tokens.confirm_token(subscriber.pk, [s.pk for s in waiting]),
        )
        lines = [
            f"- {topic_name(s.topic, language)}: {topic_promise(s.topic, language)} "
            f"({frequency_words(s.frequency)})"
            for s in waiting
        ]
        subject = _("Confirm your alerts from %(org)s") % {"org": org}
        body = "\n\n".join(
            [
                _("To start your alerts, open this link: %(url)s") % {"url": link},
                _("You asked for:") + "\n" + "\n".join(lines),
                _(
                    "The link works for 7 days. If you did not ask for these alerts, do nothing: "
                    "we will send you nothing more."
                ),
            ]
        )
    return Outgoing(
        delivery.pk,
        delivery.channel,
        subscriber.address or "",
        subject,
        body,
        f"confirm-{delivery.pk}",
    )


def _message_text(message: Message, language: str) -> str:
    return "\n\n".join(p for p in [message.body, message.url] if p)


def _alert(delivery: Delivery, subscriptions: list[Subscription]) -> Outgoing | None:
    subscriber = delivery.subscriber
    message = delivery.message
    if subscriber is None or message is None or not subscriptions:
        return None
    language = subscriber.language
    manage = site_url("alerts-manage", language, token=tokens.manage_token(subscriber.pk))
    unsubscribe = site_url(
        "alerts-unsubscribe",
        language,
        token=tokens.unsubscribe_token(subscriber.pk, [s.topic_id for s in subscriptions]),
    )
    names = [topic_name(s.topic, language) for s in subscriptions]
    if delivery.channel == "sms":
        body = f"{delivery.organisation.name}: {message.subject} {message.url}".strip()
        body = body[: SMS_MAX - 40] + "\n" + _("Stop: %(url)s") % {"url": manage}
        return Outgoing(
            delivery.pk,
            "sms",
            subscriber.address or "",
            message.subject,
            body,
            f"message-{delivery.pk}",
        )
    body = "\n\n".join(
        [
            _message_text(message, language),
            _footer(delivery.organisation.name, names, manage, unsubscribe),
        ]
    )
    return Outgoing(
        delivery.pk,
        "email",
        subscriber.address or "",
        message.subject,
        body,
        f"message-{delivery.pk}",
        unsubscribe_url=unsubscribe,
    )


def _digest(delivery: Delivery, subscriptions: list[Subscription]) -> Outgoing | None:
    subscriber = delivery.subscriber
    digest = delivery.digest
    if subscriber is None or digest is None:
        return None
    language = subscriber.language
    topic_ids = {s.topic_id for s in subscriptions}
    messages = list(
        Message.objects.filter(
            organisation_id=digest.organisation_id,
            created_at__gte=digest.starts_at,
            created_at__lt=digest.ends_at,
            topics__in=topic_ids,
        )
        .distinct()
        .order_by("created_at")
        .prefetch_related("topics")
    )
    if not messages:
        return None
    by_topic: dict[int, list[Message]] = defaultdict(list)
    for m in messages:
        for t in m.topics.all():
            if t.pk in topic_ids:
                by_topic[t.pk].append(m)
                break
    sections = []
    for s in sorted(subscriptions, key=lambda s: s.topic.name):
        items = by_topic.get(s.topic_id, [])
        if items:
            heading = topic_name(s.topic, language)
            sections.append(
                heading
                + "\n"
                + "=" * len(heading)
                + "\n\n"
                + "\n\n".join(f"{m.subject}\n{_message_text(m, language)}" for m in items)
            )
    manage = site_url("alerts-manage", language, token=tokens.manage_token(subscriber.pk))
    unsubscribe = site_url(
        "alerts-unsubscribe",
        language,
        token=tokens.unsubscribe_token(subscriber.pk, [s.topic_id for s in subscriptions]),
    )
    with translation.override(language):
        when = date_format(_local(digest.ends_at), "j F Y")
    subject = (
        _("%(org)s: your daily alerts, %(date)s")
        if digest.frequency == "daily"
        else _("%(org)s: your weekly alerts, %(date)s")
    ) % {"org": delivery.organisation.name, "date": when}
    names = [topic_name(s.topic, language) for s in subscriptions]
    body = "\n\n".join([*sections, _footer(delivery.organisation.name, names, manage, unsubscribe)])
    return Outgoing(
        delivery.pk,
        "email",
        subscriber.address or "",
        subject,
        body,
        f"digest-{delivery.pk}",
        unsubscribe_url=unsubscribe,
    )


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def outgoing(ids: list[int]) -> tuple[list[Outgoing], list[int]]:
    """The claimed deliveries, built; and those no longer to be sent (the subscriber left or
    was suppressed, or a digest has nothing in it)."""
    deliveries = list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("subscriber", "message", "digest", "send")
        .order_by("priority", "pk")
    )
    # Each organisation and topic once a batch, not once a row: a send builds thousands.
    organisations = Organisation.objects.in_bulk({d.organisation_id for d in deliveries})
    for d in deliveries:
        d.organisation = organisations[d.organisation_id]
    live: dict[int, list[Subscription]] = defaultdict(list)
    subscriber_ids = [
        d.subscriber_id
        for d in deliveries
        if d.purpose in ("message", "digest") and d.subscriber_id is not None
    ]
    subscriptions = list(
        Subscription.objects.filter(
            subscriber_id__in=subscriber_ids, ended_at__isnull=True, confirmed_at__isnull=False
        ).only("subscriber_id", "topic_id", "frequency")
    )
    topics = Topic.objects.in_bulk({s.topic_id for s in subscriptions})
    for s in subscriptions:
        s.topic = topics[s.topic_id]
        live[s.subscriber_id].append(s)
    message_topics: dict[int, set[int]] = defaultdict(set)
    for message_id, topic_id in Message.topics.through.objects.filter(
        message_id__in={d.message_id for d in deliveries if d.message_id}
    ).values_list("message_id", "topic_id"):
        message_topics[message_id].add(topic_id)
    items: list[Outgoing] = []
    skipped: list[int] = []
    campaign = [d for d in deliveries if d.purpose == "campaign"]
    for d in deliveries:
        if d.purpose == "campaign":
            continue
        subscriber = d.subscriber
        if (
            subscriber is None
            or not subscriber.address
            or (subscriber.suppressed_at is not None and d.purpose != "confirm")
        ):
            skipped.append(d.pk)
            continue
        with translation.override(subscriber.language):
            if d.purpose == "confirm":
                item = _confirmation(d)
            elif d.purpose == "message":
                subs = [
                    s
                    for s in live[subscriber.pk]
                    if s.frequency == "immediately"
                    and s.topic_id in message_topics[d.message_id or 0]
                ]
                item = _alert(d, subs)
            else:
                frequency = d.digest.frequency if d.digest else ""
                subs = [s for s in live[subscriber.pk] if s.frequency == frequency]
                item = _digest(d, subs)
        if item is None:
            skipped.append(d.pk)
        else:
            items.append(item)
    if campaign:
        items.extend(campaign_outgoing(campaign))
    return items, skipped
