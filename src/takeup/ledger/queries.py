"""Reads for the ledger. One class per metric: a typed input, one GROUP BY in the database, a
typed result. Figures always come from counted volumes (one source per figure)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek
from django.http import Http404
from django.shortcuts import get_object_or_404

from takeup.catalogue.models import Channel, Service, UnitCost
from takeup.organisations.models import Organisation

from . import periods
from .kpi import ChannelCounts
from .models import (
    DataSource,
    ImportBatch,
    Measure,
    PublishedFigure,
    ServiceForecast,
    Volume,
    VolumeMonth,
)


@dataclass(frozen=True)
class Scope:
    organisation_id: int
    start: date
    end: date
    service_ids: tuple[int, ...] | None = None  # None: every service
    use_month_totals: bool = True

    @property
    def whole_months(self) -> bool:
        """True when the scope is whole calendar months, so the monthly totals can answer."""
        return (
            self.use_month_totals
            and self.start.day == 1
            and (self.end + timedelta(days=1)).day == 1
        )

    def months(self, measure: str = Measure.TRANSACTIONS) -> QuerySet[VolumeMonth]:
        qs = VolumeMonth.objects.filter(
            organisation_id=self.organisation_id,
            measure=measure,
            month__gte=self.start,
            month__lte=self.end,
        )
        if self.service_ids is not None:
            qs = qs.filter(service_id__in=self.service_ids)
        return qs

    def volumes(self, measure: str = Measure.TRANSACTIONS) -> QuerySet[Volume]:
        qs = Volume.objects.filter(
            organisation_id=self.organisation_id,
            counted=True,
            measure=measure,
            period_start__gte=self.start,
            period_start__lte=self.end,
        )
        if self.service_ids is not None:
            qs = qs.filter(service_id__in=self.service_ids)
        return qs


@dataclass(frozen=True)
class ChannelFlags:
    digital: frozenset[int]
    assisted_digital: frozenset[int]
    names: dict[int, str]
    order: tuple[int, ...]
    no_cost: frozenset[int] = frozenset()
    cashable: frozenset[int] = frozenset()
    slugs: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, organisation: Organisation) -> "ChannelFlags":
        channels = list(Channel.objects.filter(organisation=organisation))
        return cls(
            digital=frozenset(c.pk for c in channels if c.counts_towards_take_up),
            assisted_digital=frozenset(c.pk for c in channels if c.is_assisted_digital),
            names={c.pk: c.name for c in channels},
            order=tuple(c.pk for c in channels),
            no_cost=frozenset(c.pk for c in channels if c.no_cost),
            cashable=frozenset(c.pk for c in channels if c.saving_cashable),
            slugs={c.pk: c.slug for c in channels},
        )

    def named(self, ids: Iterable[int]) -> list[str]:
        """Channel names in the catalogue's order, for "leaves out Email and Post"."""
        chosen = set(ids)
        return [self.names[c] for c in self.order if c in chosen]

    def counts(self, by_channel: dict[int, int]) -> ChannelCounts:
        return ChannelCounts(by_channel, self.digital, self.assisted_digital)


class CountsByServiceAndChannel:
    """Σ count per service and channel over the scope."""

    def run(self, scope: Scope, measure: str = Measure.TRANSACTIONS) -> dict[int, dict[int, int]]:
        out: dict[int, dict[int, int]] = defaultdict(dict)
        source = scope.months(measure) if scope.whole_months else scope.volumes(measure)
        for row in source.values("service_id", "channel_id").annotate(n=Sum("count")):
            out[row["service_id"]][row["channel_id"]] = row["n"]
        return out


class CountsByMeasure:
    """Σ transactions and Σ contacts per service and channel over the scope:
    {service: {(channel, measure): n}}. A channel with rows that add up to 0 is there as 0."""

    MEASURES = (Measure.TRANSACTIONS, Measure.CONTACTS)

    def run(
        self, scope: Scope, measures: tuple[str, ...] = MEASURES
    ) -> dict[int, dict[tuple[int, str], int]]:
        source: QuerySet[Any, Any]
        if scope.whole_months:
            source = VolumeMonth.objects.filter(
                organisation_id=scope.organisation_id,
                month__gte=scope.start,
                month__lte=scope.end,
            )
        else:
            source = Volume.objects.filter(
                organisation_id=scope.organisation_id,
                counted=True,
                period_start__gte=scope.start,
                period_start__lte=scope.end,
            )
        source = source.filter(measure__in=measures)
        if scope.service_ids is not None:
            source = source.filter(service_id__in=scope.service_ids)
        out: dict[int, dict[tuple[int, str], int]] = defaultdict(dict)
        for row in source.values("service_id", "channel_id", "measure").annotate(n=Sum("count")):
            out[row["service_id"]][(row["channel_id"], row["measure"])] = row["n"]
        return out


class MonthlyByChannelAndMeasure:
    """Each service's monthly totals per channel and measure, from the monthly totals table:
    {(service, channel, measure): {month: n}}. For how much a channel's figures vary."""

    def run(self, scope: Scope) -> dict[tuple[int, int, str], dict[date, int]]:
        qs = VolumeMonth.objects.filter(
            organisation_id=scope.organisation_id,
            month__gte=scope.start.replace(day=1),
            month__lte=scope.end,
            measure__in=CountsByMeasure.MEASURES,
        )
        if scope.service_ids is not None:
            qs = qs.filter(service_id__in=scope.service_ids)
        out: dict[tuple[int, int, str], dict[date, int]] = defaultdict(dict)
        for service_id, channel_id, measure, month, n in qs.values_list(
            "service_id", "channel_id", "measure", "month", "count"
        ):
            out[(service_id, channel_id, measure)][month] = n
        return out


def grains(scope: Scope) -> dict[tuple[int, int, str], str]:
    """The grain each service's channel and measure is reported at, read from the scope's first
    week (a weekly figure starts on one of its days, a daily one on each): {(service, channel,
    measure): "day" | "week" | "month"}. A small read: seven days of figures."""
    first_week = Scope(
        scope.organisation_id, scope.start, scope.start + timedelta(days=6), scope.service_ids
    )
    found: dict[tuple[int, int, str], str] = {}
    rows = (
        Volume.objects.filter(
            organisation_id=scope.organisation_id,
            counted=True,
            period_start__gte=first_week.start,
            period_start__lte=first_week.end,
            measure__in=CountsByMeasure.MEASURES,
        )
        .filter(**({"service_id__in": scope.service_ids} if scope.service_ids is not None else {}))
        .values_list("service_id", "channel_id", "measure", "period")
        .distinct()
    )
    for service_id, channel_id, measure, period in rows:
        key = (service_id, channel_id, measure)
        # The finest grain wins: a day figure means the series is daily.
        if key not in found or PERIOD_ORDER[period] < PERIOD_ORDER[found[key]]:
            found[key] = period
    return found


PERIOD_ORDER = {"day": 0, "week": 1, "month": 2}


@dataclass(frozen=True)
class UnitPrice:
    pence_per_transaction: int | None
    pence_per_contact: int | None

    def of(self, measure: str) -> int | None:
        if measure == Measure.CONTACTS:
            return self.pence_per_contact
        return self.pence_per_transaction


def unit_prices_on(organisation_id: int, day: date) -> dict[int, UnitPrice]:
    """The unit cost in force on a day, per channel (channels with none are absent)."""
    prices: dict[int, UnitPrice] = {}
    for cost in UnitCost.objects.filter(
        organisation_id=organisation_id, effective_from__lte=day
    ).order_by("channel_id", "effective_from"):
        # Each price is the latest that gives one: a new cost per contact alone does not take
        # away the cost per transaction in force (as in_force_pence reads it).
        earlier = prices.get(cost.channel_id, UnitPrice(None, None))
        prices[cost.channel_id] = UnitPrice(
            cost.pence_per_transaction
            if cost.pence_per_transaction is not None
            else earlier.pence_per_transaction,
            cost.pence_per_contact
            if cost.pence_per_contact is not None
            else earlier.pence_per_contact,
        )
    return prices


def in_force_pence(organisation_id: int) -> Case:
    """An SQL expression for the pence per transaction of the unit cost in force on a volume's
    first day. Unit costs are few, so they become one CASE: no lookup per row."""
    costs = UnitCost.objects.filter(
        organisation_id=organisation_id, pence_per_transaction__isnull=False
    ).order_by("channel_id", "effective_from")
    whens = []
    for channel_id, group in groupby(costs, key=lambda c: c.channel_id):
        ordered = list(group)
        for cost, following in zip(ordered, [*ordered[1:], None], strict=True):
            condition = Q(channel_id=channel_id, period_start__gte=cost.effective_from)
            if following is not None:
                condition &= Q(period_start__lt=following.effective_from)
            whens.append(When(condition, then=Value(cost.pence_per_transaction)))
    return Case(*whens, default=Value(None), output_field=BigIntegerField())


class TransactionsAndCost:
    """Σ transactions and Σ transactions × the unit cost in force on each figure's first day, per
    service and channel, in one pass. Channels with no unit cost have no cost entry (and are
    named on screen)."""

    def run(self, scope: Scope) -> tuple[dict[int, dict[int, int]], dict[int, dict[int, int]]]:
        if scope.whole_months:
            rows: QuerySet[Any, Any] = (
                scope.months()
                .values("service_id", "channel_id")
                .annotate(n=Sum("count"), cost=Sum("cost_pence"))
            )
        else:
            rows = (
                scope.volumes()
                .values("service_id", "channel_id")
                .annotate(
                    n=Sum("count"), cost=Sum(F("count") * in_force_pence(scope.organisation_id))
                )
            )
        counts: dict[int, dict[int, int]] = defaultdict(dict)
        costs: dict[int, dict[int, int]] = defaultdict(dict)
        for row in rows:
            counts[row["service_id"]][row["channel_id"]] = row["n"]
            if row["cost"] is not None:
                costs[row["service_id"]][row["channel_id"]] = int(row["cost"])
        return counts, costs


class SeriesByChannel:
    """Σ count per time bucket (week or month) and channel, for one service or all."""

    def run(
        self, scope: Scope, grain: str = "month", measure: str = Measure.TRANSACTIONS
    ) -> dict[date, dict[int, int]]:
        out: dict[date, dict[int, int]] = defaultdict(dict)
        if grain == "month" and scope.whole_months:
            source: QuerySet[Any, Any] = scope.months(measure).annotate(bucket=F("month"))
        else:
            trunc = TruncWeek("period_start") if grain == "week" else TruncMonth("period_start")
            source = scope.volumes(measure).annotate(bucket=trunc)
        for row in (
            source.values("bucket", "channel_id").annotate(n=Sum("count")).order_by("bucket")
        ):
            bucket = row["bucket"]
            bucket = bucket.date() if hasattr(bucket, "date") else bucket
            out[bucket][row["channel_id"]] = row["n"]
        return dict(sorted(out.items()))


@dataclass(frozen=True)
class QuarterFigures:
    quarter: date
    counts: dict[int, int]
    cost_pence: int
    uncosted: frozenset[int] = frozenset()  # channels with transactions but no unit cost


class QuarterlyFigures:
    """Each service's transactions (or starts) by channel and their cost per calendar quarter:
    the public pages. A quarter of the financial year is a calendar quarter, labelled apart."""

    def run(
        self, scope: Scope, measure: str = Measure.TRANSACTIONS
    ) -> dict[int, list[QuarterFigures]]:
        counts: dict[tuple[int, date], dict[int, int]] = defaultdict(dict)
        costs: dict[tuple[int, date], int] = defaultdict(int)
        if scope.whole_months:
            rows: QuerySet[Any, Any] = (
                scope.months(measure)
                .annotate(bucket=TruncQuarter("month"))
                .values("service_id", "bucket", "channel_id")
                .annotate(n=Sum("count"), cost=Sum("cost_pence"))
                .order_by("bucket")
            )
        else:
            rows = (
                scope.volumes(measure)
                .annotate(bucket=TruncQuarter("period_start"))
                .values("service_id", "bucket", "channel_id")
                .annotate(
                    n=Sum("count"), cost=Sum(F("count") * in_force_pence(scope.organisation_id))
                )
                .order_by("bucket")
            )
        uncosted: dict[tuple[int, date], set[int]] = defaultdict(set)
        for row in rows:
            bucket = row["bucket"]
            key = (row["service_id"], bucket.date() if hasattr(bucket, "date") else bucket)
            counts[key][row["channel_id"]] = row["n"]
            costs[key] += int(row["cost"] or 0)
            if row["cost"] is None and row["n"]:
                uncosted[key].add(row["channel_id"])
        found: dict[int, list[QuarterFigures]] = defaultdict(list)
        for key in sorted(counts, key=lambda k: k[1]):
            found[key[0]].append(
                QuarterFigures(key[1], counts[key], costs[key], frozenset(uncosted[key]))
            )
        return dict(found)


class MonthlyTakeUpByService:
    """Digital and all transactions per service per month: the overview's sparklines."""

    def run(self, scope: Scope, flags: ChannelFlags) -> dict[int, list[tuple[date, int, int]]]:
        source = (
            scope.months().annotate(bucket=F("month"))
            if scope.whole_months
            else scope.volumes().annotate(bucket=TruncMonth("period_start"))
        )
        rows = (
            source.values("service_id", "bucket")
            .annotate(
                digital=Sum("count", filter=Q(channel_id__in=flags.digital)),
                total=Sum("count"),
            )
            .values_list("service_id", "bucket", "digital", "total")
            .order_by("service_id", "bucket")
        )
        out: dict[int, list[tuple[date, int, int]]] = defaultdict(list)
        for service_id, bucket, digital, total in rows:
            month = bucket.date() if hasattr(bucket, "date") else bucket
            out[service_id].append((month, digital or 0, total))
        return out


def visits_in(scope: Scope) -> int | None:
    """The counted web visits to the scope's services in its dates; None when the ledger has
    none (no visits imported for them), as against 0 visits."""
    total: int | None = scope.volumes(Measure.VISITS).aggregate(n=Sum("count"))["n"]
    return total


def latest_date(organisation: Organisation) -> date | None:
    """The first day of the latest transactions figure (an index scan, newest first)."""
    row = (
        Volume.objects.filter(organisation=organisation, counted=True, measure=Measure.TRANSACTIONS)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .first()
    )
    return row


def overdue_sources_by_service(scope: Scope) -> dict[int, list[DataSource]]:
    """The overdue sources whose figures appear in the scope, per service. Sources are few, so
    the check is in Python, and the volumes are read only when a source is late."""
    sources = {
        s.pk: s
        for s in DataSource.objects.filter(organisation_id=scope.organisation_id)
        if s.overdue_since()
    }
    if not sources:
        return {}
    pairs = (
        scope.volumes()
        .filter(source_id__in=sources)
        .values_list("service_id", "source_id")
        .distinct()
    )
    out: dict[int, list[DataSource]] = defaultdict(list)
    for service_id, source_id in pairs:
        out[service_id].append(sources[source_id])
    return out


def superseded_by_source(scope: Scope) -> dict[str, int]:
    """Figures in the scope that a source reported but another, higher-priority source also
    reported (so they are not counted), by the superseded source's name."""
    qs = Volume.objects.filter(
        organisation_id=scope.organisation_id,
        counted=False,
        period_start__gte=scope.start,
        period_start__lte=scope.end,
    )
    if scope.service_ids is not None:
        qs = qs.filter(service_id__in=scope.service_ids)
    return {
        row["source__name"]: row["n"]
        for row in qs.values("source__name").annotate(n=Count("id")).order_by("source__name")
    }


def published_figures(service_id: int) -> dict[tuple[str, int, str], dict[date, Decimal]]:
    """A service's published figures: (source name, months, kind) → {period end: value}."""
    found: dict[tuple[str, int, str], dict[date, Decimal]] = {}
    rows = PublishedFigure.objects.filter(service_id=service_id).values_list(
        "source__name", "months", "kind", "period_end", "value"
    )
    for source, months, kind, end, value in rows:
        found.setdefault((source, months, kind), {})[end] = value
    return found


def take_up_channel_ids(organisation_id: int) -> list[int]:
    """The channels whose transactions count towards digital take-up."""
    return [
        c.pk
        for c in Channel.objects.filter(organisation_id=organisation_id)
        if c.counts_towards_take_up
    ]


def daily_take_up_transactions(scope: Scope) -> dict[int, dict[date, float]]:
    """Counted daily transactions in the take-up channels, per service and day (daily figures
    only: weekly and monthly ones are never spread over days)."""
    out: dict[int, dict[date, float]] = defaultdict(dict)
    rows = (
        scope.volumes()
        .filter(period="day", channel_id__in=take_up_channel_ids(scope.organisation_id))
        .values("service_id", "period_start")
        .annotate(n=Sum("count"))
    )
    for row in rows:
        out[row["service_id"]][row["period_start"]] = float(row["n"])
    return out


def daily_transactions_with_take_up(scope: Scope) -> list[tuple[date, int, int]]:
    """(day, transactions in every channel, of them in the take-up channels), counted daily
    figures only, by day."""
    take_up = take_up_channel_ids(scope.organisation_id)
    rows = (
        scope.volumes()
        .filter(period="day")
        .values("period_start")
        .annotate(n=Sum("count"), digital=Sum("count", filter=Q(channel_id__in=take_up)))
        .order_by("period_start")
    )
    return [(r["period_start"], r["n"], r["digital"] or 0) for r in rows]


def transactions_total(scope: Scope) -> int:
    """Counted transactions in every channel and grain starting in the scope."""
    return scope.volumes().aggregate(n=Sum("count"))["n"] or 0


def latest_daily_transactions(organisation_id: int, service_id: int) -> date | None:
    """The last day with a counted daily transactions figure for the service."""
    return (
        Volume.objects.filter(
            organisation_id=organisation_id,
            service_id=service_id,
            counted=True,
            measure=Measure.TRANSACTIONS,
            period="day",
        )
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .first()
    )


def unit_costs_in_force_by(organisation: Organisation, end: date) -> list[UnitCost]:
    """Unit costs that took effect by `end`, by channel, the latest first."""
    return list(
        UnitCost.objects.filter(organisation=organisation, effective_from__lte=end)
        .select_related("channel")
        .order_by("channel__position", "-effective_from")
    )


def recent_batches(organisation: Organisation, n: int = 20) -> list[ImportBatch]:
    return list(
        ImportBatch.objects.filter(organisation=organisation).select_related(
            "source", "uploaded_by"
        )[:n]
    )


def batch_of(organisation: Organisation, pk: int) -> ImportBatch:
    return get_object_or_404(
        ImportBatch.objects.select_related("source"), organisation=organisation, pk=pk
    )


def sources_of(organisation: Organisation) -> QuerySet[DataSource]:
    """The organisation's sources; each knows whether it ever had figures imported."""
    return DataSource.objects.filter(organisation=organisation).annotate(
        has_figures=Exists(Volume.objects.filter(organisation=organisation, source=OuterRef("pk")))
        | Exists(PublishedFigure.objects.filter(source=OuterRef("pk")))
        | Exists(ImportBatch.objects.filter(source=OuterRef("pk"), status="applied"))
    )


def source_of(organisation: Organisation, slug: str) -> DataSource:
    return get_object_or_404(DataSource, organisation=organisation, slug=slug)


def monthly_take_up_counts(
    organisation_id: int, through: date
) -> dict[int, dict[date, tuple[int, int]]]:
    """Each service's monthly (take-up channels, all channels) transactions to `through`."""
    take_up = take_up_channel_ids(organisation_id)
    rows = (
        VolumeMonth.objects.filter(
            organisation_id=organisation_id, measure=Measure.TRANSACTIONS, month__lte=through
        )
        .values("service_id", "month")
        .annotate(n=Sum("count"), digital=Sum("count", filter=Q(channel_id__in=take_up)))
    )
    found: dict[int, dict[date, tuple[int, int]]] = defaultdict(dict)
    for r in rows:
        found[r["service_id"]][r["month"]] = (r["digital"] or 0, r["n"])
    return found


def forecasts_of(organisation: Organisation) -> dict[int, ServiceForecast]:
    return {f.service_id: f for f in ServiceForecast.objects.filter(organisation=organisation)}


def forecast_of(service_id: int) -> ServiceForecast | None:
    return ServiceForecast.objects.filter(service_id=service_id).first()


def latest_covered_day(organisation_id: int) -> date | None:
    """The last day the transactions figures cover: a monthly figure covers its month, a weekly
    one its week. One query: the latest start of each grain, each an index probe."""

    def latest(period: str) -> Subquery:
        return Subquery(
            Volume.objects.filter(
                organisation_id=organisation_id,
                counted=True,
                measure=Measure.TRANSACTIONS,
                period=period,
            )
            .order_by("-period_start")
            .values("period_start")[:1]
        )

    last = Organisation.objects.filter(pk=organisation_id).aggregate(
        day=Max(latest("day")), week=Max(latest("week")), month=Max(latest("month"))
    )
    ends = []
    if last["month"]:
        ends.append(periods.month(last["month"]).end)
    if last["week"]:
        ends.append(last["week"] + timedelta(days=6))
    if last["day"]:
        ends.append(last["day"])
    return max(ends, default=None)


def public_services_of(organisation_slug: str) -> tuple[Organisation, list[Service]]:
    """An organisation's active services that it publishes, for its public index (404 for an
    organisation with none: nothing about it is public)."""
    services = list(
        Service.objects.filter(organisation__slug=organisation_slug, active=True, public=True)
        .select_related("organisation", "area")
        .order_by("area__name", "name")
    )
    if not services:
        raise Http404("No public services")
    return services[0].organisation, services
