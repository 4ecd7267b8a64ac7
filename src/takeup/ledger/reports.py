"""The dashboard's figures, composed from the metric queries (queries.py) and the KPI maths
(kpi.py). Every figure keeps the counts and unit costs behind it."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation

from . import kpi, periods, published, saving
from .models import DataSource, Measure
from .periods import Range
from .queries import (
    ChannelFlags,
    CountsByMeasure,
    CountsByServiceAndChannel,
    MonthlyByChannelAndMeasure,
    MonthlyTakeUpByService,
    Scope,
    TransactionsAndCost,
    UnitPrice,
    grains,
    overdue_sources_by_service,
    published_figures,
    unit_prices_on,
)

# Months of history behind each channel's dispersion (how much its figures vary).
DISPERSION_MONTHS = 24


@dataclass(frozen=True)
class ServiceFigures:
    service: Service
    counts: dict[int, int]
    take_up: kpi.Ratio
    take_up_with_assisted: kpi.Ratio
    baseline_take_up: kpi.Ratio
    change_points: float | None
    cost: kpi.Cost
    baseline_cost: kpi.Cost
    saving: saving.Saving | None
    contacts: int
    baseline_contacts: int
    completion: kpi.Ratio | None = None
    progress: kpi.Progress | None = None
    sparkline: list[tuple[date, float | None]] = field(default_factory=list)
    overdue_sources: list[DataSource] = field(default_factory=list)
    visits: int | None = None  # web visits to the service's pages; None when none imported
    online_transactions: int = 0

    @property
    def visits_per_transaction(self) -> float | None:
        """Web visits ÷ online transactions: how many visits one online transaction takes."""
        if self.visits is None or not self.online_transactions:
            return None
        return self.visits / self.online_transactions


def _cost(counts: dict[int, int], cost_pence: dict[int, int], flags: ChannelFlags) -> kpi.Cost:
    """What the transactions cost at the unit costs in force, naming the channels with figures
    and no unit cost (those marked "no cost to us" cost nothing and are not named)."""
    uncosted = frozenset(
        c for c, n in counts.items() if n > 0 and c not in cost_pence and c not in flags.no_cost
    )
    priced = sum(n for c, n in counts.items() if c not in uncosted)
    return kpi.Cost(sum(cost_pence.values()), sum(counts.values()), uncosted, priced)


def _saving(
    service_id: int,
    transactions: tuple[dict[int, int], dict[int, int]],
    measured: tuple[dict[tuple[int, str], int], dict[tuple[int, str], int]],
    monthly: dict[tuple[int, int, str], dict[date, int]],
    prices: dict[int, UnitPrice],
    flags: ChannelFlags,
    ranges: tuple[Range, Range],
    grains: dict[tuple[int, int, str], str],
) -> saving.Saving | None:
    """Contacts avoided in each channel that does not count towards take-up. A channel is
    compared on contacts where both periods have them, else on transactions; a channel with
    figures in only one of the two periods is left out and named."""
    now, before = measured
    period, baseline = ranges
    scale = period.days / baseline.days

    def own_scale(channel: int, measure: str) -> float | None:
        """A weekly or monthly channel's periods compared figure for figure, not day for day."""
        grain = grains.get((service_id, channel, measure), "day")
        if grain == "day":
            return None
        figures_now = saving.coverage(grain, period.start, period.end)
        return figures_now / max(1, saving.coverage(grain, baseline.start, baseline.end))

    inputs: list[saving.ChannelInput] = []
    missing: list[int] = []
    for channel in flags.order:
        if channel in flags.digital:
            continue
        measure = next(
            (
                m
                for m in (Measure.CONTACTS, Measure.TRANSACTIONS)
                if (channel, m) in now and (channel, m) in before
            ),
            None,
        )
        if measure is None:
            if any(key[0] == channel for key in (*now, *before)):
                missing.append(channel)
            continue
        price = prices.get(channel)
        own = own_scale(channel, measure)
        inputs.append(
            saving.ChannelInput(
                channel_id=channel,
                measure=measure,
                baseline=before[(channel, measure)],
                actual=now[(channel, measure)],
                dispersion=saving.dispersion(monthly.get((service_id, channel, measure), {})),
                pence_each=price.of(measure) if price else None,
                no_cost=channel in flags.no_cost,
                cashable=channel in flags.cashable,
                scale=own,
            )
        )
    # Demand is compared over the channels reported in both periods: a source that stopped
    # (or started) is not a change in demand.
    now_tx, before_tx = transactions
    both = now_tx.keys() & before_tx.keys()
    online = {c for c in both if c in flags.digital}
    offline = both - online

    def scaled(channels: set[int]) -> float:  # the baseline's transactions, scaled to the period
        return sum(before_tx[c] * (own_scale(c, Measure.TRANSACTIONS) or scale) for c in channels)

    return saving.channel_shift_saving(
        channels=inputs,
        demand_baseline=(scaled(offline) + scaled(online)) / scale,
        demand_now=saving.demand_now(
            offline_before=scaled(offline),
            offline_now=sum(now_tx[c] for c in offline),
            online_before=scaled(online),
            online_now=sum(now_tx[c] for c in online),
        ),
        scale=scale,
        missing=missing,
    )


def service_figures(
    organisation: Organisation,
    services: list[Service],
    period: Range,
    baseline: Range,
    *,
    flags: ChannelFlags | None = None,
    sparkline_months: int = 12,
) -> list[ServiceFigures]:
    """Take-up, change against the baseline, cost and saving for each service: the same few
    queries whatever the number of services."""
    flags = flags or ChannelFlags.of(organisation)
    ids = tuple(s.pk for s in services)
    now = Scope(organisation.pk, period.start, period.end, ids)
    before = Scope(organisation.pk, baseline.start, baseline.end, ids)
    counts, costs = TransactionsAndCost().run(now)
    baseline_counts, baseline_costs = TransactionsAndCost().run(before)
    # Web visits come in the same query as the contacts and transactions
    by_measure = CountsByMeasure().run(now, (*CountsByMeasure.MEASURES, Measure.VISITS))
    baseline_by_measure = CountsByMeasure().run(before)
    # Whole months only: a month cut short would read as a fall.
    month = periods.month(period.end)
    history_end = period.end if month.end == period.end else month.start - timedelta(days=1)
    history_start = (history_end.replace(day=1) - timedelta(days=31 * DISPERSION_MONTHS)).replace(
        day=1
    )
    monthly = MonthlyByChannelAndMeasure().run(
        Scope(organisation.pk, history_start, history_end, ids)
    )
    prices = unit_prices_on(organisation.pk, period.end)
    reported_at = grains(now)
    starts = CountsByServiceAndChannel().run(now, measure=Measure.STARTS)
    spark_start = (period.end.replace(day=1) - timedelta(days=31 * (sparkline_months - 1))).replace(
        day=1
    )
    spark = MonthlyTakeUpByService().run(
        Scope(organisation.pk, spark_start, period.end, ids), flags
    )
    sources = overdue_sources_by_service(now)
    rows = []
    for service in services:
        c = counts.get(service.pk, {})
        b = baseline_counts.get(service.pk, {})
        take_up = kpi.digital_take_up(flags.counts(c))
        base = kpi.digital_take_up(flags.counts(b))
        with_visits = by_measure.get(service.pk, {})
        measured = {k: n for k, n in with_visits.items() if k[1] != Measure.VISITS}
        visits = [n for (_, m), n in with_visits.items() if m == Measure.VISITS]
        measured_before = baseline_by_measure.get(service.pk, {})
        rows.append(
            ServiceFigures(
                service=service,
                counts=c,
                take_up=take_up,
                take_up_with_assisted=kpi.take_up_including_assisted(flags.counts(c)),
                baseline_take_up=base,
                change_points=kpi.change(take_up.percent, base.percent),
                cost=_cost(c, costs.get(service.pk, {}), flags),
                baseline_cost=_cost(b, baseline_costs.get(service.pk, {}), flags),
                saving=_saving(
                    service.pk,
                    (c, b),
                    (measured, measured_before),
                    monthly,
                    prices,
                    flags,
                    (period, baseline),
                    reported_at,
                ),
                contacts=sum(n for (_, m), n in measured.items() if m == Measure.CONTACTS),
                baseline_contacts=sum(
                    n for (_, m), n in measured_before.items() if m == Measure.CONTACTS
                ),
                completion=_completion(flags, c, starts.get(service.pk, {})),
                progress=kpi.progress_to_target(
                    baseline=base.percent,
                    current=take_up.percent,
                    target=float(service.target_percent),
                )
                if service.target_percent is not None
                and base.percent is not None
                and take_up.percent is not None
                else None,
                sparkline=[(m, d / t if t else None) for m, d, t in spark.get(service.pk, [])],
                overdue_sources=sources.get(service.pk, []),
                visits=sum(visits) if visits else None,
                online_transactions=sum(n for ch, n in c.items() if ch in flags.digital),
            )
        )
    return rows


def _completion(
    flags: ChannelFlags, done: dict[int, int], started: dict[int, int]
) -> kpi.Ratio | None:
    """Digital transactions completed ÷ digital starts, where the source reports starts."""
    started_total = sum(n for c, n in started.items() if c in flags.digital)
    if not started_total:
        return None
    return kpi.completion_rate(sum(n for c, n in done.items() if c in flags.digital), started_total)


def sparkline_label(points: list[tuple[date, float | None]]) -> str:
    """The sparkline in words, for screen readers: "Mar 2026 62%, Apr 2026 64%"."""
    return ", ".join(f"{m:%b %Y} {'–' if v is None else f'{v * 100:.0f}%'}" for m, v in points)


def sparkline_svg_points(
    points: list[tuple[date, float | None]], width: int = 120, height: int = 24
) -> str:
    """An SVG polyline's points for take-up 0–100% over the months given."""
    values = [(i, v) for i, (_, v) in enumerate(points) if v is not None]
    if len(points) < 2 or not values:
        return ""
    step = width / (len(points) - 1)
    return " ".join(f"{i * step:.1f},{height - v * height:.1f}" for i, v in values)


@dataclass(frozen=True)
class PublishedTotals:
    """One period's published totals, with the digital share they give."""

    label: str
    period_end: date
    transactions: Decimal | None
    digital: Decimal | None
    cost_per_transaction: Decimal | None
    digital_cost_per_transaction: Decimal | None

    @property
    def digital_share(self) -> float | None:
        if self.transactions and self.digital is not None:
            return float(self.digital / self.transactions * 100)
        return None


@dataclass(frozen=True)
class PublishedReport:
    """What publishers printed about a service, each figure shown only as itself: rolling
    12-month totals (which overlap, so are never added up), quarters, and monthly percentages
    with the satisfaction definition each month follows."""

    source: str
    rolling: list[PublishedTotals]
    quarters: list[PublishedTotals]
    satisfaction: list[published.SatisfactionMonth]
    take_up: list[tuple[date, Decimal]]
    uptime: list[tuple[date, Decimal]]

    @property
    def definition_breaks(self) -> list[date]:
        return [m.month for m in self.satisfaction if m.break_before]


def published_report(service: Service) -> list[PublishedReport]:
    """One report per source that published figures for the service."""
    figures = published_figures(service.pk)
    reports = []
    for source in sorted({s for s, _, _ in figures}):

        def totals(months: int, source: str = source) -> list[PublishedTotals]:
            by_kind = {k: v for (s, m, k), v in figures.items() if s == source and m == months}
            ends = sorted({end for values in by_kind.values() for end in values})
            return [
                PublishedTotals(
                    published.span_label(end, months),
                    end,
                    *(by_kind.get(kind, {}).get(end) for kind in TOTAL_KINDS),
                )
                for end in ends
            ]

        monthly = {k: v for (s, m, k), v in figures.items() if s == source and m == 1}
        reports.append(
            PublishedReport(
                source=source,
                rolling=totals(12),
                quarters=totals(3),
                satisfaction=published.satisfaction_months(monthly),
                take_up=sorted(monthly.get("take_up_percent", {}).items()),
                uptime=sorted(monthly.get("uptime_percent", {}).items()),
            )
        )
    return reports


TOTAL_KINDS = (
    "transactions",
    "digital_transactions",
    "cost_per_transaction",
    "digital_cost_per_transaction",
)
