"""Campaigns, their activities, the tracked links that count arrivals, notes on charts and the
estimates of what each campaign did to take-up."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation


class Medium(models.TextChoices):
    FACEBOOK = "facebook", _("Facebook advert")
    SOCIAL = "social", _("Other social media post")
    LEAFLET = "leaflet", _("Leaflet")
    POSTER = "poster", _("Poster")
    BILLBOARD = "billboard", _("Billboard or bus stop")
    VEHICLE = "vehicle", _("Vehicle")
    RADIO = "radio", _("Radio")
    PRESS = "press", _("Newspaper or magazine")
    LETTER = "letter", _("Letter or mailshot")
    TEXT = "text", _("Text message")
    NEWSLETTER = "newsletter", _("Email newsletter")
    PHONE_MESSAGE = "phone-message", _("Recorded phone message")
    WEBSITE = "website", _("Website banner or nudge")
    BRIEFING = "briefing", _("Staff briefing or event")
    PARTNER = "partner", _("Partner or word of mouth")
    DROP_IN = "drop-in", _("Drop-in session")


class Campaign(models.Model):
    """A promotional effort for some services, with dates, a budget and, for test-and-learn,
    a phase that points to the phase before it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    objective = models.TextField(_("objective"), max_length=1000, blank=True)
    services = models.ManyToManyField(Service, related_name="campaigns", verbose_name=_("services"))
    audience = models.CharField(_("audience"), max_length=300, blank=True)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    budget_pence = models.BigIntegerField(_("budget"), default=0)
    phase = models.CharField(_("phase"), max_length=60, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_phases",
        verbose_name=_("follows on from"),
    )
    learnt = models.TextField(
        _("what we learnt"),
        max_length=5000,
        blank=True,
        help_text=_("For the evaluation report: what worked, what did not, what to do next."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_in_order"
            ),
            models.CheckConstraint(condition=Q(budget_pence__gte=0), name="campaign_budget_gte_0"),
            models.UniqueConstraint(fields=["organisation", "name"], name="campaign_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """One concrete action in a campaign: a medium, a place, dates and a cost."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="activities")
    medium = models.CharField(_("medium"), max_length=20, choices=Medium.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    ward = models.CharField(_("ward"), max_length=100, blank=True)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    cost_pence = models.BigIntegerField(_("cost"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="activity_dates_in_order"
            ),
            models.CheckConstraint(condition=Q(cost_pence__gte=0), name="activity_cost_gte_0"),
        ]

    def __str__(self) -> str:
        label = self.get_medium_display()
        return f"{label}: {self.place}" if self.place else str(label)


class TrackedLink(models.Model):
    """The short link (and QR code) of one activity. It sends visitors to a service's online
    address, which must be on the organisation's allowed domains."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="link")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=12, unique=True)
    vanity = models.SlugField(
        _("easy-to-say address"), max_length=40, unique=True, null=True, blank=True
    )
    destination = models.URLField(_("sends visitors to"), max_length=500)
    expires_on = models.DateField(_("stops working after"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return self.vanity or self.code


class Arrival(models.Model):
    """Arrivals through one tracked link on one day, by kind. No IP address, no cookie."""

    class Device(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        TABLET = "tablet", _("Tablet")
        DESKTOP = "desktop", _("Desktop")
        UNKNOWN = "unknown", _("Unknown")

    class Via(models.TextChoices):
        QR = "qr", _("QR code")
        LINK = "link", _("Link")

    # No DB-level FKs: the redirect writes here on every visit and must stay cheap (decision
    # 0007). The organisation is the link's, kept here as the partition key (decision 0018).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    link = models.ForeignKey(
        TrackedLink, on_delete=models.DO_NOTHING, db_constraint=False, related_name="arrivals"
    )
    day = models.DateField()
    device = models.CharField(max_length=10, choices=Device.choices)
    referrer_host = models.CharField(max_length=100, blank=True)
    via = models.CharField(max_length=4, choices=Via.choices)
    is_bot = models.BooleanField(default=False)
    # The campaign send whose message carried the link (?s=), so arrivals count by send.
    send = models.CharField(max_length=12, blank=True, default="")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organisation",
                    "link",
                    "day",
                    "device",
                    "referrer_host",
                    "via",
                    "is_bot",
                    "send",
                ],
                name="arrival_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.via} {self.device}: {self.count}"


class ArrivalVisitor(models.Model):
    """One visitor's salted hash for one link and day, for unique counts. The salt is replaced
    every day and the old one deleted, so a hash cannot be linked to a person or another day."""

    link = models.ForeignKey(
        TrackedLink, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    visitor = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["link", "day", "visitor"], name="arrival_visitor_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.visitor[:6]}…"


class VisitorSalt(models.Model):
    """Today's random salt for visitor hashes; earlier days' salts are deleted."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)


class ArrivalFlush(models.Model):
    """A batch of arrivals moved from Redis, recorded with them so it is never moved twice."""

    batch = models.CharField(max_length=36, unique=True)
    flushed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.batch


class Annotation(models.Model):
    """A dated note on the charts of some services (all when none are chosen): an outage, a form
    redesign, a change of fee. Campaigns and activities appear on charts without one."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    services = models.ManyToManyField(
        Service, blank=True, related_name="annotations", verbose_name=_("services")
    )
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    text = models.CharField(_("note"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="annotation_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.text


class EstimateRun(models.Model):
    """One background run of all the estimates for a campaign, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="runs")
    after_days = models.PositiveSmallIntegerField(default=28)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class EffectEstimate(models.Model):
    """What a campaign (or one activity, or overlapping campaigns jointly) did to one service's
    digital transactions, as effect.py estimated it. result holds the figures and the checks."""

    class Scope(models.TextChoices):
        CAMPAIGN = "campaign", _("Campaign")
        ACTIVITY = "activity", _("Activity")
        JOINT = "joint", _("Overlapping campaigns together")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(EstimateRun, on_delete=models.CASCADE, related_name="estimates")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="estimates")
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="estimates"
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    post_start = models.DateField()
    post_end = models.DateField()
    effect = models.FloatField()
    effect_lower = models.FloatField()
    effect_upper = models.FloatField()
    p_value = models.FloatField()
    result = models.JSONField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["service__name", "scope", "pk"]

    def __str__(self) -> str:
        return f"{self.scope} {self.post_start}–{self.post_end}: {self.effect:.0f}"


class ReportShare(models.Model):
    """A link to a campaign's evaluation report that works without signing in, until revoked.
    The address carries this row's id, signed (campaigns/sharing.py)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="shares")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campaign} ({'revoked' if self.revoked_at else 'live'})"
