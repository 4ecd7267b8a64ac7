"""The comparison page as a whole: for each LGSL service the organisation runs, its figures for
the latest complete quarter beside the quartiles of its peers (the organisations of its kind
that share), its rank, and central government's figure where one is comparable.

Figures come from the ledger's monthly totals and maths (ledger.kpi) and the exit survey's
satisfaction (insight.stats), the same definitions as on every other page."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from takeup.catalogue.lgsl import lgsl_label
from takeup.charts import PALETTE, VEGA_LITE_SCHEMA, Cell, Chart
from takeup.insight import stats as insight_stats
from takeup.insight.stats import Answers
from takeup.ledger import kpi, periods
from takeup.ledger.queries import ChannelFlags
from takeup.organisations.models import Organisation

from . import queries, stats
from .queries import CodeCounts, ReferenceFigure

# A council's satisfaction counts only with this many answers in the quarter: fewer say little.
MIN_ANSWERS = 10


@dataclass(frozen=True)
class Figure:
    key: str
    title: Any  # lazy text
    unit: str  # "%" or "£"
    higher_is_better: bool


FIGURES = (
    Figure("take_up", gettext_lazy("Digital take-up"), "%", True),
    Figure("cost", gettext_lazy("Cost per transaction"), "£", False),
    Figure("satisfaction", gettext_lazy("User satisfaction"), "%", True),
)


@dataclass(frozen=True)
class Compared:
    """One figure of one service: yours, the peers' spread and your rank among them."""

    yours: float | None
    spread: stats.Spread | None
    rank: stats.Rank | None
    peers_with_figure: int


@dataclass(frozen=True)
class ServiceRow:
    code: int
    label: str
    services: tuple[str, ...]  # your services with this code
    compared: dict[str, Compared]
    reference: ReferenceFigure | None
    cost_leaves_out: tuple[str, ...] = ()

    @property
    def reference_take_up(self) -> float | None:
        return None if self.reference is None else reference_take_up(self.reference)


@dataclass(frozen=True)
class ComparisonPage:
    quarter: periods.Range | None
    quarter_label: str
    sharing: bool
    kind: str
    peers: int  # organisations of your kind that share
    rows: tuple[ServiceRow, ...]
    charts: tuple[Chart, ...]
    uncoded: int  # your active services without an LGSL code

    @property
    def references(self) -> list[ServiceRow]:
        return [r for r in self.rows if r.reference is not None]


def quarter_label(quarter: periods.Range) -> str:
    """ "July to September 2026 (2026/27 Q2)": financial-year quarters, April to March."""
    first_year = quarter.start.year if quarter.start.month >= 4 else quarter.start.year - 1
    return _("%(first)s to %(last)s (%(year)s Q%(number)s)") % {
        "first": date_format(quarter.start, "F"),
        "last": date_format(quarter.end, "F Y"),
        "year": f"{first_year}/{str(first_year + 1)[-2:]}",
        "number": (quarter.start.month - 4) % 12 // 3 + 1,
    }


def figures_of(
    counts: CodeCounts | None, flags: ChannelFlags | None, answers: Sequence[Answers]
) -> dict[str, float | None]:
    """One organisation's three figures for one LGSL service. Cost per transaction is the
    ledger's (kpi.Cost): a channel with transactions and no unit cost, not marked "no cost to
    us", is left out of both the cost and the transactions it is divided by (and named)."""
    out: dict[str, float | None] = {"take_up": None, "cost": None, "satisfaction": None}
    if counts is not None and flags is not None:
        out["take_up"] = kpi.digital_take_up(flags.counts(counts.counts)).percent
        left_out = counts.uncosted - flags.no_cost
        total = sum(counts.counts.values())
        priced = total - sum(counts.counts[c] for c in left_out)
        pence = kpi.Cost(
            counts.cost_pence, total, frozenset(left_out), priced
        ).pence_per_transaction
        out["cost"] = None if pence is None else pence / 100
    share = insight_stats.satisfaction(answers)
    if share.n >= MIN_ANSWERS and share.value is not None:
        out["satisfaction"] = 100 * share.value
    return out


def leaves_out(counts: CodeCounts | None, flags: ChannelFlags | None) -> list[str]:
    """The channels your cost per transaction leaves out, by name."""
    if counts is None or flags is None:
        return []
    return flags.named(counts.uncosted - flags.no_cost)


def comparison_page(organisation: Organisation) -> ComparisonPage:
    quarter = queries.latest_quarter(organisation)
    services = list(queries.coded_services(organisation))
    peer_ids = list(queries.peers_of(organisation).values_list("pk", flat=True))
    codes = sorted({s.lgsl for s in services if s.lgsl is not None})
    empty = ComparisonPage(
        quarter=quarter,
        quarter_label=quarter_label(quarter) if quarter else "",
        sharing=organisation.shares_figures,
        kind=organisation.get_kind_display(),
        peers=len(peer_ids),
        rows=(),
        charts=(),
        uncoded=queries.uncoded_count(organisation),
    )
    if quarter is None or not codes:
        return empty
    ids = [organisation.pk, *peer_ids]
    counts = queries.quarter_by_code(ids, codes, quarter)
    flags = queries.channel_flags(ids)
    answers = queries.answers_by_code(ids, codes, quarter)
    references = queries.central_government(organisation, codes)
    rows = []
    for code in codes:
        figures = {
            org_id: figures_of(
                counts.get((org_id, code)), flags.get(org_id), answers[(org_id, code)]
            )
            for org_id in ids
        }
        compared = {}
        for figure in FIGURES:
            yours = figures[organisation.pk][figure.key]
            theirs = [v for p in peer_ids if (v := figures[p][figure.key]) is not None]
            compared[figure.key] = Compared(
                yours,
                stats.spread(theirs),
                None
                if yours is None
                else stats.rank(yours, theirs, higher_is_better=figure.higher_is_better),
                len(theirs),
            )
        rows.append(
            ServiceRow(
                code,
                lgsl_label(code),
                tuple(s.name for s in services if s.lgsl == code),
                compared,
                references.get(code),
                tuple(leaves_out(counts.get((organisation.pk, code)), flags.get(organisation.pk))),
            )
        )
    return ComparisonPage(
        **{
            **empty.__dict__,
            "rows": tuple(rows),
            "charts": tuple(_chart(figure, rows) for figure in FIGURES),
        }
    )


def note(compared: Compared, left_out: Sequence[str] = ()) -> str:
    if compared.spread is None:
        return _("Not shown: fewer than %(n)d other councils of your kind have this figure.") % {
            "n": stats.MIN_PEERS
        }
    if compared.yours is None:
        return _("You have no figure for this quarter.")
    if left_out:
        return _("Yours leaves out %(channels)s: no unit cost.") % {"channels": ", ".join(left_out)}
    return ""


def _round(value: float | None, unit: str) -> float | None:
    return None if value is None else round(value, 2 if unit == "£" else 1)


def rank_text(rank: stats.Rank | None) -> str:
    return "" if rank is None else _("%(position)d of %(of)d") % rank.__dict__


def _chart(figure: Figure, rows: Sequence[ServiceRow]) -> Chart:
    """Each service's peers as a bar from the lower to the upper quartile, a tick at the median
    and a dot for you; the table beside it has every service, shown or not, and why not."""
    unit = "(£)" if figure.unit == "£" else "(%)"
    title = f"{figure.title} {unit}"
    labels = {
        "service": _("Service (LGSL)"),
        "yours": _("Yours"),
        "lower": _("Lower quartile"),
        "median": _("Median"),
        "upper": _("Upper quartile"),
    }
    records: list[dict[str, Cell]] = []
    table: list[tuple[Cell, ...]] = []
    for row in rows:
        c = row.compared[figure.key]
        name = f"{row.label} ({row.code})"
        s = c.spread
        values = {
            "yours": _round(c.yours, figure.unit),
            "lower": _round(s.lower_quartile, figure.unit) if s else None,
            "median": _round(s.median, figure.unit) if s else None,
            "upper": _round(s.upper_quartile, figure.unit) if s else None,
        }
        if s is not None:
            records.append({"service": name, **values})
        left_out = row.cost_leaves_out if figure.key == "cost" else ()
        table.append((name, *values.values(), rank_text(c.rank), note(c, left_out)))
    y = {
        "field": "service",
        "type": "nominal",
        "title": labels["service"],
        "sort": None,
        "axis": {"labelLimit": 150},  # leaves room for the bars on a phone; the table has all
    }
    x_title = f"{figure.title} {unit}"
    tooltip = [{"field": k, "title": str(v)} for k, v in labels.items()]
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": title,
        "width": "container",
        "data": {"values": records},
        "encoding": {"y": y},
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 8, "color": PALETTE[0], "opacity": 0.4},
                "encoding": {
                    "x": {"field": "lower", "type": "quantitative", "title": x_title},
                    "x2": {"field": "upper"},
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "tick", "color": PALETTE[0], "thickness": 3},
                "encoding": {"x": {"field": "median", "type": "quantitative"}},
            },
            {
                "mark": {"type": "point", "filled": True, "size": 90, "color": PALETTE[1]},
                "encoding": {"x": {"field": "yours", "type": "quantitative"}, "tooltip": tooltip},
            },
        ],
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
    }
    return Chart(
        id=f"comparison-{figure.key.replace('_', '-')}",
        title=title,
        spec=spec,
        columns=(*labels.values(), _("Your rank"), _("Note")),
        rows=tuple(table),
        description=_(
            "The bar runs from the lower to the upper quartile of councils of your kind, the "
            "line across it is their median, and the dot is yours."
        ),
        numeric_columns=frozenset({1, 2, 3, 4}),
        wide=True,
    )


CSV_COLUMNS = (
    "lgsl",
    "lgsl_label",
    "your_services",
    "figure",
    "group",
    "yours",
    "peers",
    "lower_quartile",
    "median",
    "upper_quartile",
    "rank",
    "of",
    "note",
)


def csv_rows(page: ComparisonPage) -> list[tuple[object, ...]]:
    """The page's figures, one row per service and figure, and central government's apart."""
    out: list[tuple[object, ...]] = []
    for row in page.rows:
        names = "; ".join(row.services)
        for figure in FIGURES:
            c = row.compared[figure.key]
            s = c.spread
            out.append(
                (
                    row.code,
                    row.label,
                    names,
                    figure.key,
                    page.kind,
                    _round(c.yours, figure.unit),
                    s.peers if s else "",
                    _round(s.lower_quartile, figure.unit) if s else "",
                    _round(s.median, figure.unit) if s else "",
                    _round(s.upper_quartile, figure.unit) if s else "",
                    c.rank.position if c.rank else "",
                    c.rank.of if c.rank else "",
                    note(c, row.cost_leaves_out if figure.key == "cost" else ()),
                )
            )
        ref = row.reference
        if ref is not None:
            take_up = reference_take_up(ref)
            for key, value in (("take_up", take_up), ("cost", ref.cost_per_transaction)):
                if value is not None:
                    out.append(
                        (
                            row.code,
                            row.label,
                            ref.service,
                            key,
                            "central government",
                            _round(value, "£" if key == "cost" else "%"),
                            "",
                            "",
                            "",
                            "",
                            "",
                            "",
                            _("Published by GOV.UK for the quarter to %(date)s.")
                            % {"date": ref.period_end.isoformat()},
                        )
                    )
    return out


def reference_take_up(ref: ReferenceFigure) -> float | None:
    if ref.transactions is None or ref.digital_transactions is None:
        return None
    return kpi.ratio(ref.digital_transactions, ref.transactions).percent
