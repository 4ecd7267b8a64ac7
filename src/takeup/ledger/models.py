"""Volumes by service × channel × period, where they came from, and the sources that send them."""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from takeup.catalogue.models import Channel, Service
from takeup.organisations.models import ApiKey, Organisation


class Period(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")


class Measure(models.TextChoices):
    TRANSACTIONS = "transactions", _("Transactions")
    CONTACTS = "contacts", _("Contacts")
    STARTS = "starts", _("Digital starts")
    VISITS = "visits", _("Visits")


class DataSource(models.Model):
    """Where figures come from (the CRM export, the phone system), how often they should arrive,
    and when they last did. A source that is overdue is flagged wherever its figures are shown."""

    class Interval(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    INTERVAL_DAYS = {"daily": 1, "weekly": 7, "monthly": 31}

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="data_sources"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=60)
    expected_interval = models.CharField(
        _("expected every"), max_length=10, choices=Interval.choices, default=Interval.MONTHLY
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=100,
        help_text=_(
            "When two sources report the same figure, the one with the higher priority is used."
        ),
    )
    last_received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    profile = models.JSONField(
        default=dict,
        blank=True,
        help_text="How its files are laid out (ledger/profile.py): header line, sheet, column "
        "mapping, constants, grain",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="source_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def overdue_since(self, now: datetime | None = None) -> datetime | None:
        """When the next delivery was due, if it is late (a day's grace); else None."""
        if self.last_received_at is None:
            return None
        due = self.last_received_at + timedelta(days=self.INTERVAL_DAYS[self.expected_interval] + 1)
        return due if (now or timezone.now()) > due else None


class NameMapping(models.Model):
    """What a source calls a service or channel ("Bins - missed", "Tel"), remembered per source."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("Service")
        CHANNEL = "channel", _("Channel")
        MEASURE = "measure", _("Measure")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="mappings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_name = models.CharField(max_length=200, help_text="Lower-cased, trimmed")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    measure = models.CharField(max_length=12, choices=Measure.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_name"], name="one_mapping_per_name"
            ),
            models.CheckConstraint(
                condition=Q(kind="service", service__isnull=False, channel__isnull=True, measure="")
                | Q(kind="channel", channel__isnull=False, service__isnull=True, measure="")
                | (Q(kind="measure", service__isnull=True, channel__isnull=True) & ~Q(measure="")),
                name="mapping_points_at_its_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_name} → {self.service or self.channel or self.measure}"


class ImportBatch(models.Model):
    """One import: its file, who sent it, what was read, accepted and rejected, and what it
    replaced. A batch with any rejected row is applied only if the sender chose valid rows only."""

    class Status(models.TextChoices):
        READING = "reading", _("Being read")
        PENDING = "pending", _("Waiting for confirmation")
        IMPORTING = "importing", _("Being imported")
        APPLIED = "applied", _("Imported")
        REJECTED = "rejected", _("Rejected: nothing imported")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="import_batches"
    )
    # RESTRICT: a source with imports cannot be deleted alone, but goes with its organisation.
    source = models.ForeignKey(DataSource, on_delete=models.RESTRICT, related_name="batches")
    file_name = models.CharField(max_length=255, blank=True)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of what was sent")
    file_format = models.CharField(max_length=20)
    default_period = models.CharField(
        max_length=5,
        choices=Period.choices,
        default=Period.DAY,
        help_text="The period of rows that do not say",
    )
    upload = models.FileField(
        upload_to="imports/",
        max_length=200,
        blank=True,
        editable=False,
        help_text="The file, kept in the file storage only while the import waits",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_read = models.PositiveIntegerField(default=0)
    rows_accepted = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    rows_replaced = models.PositiveIntegerField(default=0)
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    errors = models.JSONField(
        default=list, blank=True, help_text="[{line, column, message}], the first 1,000"
    )
    reading = models.JSONField(
        default=dict,
        blank=True,
        help_text="How the file was read (layout, header, columns, preview, unknown names), kept "
        "so that the preview is not read again on every view",
    )
    only_valid = models.BooleanField(default=False, help_text="Asked to import the valid rows")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.created_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def content(self) -> FieldFile | None:
        """The kept file while the import waits, else None."""
        return self.upload if self.upload else None

    @contextmanager
    def kept_file(self) -> Iterator[Path]:
        """The kept file on this machine's disk for the length of the block: the file itself on
        a filesystem storage (shared by path), else a copy fetched from the storage (S3)."""
        storage, name = self.upload.storage, self.upload.name or ""
        if isinstance(getattr(storage, "_wrapped", storage), FileSystemStorage):
            yield Path(storage.path(name))
            return
        with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy:
            with storage.open(name, "rb") as kept:
                shutil.copyfileobj(kept, copy)
            copy.flush()
            yield Path(copy.name)


class Volume(models.Model):
    """A count of transactions, contacts or digital starts for one service, channel and period
    (a day, a week from Monday, or a month from the 1st), as one source reported it.

    Where two sources report the same figure both are kept; `counted` marks the one the figures
    use (the source with the higher priority), set by the import's recompute step."""

    # This table holds millions of rows, so it keeps few indexes and few per-row checks: the
    # organisation follows from the service, and the batch is provenance only, so neither has a
    # database constraint or index of its own (the composite indexes below lead with them).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="volumes", db_index=False
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="volumes")
    period_start = models.DateField()
    period = models.CharField(max_length=5, choices=Period.choices)
    measure = models.CharField(max_length=12, choices=Measure.choices)
    count = models.BigIntegerField()
    source = models.ForeignKey(
        DataSource, on_delete=models.CASCADE, related_name="volumes", db_index=False
    )
    batch = models.ForeignKey(
        ImportBatch,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    rank = models.PositiveSmallIntegerField(default=100, help_text="The source's priority")
    counted = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                # The organisation leads every unique key of a partitioned table (decision 0018).
                fields=[
                    "organisation",
                    "service",
                    "channel",
                    "period_start",
                    "period",
                    "measure",
                    "source",
                ],
                name="one_volume_per_source",
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="volume_count_not_negative"),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "measure", "period_start"],
                name="volume_org_measure_start",
                condition=Q(counted=True),
            ),
            models.Index(
                fields=["service", "measure", "period_start"],
                name="volume_service_measure_start",
                condition=Q(counted=True),
            ),
            models.Index(fields=["source", "period_start"], name="volume_source_start"),
            # The latest figure of each grain, read by three probes (queries.latest_covered_day).
            models.Index(
                fields=["organisation", "measure", "period", "-period_start"],
                name="volume_org_grain_latest",
                condition=Q(counted=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.channel} {self.period} {self.period_start}: {self.count}"


class VolumeMonth(models.Model):
    """Counted volumes summed by calendar month, with their cost at the unit costs in force on
    each figure's first day. Derived from Volume by the import's recompute step (and again when
    unit costs or source priorities change); the dashboards read it for whole months so that a
    page stays quick with millions of volumes. Never edited by hand."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    measure = models.CharField(max_length=12, choices=Measure.choices)
    count = models.BigIntegerField()
    cost_pence = models.BigIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "channel", "month", "measure"], name="one_month_total"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "measure", "month"], name="month_org_measure")
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.channel} {self.month:%Y-%m}: {self.count}"


class PlatformRecord(models.Model):
    """A record sent to the old performance platform's write API (ledger/platform.py), kept by its
    `_id` so that a record sent again with the same `_id` replaces the figure it gave before,
    even when its date or channel changed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    data_set = models.CharField(max_length=200, help_text="<data-group>/<data-type>")
    record_id = models.CharField(max_length=500)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period = models.CharField(max_length=5, choices=Period.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "data_set", "record_id"], name="one_platform_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.data_set} {self.record_id}"


class PublishedFigure(models.Model):
    """A figure as its publisher printed it: a rolling 12-month total, a quarter's total, a month's
    satisfaction or take-up percentage (ledger/published.py reads GOV.UK's and OPG's files).

    Kept apart from Volume on purpose: rolling 12-month totals overlap, so they must never be
    summed, and a published percentage has no counts behind it. Each is shown only as itself,
    labelled with its span. A re-import replaces a figure: publishers restate past months."""

    class Kind(models.TextChoices):
        TRANSACTIONS = "transactions", _("Transactions (all channels)")
        DIGITAL_TRANSACTIONS = "digital_transactions", _("Digital transactions")
        COST_PER_TRANSACTION = "cost_per_transaction", _("Cost per transaction (£)")
        DIGITAL_COST_PER_TRANSACTION = (
            "digital_cost_per_transaction",
            _("Digital cost per transaction (£)"),
        )
        SATISFACTION_PERCENT = "satisfaction_percent", _("User satisfaction (%)")
        TAKE_UP_PERCENT = "take_up_percent", _("Digital take-up (%)")
        UPTIME_PERCENT = "uptime_percent", _("Uptime (%)")
        VERY_DISSATISFIED = "very_dissatisfied", _("Very dissatisfied (answers)")
        DISSATISFIED = "dissatisfied", _("Dissatisfied (answers)")
        NEITHER = "neither", _("Neither (answers)")
        SATISFIED = "satisfied", _("Satisfied (answers)")
        VERY_SATISFIED = "very_satisfied", _("Very satisfied (answers)")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="published")
    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="published")
    batch = models.ForeignKey(
        ImportBatch, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    period_end = models.DateField(help_text="The last day the figure covers")
    months = models.PositiveSmallIntegerField(help_text="How many months it covers: 1, 3 or 12")
    value = models.DecimalField(max_digits=20, decimal_places=5)

    class Meta:
        ordering = ["service", "kind", "months", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "source", "kind", "months", "period_end"],
                name="one_published_figure",
            ),
            models.CheckConstraint(
                condition=Q(months__in=[1, 3, 12]), name="published_months_known"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="published_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.kind} {self.months} months to {self.period_end}: {self.value}"


class ServiceForecast(models.Model):
    """Where a service's digital take-up is heading (ledger/forecast.py), computed in the
    background after figures change, so that pages read it instead of fitting models."""

    class Status(models.TextChoices):
        ON_TRACK = "on track", _("On track")
        AT_RISK = "at risk", _("At risk")
        OFF_TRACK = "off track", _("Off track")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="forecast")
    computed_at = models.DateTimeField(default=timezone.now)
    through = models.DateField(null=True, help_text="The last month the forecast was fitted to")
    months = models.JSONField(
        default=list, help_text="[{month, point, lower80, upper80, lower95, upper95}], per cent"
    )
    status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    gain_needed = models.FloatField(
        null=True, help_text="Points of take-up a month still needed to reach the target"
    )
    problem = models.CharField(max_length=300, blank=True, help_text="Why there is no forecast")

    def __str__(self) -> str:
        return f"{self.service}: {self.status or self.problem or 'no target'}"
