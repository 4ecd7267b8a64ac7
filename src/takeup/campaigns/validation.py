"""The validation harness for effect.py: series with known injected effects. Pure: no Django.

Each case draws a daily Poisson series from a known mean (trend, weekly and yearly seasonality),
adds extra transactions during a campaign window (none, small or large), and asks the model for the
effect. Over many cases we report how often the 95% interval holds the true effect, how often a
no-effect case is called significant, and how far the large effects' estimates are from the truth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from takeup.campaigns.effect import Array, estimate

WEEKDAY = np.array([1.0, 0.97, 0.95, 0.93, 0.9, 0.7, 0.65])
EFFECTS = {"none": (0.0, 0.0), "small": (0.05, 0.15), "large": (0.4, 0.6)}


@dataclass(frozen=True)
class Case:
    """One series with a known effect."""

    name: str
    effect_class: str  # none, small or large
    dates: list[date]
    target: Array
    controls: Array  # (n, k), k may be 0
    pre_end: date
    post_start: date
    post_end: date
    true_effect: float


@dataclass(frozen=True)
class Outcome:
    case: str
    effect_class: str
    true_effect: float
    effect: float
    lower: float
    upper: float
    p_value: float
    seconds: float

    @property
    def covered(self) -> bool:
        return self.lower <= self.true_effect <= self.upper


@dataclass(frozen=True)
class Summary:
    cases: int
    coverage_95: float
    false_positive_rate: float
    median_rel_error_large: float
    seconds_per_estimate: float
    power_large: float
    outcomes: tuple[Outcome, ...]


def _inject(
    rng: np.random.Generator, mean: Array, base: Array, start: int, stop: int, size: float
) -> tuple[Array, float]:
    extra = rng.poisson(mean[start:stop] * size)
    out = base.astype(float).copy()
    out[start:stop] += extra
    return out, float(extra.sum())


def synthetic_cases(count: int, seed: int = 0) -> Iterator[Case]:
    """count cases cycling through effect size, count level and controls; the rest is random."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        effect_class = ("none", "small", "large")[i % 3]
        low = (i // 3) % 2 == 1
        with_controls = (i // 6) % 2 == 1
        pre_days = int(rng.integers(365, 1000))
        post_days = int(rng.choice([28, 42, 56]))
        after = int(rng.integers(0, 30))
        n = pre_days + post_days + after
        start = date(2022, 1, 3) + timedelta(days=int(rng.integers(0, 365)))
        dates = [start + timedelta(days=d) for d in range(n)]
        t = np.arange(n)
        base = rng.uniform(3, 9) if low else rng.uniform(80, 600)
        trend = rng.uniform(-0.4, 0.8) / 365  # share of base a day
        amplitude = rng.uniform(0.0, 0.25)
        phase = rng.uniform(0, 2 * np.pi)
        weekday = WEEKDAY[[d.weekday() for d in dates]]
        shape = np.maximum(
            (1 + trend * t) * (1 + amplitude * np.sin(2 * np.pi * t / 365.25 + phase)), 0.05
        )
        mean = base * shape * weekday
        y0 = rng.poisson(mean)
        lo, hi = EFFECTS[effect_class]
        size = rng.uniform(lo, hi) if hi else 0.0
        target, true_effect = _inject(rng, mean, y0, pre_days, pre_days + post_days, size)
        if with_controls:
            scales = rng.uniform(0.5, 3.0, size=2)
            related = [rng.poisson(mean * s * rng.uniform(0.9, 1.1)) for s in scales]
            unrelated = rng.poisson(
                base * weekday * (1 + np.cumsum(rng.normal(0, 0.01, n))).clip(0.1)
            )
            controls = np.column_stack([*related, unrelated]).astype(float)
        else:
            controls = np.zeros((n, 0))
        yield Case(
            name=f"synthetic-{i:03d}",
            effect_class=effect_class,
            dates=dates,
            target=target,
            controls=controls,
            pre_end=dates[pre_days - 1],
            post_start=dates[pre_days],
            post_end=dates[pre_days + post_days - 1],
            true_effect=true_effect,
        )


def injected_cases(
    series: dict[str, tuple[list[date], Array]], count: int, seed: int = 0
) -> Iterator[Case]:
    """The same effects added to real histories (the demo's digital volumes by service).

    The other services' series are the controls. Effects are added with Poisson noise, scaled
    to each series' own level during the window.
    """
    rng = np.random.default_rng(seed)
    names = sorted(series)
    for i in range(count):
        name = names[i % len(names)]
        dates, y = series[name]
        others = [series[o][1] for o in names if o != name]
        effect_class = ("none", "small", "large")[i % 3]
        post_days = int(rng.choice([28, 42, 56]))
        pre_days = int(rng.integers(365, len(dates) - post_days))
        level = np.convolve(y, np.ones(28) / 28, mode="same")
        lo, hi = EFFECTS[effect_class]
        size = rng.uniform(lo, hi) if hi else 0.0
        target, true_effect = _inject(rng, level, y, pre_days, pre_days + post_days, size)
        pick = rng.choice(len(others), size=min(3, len(others)), replace=False)
        yield Case(
            name=f"demo-{name}-{i:03d}",
            effect_class=effect_class,
            dates=dates[: pre_days + post_days],
            target=target[: pre_days + post_days],
            controls=np.column_stack([others[j][: pre_days + post_days] for j in pick]),
            pre_end=dates[pre_days - 1],
            post_start=dates[pre_days],
            post_end=dates[pre_days + post_days - 1],
            true_effect=true_effect,
        )


def outcome_of(case: Case, *, draws: int, seed: int) -> Outcome:
    e = estimate(
        case.dates,
        case.target,
        case.controls,
        pre_end=case.pre_end,
        post_start=case.post_start,
        post_end=case.post_end,
        draws=draws,
        seed=seed,
        placebo=False,
    )
    return Outcome(
        case=case.name,
        effect_class=case.effect_class,
        true_effect=case.true_effect,
        effect=e.effect,
        lower=e.effect_lower,
        upper=e.effect_upper,
        p_value=e.p_value,
        seconds=e.seconds,
    )


def summarise(outcomes: Sequence[Outcome]) -> Summary:
    """The three validation figures of docs/methods.md, and the power for large effects."""
    nulls = [o for o in outcomes if o.effect_class == "none"]
    large = [o for o in outcomes if o.effect_class == "large"]
    return Summary(
        cases=len(outcomes),
        coverage_95=float(np.mean([o.covered for o in outcomes])),
        false_positive_rate=float(np.mean([o.p_value < 0.05 for o in nulls])) if nulls else 0.0,
        median_rel_error_large=float(
            np.median([abs(o.effect - o.true_effect) / o.true_effect for o in large])
        )
        if large
        else 0.0,
        seconds_per_estimate=float(np.mean([o.seconds for o in outcomes])),
        power_large=float(np.mean([o.p_value < 0.05 for o in large])) if large else 0.0,
        outcomes=tuple(outcomes),
    )


def run(
    cases: Sequence[Case],
    *,
    draws: int = 500,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    outcomes = []
    for i, case in enumerate(cases):
        outcomes.append(outcome_of(case, draws=draws, seed=seed + i))
        if progress:
            progress(i + 1, len(cases))
    return summarise(outcomes)
