"""The dashboard's figures, composed from the metric queries (queries.py) and the KPI maths
(kpi.py). Every figure keeps the counts and unit costs behind it."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from takeup.catalogue.models import Service
from takeup.organisations.models import Organisation

from . import kpi
from .models import DataSource, Measure
from .periods import Range
from .queries import (
    ChannelFlags,
    CountsByServiceAndChannel,
    MonthlyTakeUpByService,
    Scope,
    TransactionsAndCost,
    overdue_sources_by_service,
)


@dataclass(frozen=True)
class ServiceFigures:
    service: Service
    counts: dict[int, int]
    take_up: kpi.Ratio
    take_up_with_assisted: kpi.Ratio
    baseline_take_up: kpi.Ratio
    change_points: float | None
    cost: kpi.Cost
    saving_pence: int | None
    completion: kpi.Ratio | None = None
    progress: kpi.Progress | None = None
    sparkline: list[tuple[date, float | None]] = field(default_factory=list)
    overdue_sources: list[DataSource] = field(default_factory=list)


def _effective_pence(cost_pence: dict[int, int], counts: dict[int, int]) -> dict[int, int]:
    """The average unit cost each channel had over the period (what its figures cost ÷ them)."""
    return {c: round(p / counts[c]) for c, p in cost_pence.items() if counts.get(c)}


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
    baseline_counts = CountsByServiceAndChannel().run(before)
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
        pence = _effective_pence(costs.get(service.pk, {}), c)
        total_cost = kpi.cost(c, pence)
        rows.append(
            ServiceFigures(
                service=service,
                counts=c,
                take_up=take_up,
                take_up_with_assisted=kpi.take_up_including_assisted(flags.counts(c)),
                baseline_take_up=base,
                change_points=kpi.change(take_up.percent, base.percent),
                cost=kpi.Cost(
                    sum(costs.get(service.pk, {}).values()),
                    total_cost.transactions,
                    total_cost.uncosted_channels,
                ),
                saving_pence=kpi.channel_shift_saving(baseline=b, current=c, pence_each=pence)
                if b and c
                else None,
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
