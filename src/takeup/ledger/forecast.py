"""Where a service's digital take-up is heading: a forecast with 80% and 95% intervals, and
whether its target is in reach. Pure: counts in, percentages out (no Django).

Take-up is a proportion that follows an S-curve towards a ceiling, so the model works on the
logit of take-up, where a straight line is an S-curve: a local linear trend (a level and a
slope that both drift) in a state-space model, fitted by maximum likelihood with statsmodels.
A known switch (a service going online-only, a form withdrawn) is a step in the level from its
month, so it is not read as trend; the fitted step stays in the forecast. A campaign is a
temporary effect on the months it ran in: fitted, so its lift is not read as trend either, and
left out of the forecast (no campaign is assumed ahead). Months with too few
transactions to say anything are left out (the model treats them as missing).

docs/methods.md gives the backtest behind the intervals."""

import csv
import io
import itertools
import math
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

MIN_MONTHS = 12  # fewer months than this, and there is no trend to speak of
MIN_TRANSACTIONS = 20  # a month with fewer is too noisy to carry a take-up
Z80, Z95 = 1.2815515655446004, 1.959963984540054


class ForecastError(ValueError):
    """The series cannot be forecast; the message says why."""


@dataclass(frozen=True)
class Month:
    month: date  # its first day
    point: float  # take-up, per cent
    lower80: float
    upper80: float
    lower95: float
    upper95: float


@dataclass(frozen=True)
class Forecast:
    history: list[tuple[date, float | None]]  # each month's take-up, per cent
    months: list[Month]
    model: str

    def at(self, month: date) -> Month | None:
        first = month.replace(day=1)
        return next((m for m in self.months if m.month == first), None)


def month_add(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _logit(digital: float, total: float) -> float:
    p = (digital + 0.5) / (total + 1.0)  # kept off 0 and 1: a month of 0% stays finite
    return math.log(p / (1 - p))


def _percent(x: float) -> float:
    return 100.0 / (1.0 + math.exp(-x))


def forecast(
    months: list[date],
    digital: list[float],
    total: list[float],
    *,
    horizon: int = 24,
    switches: list[date] | None = None,
    campaigns: list[tuple[date, date]] | None = None,
) -> Forecast:
    """Monthly take-up from `digital` of `total` transactions each month (consecutive months,
    first days), forecast `horizon` months past the last, with intervals."""
    if not (len(months) == len(digital) == len(total)):
        raise ForecastError("The months, digital and total counts differ in length.")
    if horizon < 1 or horizon > 120:
        raise ForecastError("Forecast between 1 and 120 months ahead.")
    for a, b in itertools.pairwise(months):
        if month_add(a, 1) != b:
            raise ForecastError(f"The months must follow one another: {a} then {b}.")
    if any(d < 0 or t < 0 or d > t for d, t in zip(digital, total, strict=True)):
        raise ForecastError("Each month needs 0 ≤ digital ≤ total transactions.")
    y = np.array(
        [
            _logit(d, t) if t >= MIN_TRANSACTIONS else np.nan
            for d, t in zip(digital, total, strict=True)
        ]
    )
    usable = int(np.isfinite(y).sum())
    if usable < MIN_MONTHS:
        raise ForecastError(
            f"Only {usable} months have {MIN_TRANSACTIONS} or more transactions; a forecast needs "
            f"{MIN_MONTHS}."
        )
    steps = [s.replace(day=1) for s in switches or [] if months[0] < s.replace(day=1) <= months[-1]]
    columns = [[1.0 if m >= s else 0.0 for m in months] for s in steps]
    ahead_values = [1.0] * len(steps)  # a switch stays switched
    for start, end in campaigns or []:
        ran = [1.0 if m <= end and month_add(m, 1) > start else 0.0 for m in months]
        # A campaign every month of the history, or in none, cannot be told from the level.
        if 0 < sum(1 for r, v in zip(ran, y, strict=True) if r and np.isfinite(v)) < usable:
            columns.append(ran)
            ahead_values.append(0.0)
    exog = np.column_stack(columns) if columns else None
    future = np.tile(ahead_values, (horizon, 1)) if columns else None
    mean, sd = _fit(y, exog, future, horizon)
    history = [
        (m, 100.0 * d / t if t else None) for m, d, t in zip(months, digital, total, strict=True)
    ]
    ahead = [
        Month(
            month_add(months[-1], h + 1),
            _percent(mu),
            _percent(mu - Z80 * s),
            _percent(mu + Z80 * s),
            _percent(mu - Z95 * s),
            _percent(mu + Z95 * s),
        )
        for h, (mu, s) in enumerate(zip(mean, sd, strict=True))
    ]
    return Forecast(history, ahead, "local level or local linear trend on logit take-up")


def _fit(
    y: np.ndarray, exog: np.ndarray | None, future: np.ndarray | None, horizon: int
) -> tuple[list[float], list[float]]:
    """The forecast's mean and standard deviation on the logit scale, each month ahead.

    Two models are fitted, a local level (take-up drifts) and a local linear trend (it drifts
    and climbs), and their forecasts are averaged. Each model's own uncertainty assumes its
    disturbances stay as small as they were; real services change level (a redesign, a new
    definition), so each horizon's spread is at least what the series' own history shows: the
    errors of the averaged forecast made, with the fitted models, from earlier points."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    means, sds, hindsight = [], [], []
    for level in ("local level", "local linear trend"):
        model = UnobservedComponents(y, level=level, exog=exog)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter; the result is checked below
            result = model.fit(disp=False, maxiter=200)
        found = result.get_forecast(horizon, exog=future)
        mean = np.asarray(found.predicted_mean, dtype=float)
        sd = np.sqrt(np.asarray(found.var_pred_mean, dtype=float))
        if np.all(np.isfinite(mean)) and np.all(np.isfinite(sd)):
            means.append(mean)
            sds.append(sd)
            hindsight.append(_earlier_forecasts(result, len(y)))
    if not means:
        raise ForecastError("The model could not be fitted to this series.")
    # The two averaged, spread and all (a trend half-believed): on the backtest the average
    # beat either model alone, and the naive forecast (bench/forecast.py, docs/methods.md).
    mean = np.mean(means, axis=0)
    earlier = {o: np.mean([h[o] for h in hindsight], axis=0) for o in hindsight[0]}
    sd = np.maximum(np.mean(sds, axis=0), _history_spread(earlier, y, horizon))
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(sd))):
        raise ForecastError("The model could not be fitted to this series.")
    return mean.tolist(), sd.tolist()


def _earlier_forecasts(result: Any, n: int) -> dict[int, np.ndarray]:
    """Forecasts of the rest of the series from each of its last 36 points (at most), made
    with the fitted model (no refitting)."""
    return {
        origin: np.asarray(
            result.get_prediction(start=origin, end=n - 1, dynamic=True).predicted_mean,
            dtype=float,
        )
        for origin in range(max(MIN_MONTHS // 2, n - 36), n - 1)
    }


def _history_spread(earlier: dict[int, np.ndarray], y: np.ndarray, horizon: int) -> np.ndarray:
    """Root-mean-square error at each horizon of the forecasts made from earlier points; horizons
    the history is too short to show grow from the longest shown as the square root of the
    horizon, as a random walk's do."""
    errors: list[list[float]] = [[] for _ in range(horizon)]
    for origin, means in earlier.items():
        for h, (forecast_value, actual) in enumerate(zip(means, y[origin:], strict=False)):
            if h < horizon and np.isfinite(actual):
                errors[h].append(forecast_value - actual)
    spread = np.zeros(horizon)
    known = 0.0
    known_h = 0
    for h in range(horizon):
        if len(errors[h]) >= 3:
            known = float(np.sqrt(np.mean(np.square(errors[h]))))
            known_h = h + 1
            spread[h] = known
        elif known_h:
            spread[h] = known * math.sqrt((h + 1) / known_h)
    return spread


@dataclass(frozen=True)
class TargetStatus:
    status: str  # "on track", "at risk" or "off track"
    at_target_date: Month
    gain_needed: float | None  # points a month still needed, from the last month's take-up


def target_status(result: Forecast, target: float, target_date: date) -> TargetStatus:
    """On track: the target lies inside or below the 80% interval at the target date; at risk:
    inside the 95% interval but not the 80%; off track: above the 95% interval."""
    at = result.at(target_date) or (result.months[-1] if result.months else None)
    if at is None:
        raise ForecastError("The forecast does not reach the target date.")
    if target <= at.upper80:
        status = "on track"
    elif target <= at.upper95:
        status = "at risk"
    else:
        status = "off track"
    last = next((p for _m, p in reversed(result.history) if p is not None), None)
    months_left = (at.month.year - result.history[-1][0].year) * 12 + (
        at.month.month - result.history[-1][0].month
    )
    gain = (target - last) / months_left if last is not None and months_left > 0 else None
    return TargetStatus(status, at, gain)


def read_counts_csv(
    path: Path, date_column: str, digital_column: str, total_column: str
) -> tuple[list[date], list[float], list[float]]:
    """Months, and digital and total transactions in each, from a CSV of daily, weekly or
    monthly counts (a week counts in the month it starts in). Months with no rows are zero."""
    from takeup.catalogue.csvimport import decode
    from takeup.core.text import parse_date

    rows = list(csv.reader(io.StringIO(decode(path.read_bytes()))))
    if not rows:
        raise ForecastError(f"{path} is empty.")
    header = [h.strip() for h in rows[0]]
    for column in (date_column, digital_column, total_column):
        if column not in header:
            raise ForecastError(f"{path} has no column '{column}'. It has: {', '.join(header)}.")
    at = {name: header.index(name) for name in header}
    sums: dict[date, list[float]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            day = parse_date(row[at[date_column]])
            d = float(row[at[digital_column]].replace(",", "") or 0)
            t = float(row[at[total_column]].replace(",", "") or 0)
        except (ValueError, IndexError) as exc:
            raise ForecastError(f"Line {line}: {exc}.") from exc
        if not (math.isfinite(d) and math.isfinite(t)):
            raise ForecastError(f"Line {line}: the counts must be numbers.")
        month = sums.setdefault(day.replace(day=1), [0.0, 0.0])
        month[0] += d
        month[1] += t
    if not sums:
        raise ForecastError(f"{path} has no figures.")
    first, last = min(sums), max(sums)
    months = [first]
    while months[-1] < last:
        months.append(month_add(months[-1], 1))
    return (
        months,
        [sums.get(m, [0.0, 0.0])[0] for m in months],
        [sums.get(m, [0.0, 0.0])[1] for m in months],
    )


def forecast_json(result: Forecast, status: TargetStatus | None = None) -> dict[str, Any]:
    """What `takeup forecast --json` prints: a line per month ahead, take-up in per cent."""
    out: dict[str, Any] = {
        "model": result.model,
        "months": [
            {
                "month": m.month.strftime("%Y-%m"),
                "point": round(m.point, 2),
                "lower80": round(m.lower80, 2),
                "upper80": round(m.upper80, 2),
                "lower95": round(m.lower95, 2),
                "upper95": round(m.upper95, 2),
            }
            for m in result.months
        ],
    }
    if status is not None:
        out["status"] = status.status
        out["gain_needed_per_month"] = (
            None if status.gain_needed is None else round(status.gain_needed, 2)
        )
    return out
