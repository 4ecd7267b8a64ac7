"""Charts as data: a Vega-Lite spec built in Python with the table of figures it draws.

Pure (no Django): templates/partials/chart.html draws the spec with vega-embed and always shows the
table beside it, so the figures are there without JavaScript and for screen readers.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Cell = str | int | float | None

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
# GOV.UK Frontend's colour palette, so charts match the pages they sit on.
PALETTE = [
    "#1d70b8",
    "#f47738",
    "#00703c",
    "#912b88",
    "#d4351c",
    "#28a197",
    "#6f72af",
    "#b58840",
    "#505a5f",
    "#ffdd00",
]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    spec: dict[str, Any]
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    description: str = ""
    csv_url: str = ""
    numeric_columns: frozenset[int] = field(default_factory=frozenset)
    wide: bool = False  # a table too wide to sit beside the chart goes under it


def bar_chart(
    *,
    id: str,
    title: str,
    records: Sequence[dict[str, Cell]],
    category: str,
    value: str,
    colour: str | None = None,
    category_label: str,
    value_label: str,
    colour_label: str = "",
    description: str = "",
    csv_url: str = "",
    whole_numbers: bool = True,
    grouped: bool = False,
) -> Chart:
    """A horizontal bar chart of `value` by `category`, stacked by `colour` if given (side by
    side with `grouped`)."""
    encoding: dict[str, Any] = {
        "y": {"field": category, "type": "nominal", "title": category_label, "sort": None},
        "x": {
            "field": value,
            "type": "quantitative",
            "title": value_label,
            "stack": None if grouped else "zero",
            "axis": {"tickMinStep": 1, "format": "d"} if whole_numbers else {},
        },
        "tooltip": [
            {"field": category, "title": category_label},
            {"field": value, "title": value_label},
        ],
    }
    if colour:
        encoding["color"] = {
            "field": colour,
            "type": "nominal",
            "title": colour_label,
            "scale": {"range": PALETTE},
            "legend": {"orient": "bottom"},
        }
        encoding["tooltip"].insert(1, {"field": colour, "title": colour_label})
        if grouped:
            encoding["yOffset"] = {"field": colour}
    else:
        encoding["color"] = {"value": PALETTE[0]}
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": description or title,
        "width": "container",
        "data": {"values": list(records)},
        "mark": {"type": "bar"},
        "encoding": encoding,
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
    }
    keys = [category, *([colour] if colour else []), value]
    labels = [category_label, *([colour_label] if colour else []), value_label]
    return Chart(
        id=id,
        title=title,
        spec=spec,
        columns=tuple(labels),
        rows=tuple(tuple(r.get(k) for k in keys) for r in records),
        description=description,
        csv_url=csv_url,
        numeric_columns=frozenset({len(labels) - 1}),
    )


def time_chart(
    *,
    id: str,
    title: str,
    records: Sequence[dict[str, Cell]],
    time: str,
    value: str,
    time_label: str,
    value_label: str,
    colour: str | None = None,
    colour_label: str = "",
    stacked: bool = False,
    percent: bool = False,
    target: float | None = None,
    target_label: str = "",
    description: str = "",
    csv_url: str = "",
    table: tuple[tuple[str, ...], tuple[tuple[Cell, ...], ...]] | None = None,
    bands: Sequence[tuple[str, str, str]] = (),
    wide: bool = False,
) -> Chart:
    """A line over time (or stacked bars with `stacked`), by `colour` if given; `target` draws
    a dashed rule; `bands` (start, end, label) shade campaigns and notes. Percentages are 0–100."""
    y_axis: dict[str, Any] = {"format": ".0f"}
    if percent:
        y_axis = {"format": ".0f", "title": value_label, "labelExpr": "datum.label + '%'"}
    encoding: dict[str, Any] = {
        "x": {
            "field": time,
            "type": "temporal",
            "title": time_label,
            "axis": time_axis(records, time),
        },
        "y": {
            "field": value,
            "type": "quantitative",
            "title": value_label,
            "axis": y_axis,
            **({"scale": {"domain": [0, 100]}} if percent else {}),
            **({"stack": "zero"} if stacked else {}),
        },
        "tooltip": [
            {"field": time, "type": "temporal", "title": time_label, "format": "%d %b %Y"},
            {"field": value, "title": value_label, "format": ",.1f" if percent else ","},
        ],
    }
    if colour:
        encoding["color"] = {
            "field": colour,
            "type": "nominal",
            "title": colour_label,
            "scale": {"range": PALETTE},
            "legend": {"orient": "bottom"},
        }
        encoding["tooltip"].insert(1, {"field": colour, "title": colour_label})
    else:
        encoding["color"] = {"value": PALETTE[0]}
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "bar"} if stacked else {"type": "line", "point": True},
            "encoding": encoding,
        }
    ]
    if target is not None:
        layers.append(
            {
                "data": {"values": [{"target": target, "label": target_label}]},
                "mark": {"type": "rule", "strokeDash": [6, 4], "color": PALETTE[4]},
                "encoding": {
                    "y": {"field": "target", "type": "quantitative"},
                    "tooltip": [{"field": "label", "title": target_label}],
                },
            }
        )
    if bands:
        layers.insert(0, band_layer(bands, time_label))
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": description or title,
        "width": "container",
        "height": 220,
        "data": {"values": list(records)},
        "layer": layers,
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
    }
    keys = [time, *([colour] if colour else []), value]
    labels = [time_label, *([colour_label] if colour else []), value_label]
    rows = tuple(
        tuple(
            (f"{r.get(k):.1f}" if percent and k == value and r.get(k) is not None else r.get(k))
            for k in keys
        )
        for r in records
    )
    columns: tuple[str, ...] = tuple(labels)
    numeric = frozenset({len(labels) - 1})
    if table is not None:  # a wider table reads better, e.g. one column per channel
        columns, rows = table
        numeric = frozenset(range(1, len(columns)))
    return Chart(
        id=id,
        title=title,
        spec=spec,
        columns=columns,
        rows=rows,
        description=description,
        csv_url=csv_url,
        numeric_columns=numeric,
        wide=wide,
    )


def time_format(records: Sequence[dict[str, Cell]], time: str) -> str:
    """Axis labels at the grain of the figures: months as "Sep 2026"; days and weeks as
    "05 Sep", or a daily axis repeats "Sep 2026" under every tick."""
    days = {str(r.get(time))[:10] for r in records if r.get(time) is not None}
    if all(d.endswith("-01") for d in days):
        return "%b %Y"
    years = {d[:4] for d in days}
    return "%d %b" if len(years) == 1 else "%d %b %Y"


def time_axis(records: Sequence[dict[str, Cell]], time: str) -> dict[str, Any]:
    """The time axis: labels at the figures' grain, and for monthly figures a tick a month at
    most, so a short series does not repeat "Sep 2026" under weekly ticks."""
    axis: dict[str, Any] = {"format": time_format(records, time), "labelAngle": -40}
    if axis["format"] == "%b %Y":
        shown = {str(r.get(time))[:7] for r in records if r.get(time) is not None}
        months = len(shown)
        if shown and all(m[5:7] in ("01", "04", "07", "10") for m in shown):
            # quarterly figures: a tick a quarter, never one between them
            axis["tickCount"] = {"interval": "month", "step": 3 * max(1, months // 12)}
        else:
            axis["tickCount"] = {"interval": "month", "step": max(1, months // 12)}
    return axis


def band_layer(bands: Sequence[tuple[str, str, str]], time_label: str) -> dict[str, Any]:
    """Shaded date ranges behind a time chart, each with its label as a tooltip."""
    return {
        "data": {"values": [{"start": a, "end": b, "note": label} for a, b, label in bands]},
        "mark": {"type": "rect", "opacity": 0.15, "color": PALETTE[7]},
        "encoding": {
            "x": {"field": "start", "type": "temporal", "title": time_label},
            "x2": {"field": "end"},
            "tooltip": [{"field": "note", "title": "Note"}],
        },
    }


def interval_chart(
    *,
    id: str,
    title: str,
    records: Sequence[dict[str, Cell]],
    time_label: str,
    observed_label: str,
    expected_label: str,
    interval_label: str,
    description: str = "",
    csv_url: str = "",
    table: tuple[tuple[str, ...], tuple[tuple[Cell, ...], ...]],
) -> Chart:
    """What was seen against what was expected, with the expectation's 95% band.
    records have: time, observed, expected, lower, upper."""
    x = {"field": "time", "type": "temporal", "title": time_label, "axis": {"format": "%d %b %Y"}}
    tooltip = [
        {"field": "time", "type": "temporal", "title": time_label, "format": "%d %b %Y"},
        {"field": "observed", "title": observed_label, "format": ",.0f"},
        {"field": "expected", "title": expected_label, "format": ",.0f"},
    ]
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": description or title,
        "width": "container",
        "height": 240,
        "data": {"values": list(records)},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.25, "color": PALETTE[0]},
                "encoding": {
                    "x": x,
                    "y": {"field": "lower", "type": "quantitative", "title": interval_label},
                    "y2": {"field": "upper"},
                },
            },
            {
                "mark": {"type": "line", "strokeDash": [6, 4], "color": PALETTE[0]},
                "encoding": {"x": x, "y": {"field": "expected", "type": "quantitative"}},
            },
            {
                "mark": {"type": "line", "point": True, "color": PALETTE[1]},
                "encoding": {
                    "x": x,
                    "y": {"field": "observed", "type": "quantitative", "title": observed_label},
                    "tooltip": tooltip,
                },
            },
        ],
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
    }
    columns, rows = table
    return Chart(
        id=id,
        title=title,
        spec=spec,
        columns=columns,
        rows=rows,
        description=description,
        csv_url=csv_url,
        numeric_columns=frozenset(range(1, len(columns))),
    )


def range_chart(
    *,
    id: str,
    title: str,
    records: Sequence[dict[str, Cell]],
    category_label: str,
    value_label: str,
    lower_label: str,
    upper_label: str,
    percent: bool = False,
    description: str = "",
) -> Chart:
    """Figures with their 95% intervals, one row each: a dot on a line from lower to upper.
    records have: category, value, lower, upper."""
    y = {"field": "category", "type": "nominal", "title": category_label, "sort": None}
    scale = {"domain": [0, 100]} if percent else {"zero": True}
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": description or title,
        "width": "container",
        "data": {"values": list(records)},
        "layer": [
            {
                "mark": {"type": "rule", "color": PALETTE[0], "strokeWidth": 2},
                "encoding": {
                    "y": y,
                    "x": {
                        "field": "lower",
                        "type": "quantitative",
                        "title": value_label,
                        "scale": scale,
                    },
                    "x2": {"field": "upper"},
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 80, "color": PALETTE[0]},
                "encoding": {
                    "y": y,
                    "x": {"field": "value", "type": "quantitative"},
                    "tooltip": [
                        {"field": "category", "title": category_label},
                        {"field": "value", "title": value_label},
                        {"field": "lower", "title": lower_label},
                        {"field": "upper", "title": upper_label},
                    ],
                },
            },
        ],
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": None}},
    }
    return Chart(
        id=id,
        title=title,
        spec=spec,
        columns=(
            category_label,
            value_label,
            lower_label,
            upper_label,
        ),
        rows=tuple(
            (r.get("category"), r.get("value"), r.get("lower"), r.get("upper")) for r in records
        ),
        description=description,
        numeric_columns=frozenset({1, 2, 3}),
    )
