"""The dashboard's figures, composed from the metric queries (queries.py) and the KPI maths
(kpi.py), and the pages built from them (service_page_report). Every figure keeps the counts
and unit costs behind it."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from takeup.catalogue.models import Service, UnitCost
from takeup.charts import Chart, time_chart
from takeup.organisations.models import Organisation

from . import kpi, periods, published, saving
from .models import DataSource, Measure, ServiceForecast
from .periods import Range
from .queries import (
    ChannelFlags,
    CountsByMeasure,
    CountsByServiceAndChannel,
    MonthlyByChannelAndMeasure,
    MonthlyTakeUpByService,
    Scope,
    SeriesByChannel,
    TransactionsAndCost,
    UnitPrice,
    forecast_of,
    grains,
    overdue_sources_by_service,
    published_figures,
    superseded_by_source,
    unit_costs_in_force_by,
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


@dataclass(frozen=True)
class OrganisationTotals:
    """The figures for all the services shown together: the overview's headline, the landing
    page and the monthly briefing all read them from here."""

    take_up: kpi.Ratio
    baseline_take_up: kpi.Ratio
    saving: saving.Money | None
    cashable_pence: int
    capacity_pence: int
    saving_no_unit_cost: list[str]
    saving_no_figures: list[str]
    cost_pence: int
    cost_leaves_out: list[str]
    any_overdue: bool

    @property
    def change_points(self) -> float | None:
        return kpi.change(self.take_up.percent, self.baseline_take_up.percent)


def organisation_totals(rows: list[ServiceFigures], flags: ChannelFlags) -> OrganisationTotals:
    """Transactions add up across services, savings add up with their variances."""
    return OrganisationTotals(
        take_up=kpi.ratio(sum(r.take_up.part for r in rows), sum(r.take_up.whole for r in rows)),
        baseline_take_up=kpi.ratio(
            sum(r.baseline_take_up.part for r in rows), sum(r.baseline_take_up.whole for r in rows)
        ),
        saving=saving.combine(r.saving for r in rows),
        cashable_pence=sum(r.saving.cashable.pence for r in rows if r.saving),
        capacity_pence=sum(r.saving.capacity.pence for r in rows if r.saving),
        saving_no_unit_cost=flags.named(
            set().union(*(r.saving.no_unit_cost for r in rows if r.saving))
        ),
        # A channel left out for want of a unit cost is named once, for that reason.
        saving_no_figures=flags.named(
            set().union(*(r.saving.no_figures for r in rows if r.saving))
            - set().union(*(r.saving.no_unit_cost for r in rows if r.saving))
        ),
        cost_pence=sum(r.cost.pence for r in rows),
        cost_leaves_out=flags.named(set().union(*(r.cost.uncosted_channels for r in rows))),
        any_overdue=any(r.overdue_sources for r in rows),
    )


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
    return ", ".join(
        f"{date_format(m, 'M Y')} {'–' if v is None else f'{v * 100:.0f}%'}" for m, v in points
    )


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


def _span_label(period_end: date, months: int) -> str:
    """published.span_label in the page's language: '12 months ending Sep 2017', 'Apr 2026'."""
    end = date_format(period_end, "M Y")
    if months == 1:
        return end
    if months == 3:
        start = date(
            period_end.year + (period_end.month - 3) // 12, (period_end.month - 3) % 12 + 1, 1
        )
        return _("%(start)s to %(end)s") % {"start": date_format(start, "M"), "end": end}
    return _("%(months)s months ending %(end)s") % {"months": months, "end": end}


def published_report(service: Service) -> list[PublishedReport]:
    """One report per source that published figures for the service."""
    figures = published_figures(service.pk)
    reports = []
    for source in sorted({key[0] for key in figures}):

        def totals(months: int, source: str = source) -> list[PublishedTotals]:
            by_kind = {k: v for (s, m, k), v in figures.items() if s == source and m == months}
            ends = sorted({end for values in by_kind.values() for end in values})
            return [
                PublishedTotals(
                    _span_label(end, months),
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


# --- the service page ------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceNotes:
    bands: list[tuple[str, str, str]]
    breaks: list[date]


@dataclass(frozen=True)
class ServicePage:
    """Everything the service page shows: the figures with the counts behind them, the charts
    (each with its table and CSV), the saving's working, what explains the charts, and what
    publishers printed about the service."""

    figures: ServiceFigures
    charts: list[Chart]  # take-up against the target, channel mix
    contacts_chart: Chart | None
    channel_rows: list[dict[str, Any]]
    avoided_rows: list[dict[str, Any]]
    cost_leaves_out: list[str]
    saving_no_unit_cost: list[str]
    saving_no_figures: list[str]
    contacts_per_transaction: float | None
    baseline_contacts_per_transaction: float | None
    unit_costs: list[UnitCost]
    superseded: dict[str, int]
    notes: ServiceNotes
    published: list[dict[str, Any]]
    published_reports: list[PublishedReport]
    counts_csv: str
    published_csv: str
    period: Range
    forecast: ServiceForecast | None
    forecast_chart: Chart | None
    target_gap: saving.TargetGap | None

    def download(self, name: str) -> tuple[list[str], list[tuple[Any, ...]]] | None:
        """The CSV called `name` (a chart's id, "counts" or "published"): columns and rows."""
        extra = [c for c in (self.contacts_chart, self.forecast_chart) if c is not None]
        charts = [*self.charts, *extra]
        for chart in charts:
            if chart.id == name:
                return list(chart.columns), list(chart.rows)
        if name == "counts":
            return (
                [_("channel"), _("transactions"), _("share %"), _("counts towards take-up")],
                [
                    (r["name"], r["count"], percent_text(r["share"]), _yes(r["digital"]))
                    for r in self.channel_rows
                ],
            )
        if name == "published":
            return (
                [_("source"), _("figure"), _("months"), _("period end"), _("value")],
                [
                    (r.source, kind, months, end.isoformat(), _plain(value))
                    for r in self.published_reports
                    for kind, months, end, value in _published_rows(r)
                ],
            )
        return None


def service_page_report(
    org: Organisation,
    service: Service,
    period: Range,
    baseline: Range,
    *,
    grain: str,
    csv_url: str,
) -> ServicePage:
    """The service page for a period against its baseline; `csv_url` + a download's name is its
    address. The charts show the twelve months to the period's end, so the trend is visible."""
    flags = ChannelFlags.of(org)
    figures = service_figures(org, [service], period, baseline, flags=flags)[0]
    history = Scope(
        org.pk,
        periods.month(period.end).start.replace(year=period.end.year - 1),
        period.end,
        (service.pk,),
    )
    series = SeriesByChannel().run(history, grain=grain)
    notes = _service_notes(service, history.start, period.end)
    take_up_chart = time_chart(
        id="take-up",
        title=_("Digital take-up against the target"),
        description=_("Digital take-up of %(service)s each %(grain)s, with its target.")
        % {"service": service.name, "grain": grain},
        records=[
            {
                "period": bucket.isoformat(),
                "take_up": kpi.digital_take_up(flags.counts(by_channel)).percent,
            }
            for bucket, by_channel in series.items()
        ],
        time="period",
        value="take_up",
        time_label=_("Period starting"),
        value_label=_("Digital take-up (%)"),
        percent=True,
        target=float(service.target_percent) if service.target_percent is not None else None,
        target_label=_("Target"),
        csv_url=csv_url + "take-up",
        bands=notes.bands,
    )
    mix_chart = _by_channel_chart(
        "channel-mix",
        _("Channel mix"),
        _("Transactions of %(service)s in each channel, stacked.") % {"service": service.name},
        series,
        flags,
        value_label=_("Transactions"),
        csv_url=csv_url + "channel-mix",
        bands=notes.bands,
        stacked=True,
    )
    total = figures.take_up.whole
    channel_rows = [
        {
            "name": flags.names[channel_id],
            "count": n,
            "share": n / total * 100 if total else None,
            "digital": channel_id in flags.digital,
            "assisted": channel_id in flags.assisted_digital,
            "costed": channel_id not in figures.cost.uncosted_channels,
        }
        for channel_id in flags.order
        if (n := figures.counts.get(channel_id)) is not None
    ]
    contacts_history = Scope(org.pk, min(baseline.start, history.start), period.end, (service.pk,))
    contact_series = SeriesByChannel().run(contacts_history, grain=grain, measure=Measure.CONTACTS)
    contacts_chart = _by_channel_chart(
        "contacts",
        _("Contacts by channel"),
        _("Contacts with %(service)s in each channel, from the baseline to the period's end.")
        % {"service": service.name},
        contact_series,
        flags,
        value_label=_("Contacts"),
        csv_url=csv_url + "contacts",
        bands=[(baseline.start.isoformat(), baseline.end.isoformat(), _("Baseline")), *notes.bands],
    )
    reports = published_report(service)
    saving = figures.saving
    return ServicePage(
        figures=figures,
        charts=[take_up_chart, mix_chart],
        contacts_chart=contacts_chart if contact_series else None,
        channel_rows=channel_rows,
        avoided_rows=_avoided_rows(figures, flags),
        cost_leaves_out=flags.named(figures.cost.uncosted_channels),
        saving_no_unit_cost=flags.named(saving.no_unit_cost) if saving else [],
        saving_no_figures=flags.named(saving.no_figures) if saving else [],
        contacts_per_transaction=_per(figures.contacts, figures.take_up.whole),
        baseline_contacts_per_transaction=_per(
            figures.baseline_contacts, figures.baseline_take_up.whole
        ),
        unit_costs=_unit_costs_used(org, period),
        superseded=superseded_by_source(Scope(org.pk, period.start, period.end, (service.pk,))),
        notes=notes,
        published=[_published_charts(r, i, csv_url) for i, r in enumerate(reports)],
        published_reports=reports,
        counts_csv=csv_url + "counts",
        published_csv=csv_url + "published",
        period=period,
        forecast=(stored := forecast_of(service.pk)),
        forecast_chart=_forecast_chart(service, stored, csv_url),
        target_gap=target_gap_of(service, stored, figures, period),
    )


def target_gap_of(
    service: Service, stored: ServiceForecast | None, figures: ServiceFigures, period: Range
) -> saving.TargetGap | None:
    """Meeting the target against the forecast's path, at the target date, a month: the
    transactions a month are the period's, per month."""
    if stored is None or not stored.status or service.target_percent is None:
        return None
    if service.target_date is None:
        return None
    month = f"{service.target_date:%Y-%m}"
    at = next((m for m in stored.months if m["month"] == month), None)
    if at is None:
        return None
    per_month = figures.take_up.whole / (period.days / 30.4375)
    return saving.target_gap(float(service.target_percent), at["point"], per_month, figures.saving)


def _forecast_chart(service: Service, stored: ServiceForecast | None, csv_url: str) -> Chart | None:
    """The stored forecast as a chart of its point with the intervals in its table."""
    if stored is None or not stored.months or stored.through is None:
        return None
    return time_chart(
        id="forecast",
        title=_("Where take-up is heading"),
        description=_(
            "Digital take-up forecast each month from the figures to %(month)s, with 80%% and "
            "95%% intervals: the figure should fall inside the 80%% interval four months in five."
        )
        % {"month": date_format(stored.through, "F Y")},
        records=[{"month": f"{m['month']}-01", "point": m["point"]} for m in stored.months],
        time="month",
        value="point",
        time_label=_("Month"),
        value_label=_("Forecast take-up (%)"),
        percent=True,
        target=float(service.target_percent) if service.target_percent is not None else None,
        target_label=_("Target"),
        csv_url=csv_url + "forecast",
        table=(
            (_("Month"), _("Forecast"), _("Interval (80%)"), _("Interval (95%)")),
            tuple(
                (
                    date_format(date.fromisoformat(f"{m['month']}-01"), "M Y"),
                    f"{m['point']:.1f}%",
                    f"{m['lower80']:.1f}–{m['upper80']:.1f}%",
                    f"{m['lower95']:.1f}–{m['upper95']:.1f}%",
                )
                for m in stored.months
            ),
        ),
    )


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


def percent_text(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _published_rows(report: PublishedReport) -> list[tuple[str, int, date, Decimal]]:
    rows: list[tuple[str, int, date, Decimal]] = []
    for months, totals in ((12, report.rolling), (3, report.quarters)):
        for t in totals:
            for kind, value in (
                ("transactions", t.transactions),
                ("digital_transactions", t.digital),
                ("cost_per_transaction", t.cost_per_transaction),
                ("digital_cost_per_transaction", t.digital_cost_per_transaction),
            ):
                if value is not None:
                    rows.append((kind, months, t.period_end, value))
    for m in report.satisfaction:
        if m.published is not None:
            rows.append(("satisfaction_percent", 1, m.month, m.published))
    rows += [("take_up_percent", 1, end, v) for end, v in report.take_up]
    rows += [("uptime_percent", 1, end, v) for end, v in report.uptime]
    return rows


def _published_charts(report: PublishedReport, index: int, csv_url: str) -> dict[str, Any]:
    """A source's published figures as charts with their tables: the digital share of each
    rolling 12-month total, and satisfaction with the month its definition changed."""
    rolling = None
    if report.rolling:
        rolling = time_chart(
            id=f"published-{index}-rolling",
            title=_("Published 12-month totals: %(source)s") % {"source": report.source},
            description=_(
                "Each figure covers the 12 months ending with the month shown. They overlap, "
                "so they are never added together; the digital share is digital transactions "
                "divided by transactions in all channels."
            ),
            records=[
                {"end": t.period_end.isoformat(), "share": t.digital_share}
                for t in report.rolling
                if t.digital_share is not None
            ],
            time="end",
            value="share",
            time_label=_("12 months ending"),
            value_label=_("Digital share (%)"),
            percent=True,
            wide=True,
            table=(
                (
                    _("12 months ending"),
                    _("Transactions"),
                    _("Digital"),
                    _("Digital share"),
                    _("Cost per transaction"),
                ),
                tuple(
                    (
                        date_format(t.period_end, "M Y"),
                        _whole(t.transactions),
                        _whole(t.digital),
                        percent_text(t.digital_share),
                        _pounds(t.cost_per_transaction),
                    )
                    for t in report.rolling
                ),
            ),
        )
    satisfaction = None
    if any(m.published is not None for m in report.satisfaction):
        last = report.satisfaction[-1].month.isoformat()
        satisfaction = time_chart(
            id=f"published-{index}-satisfaction",
            title=_("Published user satisfaction: %(source)s") % {"source": report.source},
            description=_(
                "The percentage as published each month. The table gives, beside it, what the "
                "month's answer counts give under each definition: the old performance "
                "platform's mean score (answers scored 0, 25, 50, 75 and 100, in %) and the share "
                "satisfied or very satisfied (%). The shaded months follow a different "
                "definition from the months before them: compare across the shading with care."
            ),
            records=[
                {"month": m.month.replace(day=1).isoformat(), "published": float(m.published)}
                for m in report.satisfaction
                if m.published is not None
            ],
            time="month",
            value="published",
            time_label=_("Month"),
            value_label=_("Published satisfaction (%)"),
            percent=True,
            wide=True,
            bands=[
                (b.replace(day=1).isoformat(), last, _("Definition changed"))
                for b in report.definition_breaks
            ],
            table=(
                (
                    _("Month"),
                    _("Published"),
                    _("Answers"),
                    _("Mean score"),
                    _("Share satisfied"),
                    _("Follows"),
                ),
                tuple(
                    (
                        date_format(m.month, "M Y"),
                        f"{_plain(m.published)}%" if m.published is not None else "–",
                        f"{m.answers:,}" if m.answers else "–",
                        f"{percent_text(m.mean_score)}%" if m.mean_score is not None else "–",
                        f"{percent_text(m.share)}%" if m.share is not None else "–",
                        str(FOLLOWS.get(m.follows, "–"))
                        + (f" ({_('definition changed')})" if m.break_before else ""),
                    )
                    for m in report.satisfaction
                ),
            ),
        )
    return {
        "report": report,
        "rolling": rolling,
        "satisfaction": satisfaction,
    }


def _whole(value: object) -> str:
    return f"{value:,.0f}" if value is not None else "–"


def _plain(value: Decimal) -> str:
    """A published number as written, without the storage's trailing zeros: 91, 44.2."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pounds(value: Decimal | None) -> str:
    """Pounds to the penny, or to the fraction of a penny where the figure is that small."""
    if value is None:
        return "–"
    return f"£{value:,.2f}" if value >= Decimal("0.1") else f"£{_plain(value)}"


FOLLOWS = {
    "mean": _lazy("mean score"),
    "share": _lazy("share satisfied"),
    "both": _lazy("both (too close to tell)"),
    "neither": _lazy("neither: check the published figure"),
}


def _per(part: int, whole: int) -> float | None:
    return part / whole if part and whole else None


def _avoided_rows(figures: ServiceFigures, flags: ChannelFlags) -> list[dict[str, Any]]:
    """The saving's working, a line per channel: what was expected, what came, the difference."""
    if figures.saving is None:
        return []
    return [
        {
            "name": flags.names[a.channel_id],
            "avoided": a,
            "measure": _("contacts") if a.measure == Measure.CONTACTS else _("transactions"),
            "no_cost": a.channel_id in flags.no_cost,
        }
        for a in figures.saving.channels
    ]


def _service_notes(service: Service, start: date, end: date) -> ServiceNotes:
    """Campaigns and notes to shade on the charts, and unexplained breaks (settings hooks), with
    the markers other apps add (a service's stages)."""
    extra = [
        band
        for name in settings.TAKEUP_SERVICE_BANDS
        for band in import_string(name)(service, start, end)
    ]
    if not settings.TAKEUP_SERVICE_NOTES:
        return ServiceNotes(extra, [])
    found = import_string(settings.TAKEUP_SERVICE_NOTES)(service, start, end)
    return ServiceNotes([*found.bands, *extra], found.breaks)


def _by_channel_chart(
    chart_id: str,
    title: str,
    description: str,
    series: dict[date, dict[int, int]],
    flags: ChannelFlags,
    *,
    value_label: str,
    csv_url: str,
    bands: list[tuple[str, str, str]],
    stacked: bool = False,
) -> Chart:
    """Counts over time, a colour per channel, with a table of a column per channel."""
    return time_chart(
        id=chart_id,
        title=title,
        stacked=stacked,
        description=description,
        records=[
            {"period": bucket.isoformat(), "channel": flags.names[c], "count": n}
            for bucket, by_channel in series.items()
            for c, n in sorted(by_channel.items(), key=lambda kv: flags.order.index(kv[0]))
        ],
        time="period",
        value="count",
        colour="channel",
        time_label=_("Period starting"),
        value_label=value_label,
        colour_label=_("Channel"),
        csv_url=csv_url,
        table=_mix_table(series, flags, _("Period starting")),
        bands=bands,
    )


def _mix_table(
    series: dict[date, dict[int, int]], flags: ChannelFlags, first: str
) -> tuple[tuple[str, ...], tuple[tuple[str | int | None, ...], ...]]:
    used = [c for c in flags.order if any(c in by_channel for by_channel in series.values())]
    columns = (first, *(flags.names[c] for c in used))
    rows: tuple[tuple[str | int | None, ...], ...] = tuple(
        (bucket.isoformat(), *(by_channel.get(c, 0) for c in used))
        for bucket, by_channel in series.items()
    )
    return columns, rows


def _unit_costs_used(org: Organisation, period: periods.Range) -> list[UnitCost]:
    """Every unit cost in force at some point in the period, per channel."""
    costs = unit_costs_in_force_by(org, period.end)
    used: list[UnitCost] = []
    for cost in costs:
        same = [c for c in used if c.channel_id == cost.channel_id]
        if not same or same[-1].effective_from > period.start:
            used.append(cost)
    return used
