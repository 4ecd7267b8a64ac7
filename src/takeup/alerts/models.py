"""Alerts and campaign sends: topics residents subscribe to, subscribers and their
subscriptions (ended, never deleted), messages and digests, feeds that make messages, and every
email or text as one Delivery row that a worker claims, sends and records (decision 0017).

A campaign send is an activity's text, email or letter to an uploaded list of recipients; their
addresses are kept on their deliveries only until the send completes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from takeup.campaigns.models import Activity
from takeup.organisations.models import Organisation


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("As it happens")
    DAILY = "daily", _("Once a day")
    WEEKLY = "weekly", _("Once a week")


class Topic(models.Model):
    """Something residents can subscribe to, with a plain promise of what is sent and how often."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        JOBS = "jobs", _("Jobs")
        PLANNING = "planning", _("Planning")
        BINS = "bin-collections", _("Bin collections")
        WHATS_ON = "whats-on", _("What's on")
        CONSULTATIONS = "consultations", _("Consultations")
        MEETINGS = "council-meetings", _("Council meetings")
        PAGE_CHANGES = "page-changes", _("Page changes")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    name_cy = models.CharField(_("name in Welsh"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    description_cy = models.CharField(_("description in Welsh"), max_length=300, blank=True)
    promise = models.CharField(
        _("what we send and how often"),
        max_length=300,
        help_text=_("For example: “Every new job we advertise, usually 5 to 10 a week.”"),
    )
    promise_cy = models.CharField(
        _("what we send and how often, in Welsh"), max_length=300, blank=True
    )
    feed_url = models.URLField(
        _("feed address"),
        max_length=500,
        blank=True,
        help_text=_("An RSS or Atom feed: each new item becomes a message."),
    )
    feed_checked_at = models.DateTimeField(null=True, blank=True)
    feed_error = models.CharField(max_length=300, blank=True)
    is_open = models.BooleanField(_("taking sign-ups"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="topic_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Subscriber(models.Model):
    """An email address or mobile number. The address is nulled 28 days after its last
    subscription ends; the row stays, so that the counts over time stay true."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=6, choices=Channel.choices)
    # NULL, not "", once nulled: the unique constraint below then ignores it.
    address = models.CharField(max_length=320, null=True, blank=True)  # noqa: DJ001
    language = models.CharField(max_length=2, default="en")
    created_at = models.DateTimeField(default=timezone.now)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=20, blank=True)
    nulled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "address"],
                condition=Q(address__isnull=False),
                name="subscriber_address_unique",
            )
        ]

    def __str__(self) -> str:
        return f"subscriber {self.pk}"


class Subscription(models.Model):
    """One subscriber to one topic at one frequency. Ended with a reason, never deleted."""

    class Ended(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        ONE_CLICK = "one-click", _("Unsubscribed from their email program")
        CHANGED = "changed", _("Changed how often")
        NOT_CONFIRMED = "not-confirmed", _("Never confirmed")
        BOUNCED = "bounced", _("Address failed")
        COMPLAINED = "complained", _("Marked as spam")
        TOPIC_CLOSED = "topic-closed", _("Topic closed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=16, choices=Ended.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "topic"],
                condition=Q(ended_at__isnull=True),
                name="one_live_subscription",
            )
        ]
        indexes = [models.Index(fields=["topic", "frequency"], name="subscription_topic_freq")]

    def __str__(self) -> str:
        return f"{self.subscriber_id} → {self.topic_id} ({self.frequency})"


class Message(models.Model):
    """Something to tell a topic's subscribers: written by staff, posted to the API, or made
    from a feed item. Fan-out to immediate subscribers runs in the background in batches."""

    class Source(models.TextChoices):
        STAFF = "staff", _("Written by staff")
        API = "api", _("Sent to the API")
        FEED = "feed", _("From a feed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    topics = models.ManyToManyField(Topic, related_name="messages", verbose_name=_("topics"))
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    url = models.URLField(_("link"), max_length=500, blank=True)
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.STAFF)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Fan-out's progress: the last subscriber id done, so a restarted job carries on from there.
    fanout_cursor = models.BigIntegerField(default=0)
    fanout_touched_at = models.DateTimeField(null=True, blank=True)
    fanout_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


class FeedItem(models.Model):
    """A feed item seen once: its key is the item's id (or link, or title), never its date, so
    a feed that reorders or re-dates its items makes no new message."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="feed_items")
    key = models.CharField(max_length=64)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "key"], name="feed_item_once")]

    def __str__(self) -> str:
        return self.key


class Digest(models.Model):
    """One daily or weekly digest run for an organisation: the messages made in
    [starts_at, ends_at), for subscribers who chose that frequency."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    fanout_cursor = models.BigIntegerField(default=0)
    fanout_touched_at = models.DateTimeField(null=True, blank=True)
    fanout_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "frequency", "ends_at"], name="one_digest_per_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.frequency} digest to {self.ends_at:%Y-%m-%d %H:%M}"


class SendTemplate(models.Model):
    """A campaign's text, email or letter, with ((link)) where the tracked link goes and
    ((column)) for a column of the recipients' file."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    channel = models.CharField(_("sent as"), max_length=6, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=150, blank=True)
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="send_template_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CampaignSend(models.Model):
    """One send of an activity's message to a list of recipients. `code` goes on the tracked
    link of every message in it, so arrivals are counted by send, never by person."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Checked, not sent")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    # RESTRICT: a template in use can't be deleted alone, but goes with its organisation.
    template = models.ForeignKey(SendTemplate, on_delete=models.RESTRICT, related_name="sends")
    code = models.CharField(max_length=12, unique=True)
    channel = models.CharField(max_length=6, choices=Channel.choices)
    subject = models.CharField(max_length=150, blank=True)
    body = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    recipients = models.PositiveIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code


class Delivery(models.Model):
    """One email, text or letter to one person: queued, claimed by a worker (sending), handed
    over (sent), then delivered or failed as the provider reports. A retryable failure waits
    for its next attempt; a permanent one is never tried again."""

    class Purpose(models.TextChoices):
        CONFIRM = "confirm", _("Confirmation")
        MESSAGE = "message", _("Alert")
        DIGEST = "digest", _("Digest")
        CAMPAIGN = "campaign", _("Campaign send")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        SENDING = "sending", _("Sending")
        RETRY = "retry", _("Will try again")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        GAVE_UP = "gave-up", _("Failed after retries")
        SKIPPED = "skipped", _("Not sent")

    # Claimed first: confirmations never wait behind a bulk send.
    PRIORITY = {"confirm": 0, "message": 1, "digest": 2, "campaign": 3}

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    channel = models.CharField(max_length=6, choices=Channel.choices)
    priority = models.PositiveSmallIntegerField(default=1)
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, related_name="deliveries", db_index=False
    )
    digest = models.ForeignKey(
        Digest, on_delete=models.CASCADE, null=True, related_name="deliveries", db_index=False
    )
    send = models.ForeignKey(
        CampaignSend, on_delete=models.CASCADE, null=True, related_name="deliveries"
    )
    # Campaign recipients only, and only until the send completes.
    address = models.CharField(max_length=320, blank=True)
    personalisation = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "message", "subscriber"],
                condition=Q(message__isnull=False),
                name="one_delivery_per_message",
            ),
            models.UniqueConstraint(
                fields=["organisation", "digest", "subscriber"],
                condition=Q(digest__isnull=False),
                name="one_delivery_per_digest",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "priority", "id"], name="delivery_due"),
            models.Index(fields=["message", "status"], name="delivery_message_status"),
            models.Index(fields=["subscriber"], name="delivery_subscriber"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.pk}: {self.status}"
