"""The validation harness for effect.py: series with known injected effects. Pure: no Django.

Each case draws a daily series from a known mean (trend, weekly and yearly seasonality), adds
extra transactions during a campaign window, and asks the model for the effect. The truth is the
extra transactions actually realised (drawn, then lost to any outage), not their mean: that is
what an estimate of "how many more" claims to cover.

The categories are the trouble real councils' figures bring (docs/methods.md, "Validation"):
plain series; a control with its own level break during the campaign; outages (runs of zeros,
missing days); a billing peak or bank holidays inside the campaign; effects that ramp up or
decay; two overlapping campaigns (estimated jointly, as the product does); daily counts below
ten; and overdispersed (negative-binomial) noise. Each cycles through no, small and large effects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from takeup.campaigns.effect import Array, estimate

WEEKDAY = np.array([1.0, 0.97, 0.95, 0.93, 0.9, 0.7, 0.65])
EFFECTS = {"none": (0.0, 0.0), "small": (0.05, 0.15), "large": (0.4, 0.6)}
CLASSES = ("none", "small", "large")


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
    category: str = "plain"


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
    prob_effect: float = 0.5  # Pr(effect > 0)
    category: str = "plain"

    @property
    def covered(self) -> bool:
        return self.lower <= self.true_effect <= self.upper

    @property
    def called_by_interval(self) -> bool:
        return self.lower > 0 or self.upper < 0

    @property
    def called_by_p(self) -> bool:
        return self.p_value < 0.05

    @property
    def called_by_probability(self) -> bool:
        """Pr(effect > 0) beyond 97.5% either way: the two-sided 5% level."""
        return self.prob_effect >= 0.975 or self.prob_effect <= 0.025

    @property
    def called_by_any(self) -> bool:
        return self.called_by_interval or self.called_by_p or self.called_by_probability


@dataclass(frozen=True)
class Summary:
    cases: int
    coverage_95: float
    false_positive_rate: float  # by any reported statistic
    median_rel_error_large: float
    seconds_per_estimate: float
    power_large: float
    outcomes: tuple[Outcome, ...]
    fp_interval: float = 0.0
    fp_p_value: float = 0.0
    fp_probability: float = 0.0
    fp_probability_one_sided_95: float = 0.0  # Pr(effect > 0) >= 95%, read as "it worked"
    per_category: dict[str, Summary] = field(default_factory=dict)


def _rate(flags: Sequence[bool]) -> float:
    return float(np.mean(flags)) if flags else 0.0


def _mean_shape(rng: np.random.Generator, dates: list[date], amplitude_max: float) -> Array:
    """Trend × yearly season × weekday, as a multiple of the base level."""
    t = np.arange(len(dates))
    trend = rng.uniform(-0.4, 0.8) / 365
    amplitude = rng.uniform(0.0, amplitude_max)
    phase = rng.uniform(0, 2 * np.pi)
    weekday = WEEKDAY[[d.weekday() for d in dates]]
    shape = np.maximum(
        (1 + trend * t) * (1 + amplitude * np.sin(2 * np.pi * t / 365.25 + phase)), 0.05
    )
    return np.asarray(shape * weekday, dtype=float)


def _size(rng: np.random.Generator, effect_class: str) -> float:
    lo, hi = EFFECTS[effect_class]
    return float(rng.uniform(lo, hi)) if hi else 0.0


def _dates(rng: np.random.Generator, n: int) -> list[date]:
    start = date(2022, 1, 3) + timedelta(days=int(rng.integers(0, 365)))
    return [start + timedelta(days=d) for d in range(n)]


def _controls(rng: np.random.Generator, mean: Array, base: float) -> Array:
    """Two series that share the target's mean and one that wanders on its own."""
    n = mean.size
    related = [rng.poisson(mean * s * rng.uniform(0.9, 1.1)) for s in rng.uniform(0.5, 3.0, 2)]
    wander = (1 + np.cumsum(rng.normal(0, 0.01, n))).clip(0.1)
    unrelated = rng.poisson(max(base, 20.0) * WEEKDAY[np.arange(n) % 7] * wander)
    return np.column_stack([*related, unrelated]).astype(float)


@dataclass
class _Draft:
    """A case being built: the mean without the campaign, and the extra mean it adds."""

    dates: list[date]
    mean: Array
    extra_mean: Array
    pre_days: int
    post_days: int
    base: float
    controls: Array | None = None
    dispersion: float = 0.0  # negative-binomial 1/shape; 0 is Poisson
    zeros: list[tuple[int, int]] = field(default_factory=list)  # outages: [start, stop)
    missing: list[int] = field(default_factory=list)


def _draft(
    rng: np.random.Generator,
    effect_class: str,
    *,
    base: float,
    amplitude_max: float = 0.25,
    pre: tuple[int, int] = (365, 1000),
    after: int = 0,
) -> _Draft:
    pre_days = int(rng.integers(*pre))
    post_days = int(rng.choice([28, 42, 56]))
    n = pre_days + post_days + after
    dates = _dates(rng, n)
    mean = base * _mean_shape(rng, dates, amplitude_max)
    extra = np.zeros(n)
    extra[pre_days : pre_days + post_days] = mean[pre_days : pre_days + post_days] * _size(
        rng, effect_class
    )
    return _Draft(dates, mean, extra, pre_days, post_days, base)


def _draw(rng: np.random.Generator, mean: Array, dispersion: float) -> Array:
    if dispersion <= 0:
        return rng.poisson(mean).astype(float)
    shape = 1.0 / dispersion
    return rng.poisson(mean * rng.gamma(shape, 1.0 / shape, mean.size)).astype(float)


def _finish(rng: np.random.Generator, d: _Draft, name: str, effect_class: str, cat: str) -> Case:
    y0 = _draw(rng, d.mean, d.dispersion)
    extra = rng.poisson(d.extra_mean).astype(float)
    for start, stop in d.zeros:  # an outage takes the campaign's extra with it
        y0[start:stop] = 0.0
        extra[start:stop] = 0.0
    target = y0 + extra
    target[d.missing] = np.nan
    end = d.pre_days + d.post_days
    controls = d.controls if d.controls is not None else np.zeros((len(d.dates), 0))
    return Case(
        name=name,
        effect_class=effect_class,
        dates=d.dates[:end],
        target=target[:end],
        controls=controls[:end],
        pre_end=d.dates[d.pre_days - 1],
        post_start=d.dates[d.pre_days],
        post_end=d.dates[end - 1],
        true_effect=float(extra[:end].sum()),
        category=cat,
    )


def _plain(rng: np.random.Generator, i: int, effect_class: str) -> _Draft:
    low = (i // 3) % 2 == 1
    d = _draft(rng, effect_class, base=rng.uniform(3, 9) if low else rng.uniform(80, 600))
    if (i // 6) % 2:
        d.controls = _controls(rng, d.mean, d.base)
    return d


def _control_break(rng: np.random.Generator, i: int, effect_class: str) -> _Draft:
    d = _draft(rng, effect_class, base=rng.uniform(15, 400))
    d.controls = _controls(rng, d.mean, d.base)
    at = d.pre_days + int(rng.integers(0, d.post_days - 7))
    change = rng.choice([-1, 1]) * rng.uniform(0.2, 0.6)
    broken = int(rng.integers(0, 2))
    d.controls[at:, broken] = rng.poisson(d.controls[at:, broken] * (1 + change))
    return d


def _outage(rng: np.random.Generator, i: int, effect_class: str) -> _Draft:
    d = _draft(rng, effect_class, base=rng.uniform(20, 400))
    for _ in range(int(rng.integers(1, 4))):
        start = int(rng.integers(14, d.pre_days - 14))
        d.zeros.append((start, start + int(rng.integers(2, 11))))
    if i % 2:
        start = d.pre_days + int(rng.integers(0, d.post_days - 10))
        d.zeros.append((start, start + int(rng.integers(2, 8))))
    gap = int(rng.integers(14, d.pre_days - 30))
    d.missing = list(range(gap, gap + int(rng.integers(1, 15))))
    if (i // 6) % 2:
        d.controls = _controls(rng, d.mean, d.base)
    return d


def _peaks(rng: np.random.Generator, i: int, effect_class: str) -> _Draft:
    """An annual billing peak (or Christmas and New Year) inside the campaign's window."""
    d = _draft(rng, "none", base=rng.uniform(20, 400), pre=(400, 1000))
    window = d.dates[d.pre_days : d.pre_days + d.post_days]
    if i % 2:
        peak_day = window[int(rng.integers(0, 14))]
        height, decay = rng.uniform(0.5, 2.0), rng.uniform(4, 12)
        for j, day in enumerate(d.dates):
            this_year = date(day.year, peak_day.month, min(peak_day.day, 28))
            since = (day - this_year).days
            if 0 <= since < 42:
                d.mean[j] *= 1 + height * np.exp(-since / decay)
    else:  # move the window so that it holds Christmas, with the real holiday dip
        for j, day in enumerate(d.dates):
            if (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1):
                d.mean[j] *= 0.35
    post = slice(d.pre_days, d.pre_days + d.post_days)
    d.extra_mean[post] = d.mean[post] * _size(rng, effect_class)
    return d


def _peaks_draft(rng: np.random.Generator, i: int, effect_class: str) -> _Draft:
    """Christmas cases need the window over Christmas: redraw until it is."""
    if i % 2:
        return _peaks(rng, i, effect_class)
    while True:
        d = _peaks(rng, i, effect_class)
        window = d.dates[d.pre_days : d.pre_days + d.post_days]
        if any(day.month == 12 and day.day == 25 for day in window):
            return d


def _ramp_decay(rng: np.random.Generator, i: int, effect_class: str) -> _Draft:
    d = _draft(rng, effect_class, base=rng.uniform(15, 400), after=int(rng.integers(0, 29)))
    n_post = d.post_days + (len(d.dates) - d.pre_days - d.post_days)
    t = np.arange(n_post)
    size = _size(rng, effect_class)
    # Builds up and stays on after the campaign; or strongest at the start, dying away.
    ramp = 2 * np.minimum(t / d.post_days, 1.0)
    shape = ramp if i % 2 else 2 * np.exp(-t / rng.uniform(5, 20))
    d.post_days = n_post  # the estimate's window includes the after-effect
    d.extra_mean = np.zeros(len(d.dates))
    d.extra_mean[d.pre_days :] = d.mean[d.pre_days :] * size * shape
    if (i // 6) % 2:
        d.controls = _controls(rng, d.mean, d.base)
    return d


def _overlap(rng: np.random.Generator, i: int, effect_class: str) -> _Draft:
    """Two campaigns that overlap: the joint window covers both, and the truth is both."""
    d = _draft(rng, effect_class, base=rng.uniform(10, 400), after=70)
    first = int(rng.integers(14, 43))
    second_start = int(rng.integers(7, first))
    second = int(rng.integers(14, 43))
    total = max(first, second_start + second)
    d.extra_mean = np.zeros(len(d.dates))
    window = slice(d.pre_days, d.pre_days + first)
    d.extra_mean[window] += d.mean[window] * _size(rng, effect_class)
    window = slice(d.pre_days + second_start, d.pre_days + second_start + second)
    d.extra_mean[window] += d.mean[window] * _size(rng, effect_class)
    d.post_days = total
    if (i // 6) % 2:
        d.controls = _controls(rng, d.mean, d.base)
    return d


def _low_counts(rng: np.random.Generator, i: int, effect_class: str) -> _Draft:
    """Below ten a day; some strongly seasonal, near zero in winter (garden-waste renewals)."""
    d = _draft(rng, effect_class, base=rng.uniform(0.5, 9), amplitude_max=0.95)
    if (i // 6) % 2:
        d.controls = _controls(rng, d.mean, d.base)
    return d


def _overdispersed(rng: np.random.Generator, i: int, effect_class: str) -> _Draft:
    low = (i // 3) % 2 == 1
    d = _draft(rng, effect_class, base=rng.uniform(4, 12) if low else rng.uniform(40, 600))
    d.dispersion = float(rng.uniform(0.03, 0.3))
    if (i // 6) % 2:
        d.controls = _controls(rng, d.mean, d.base)
    return d


CATEGORIES: dict[str, Callable[[np.random.Generator, int, str], _Draft]] = {
    "plain": _plain,
    "control_break": _control_break,
    "outage": _outage,
    "peaks_holidays": _peaks_draft,
    "ramp_decay": _ramp_decay,
    "overlap": _overlap,
    "low_counts": _low_counts,
    "overdispersed": _overdispersed,
}


def category_cases(category: str, count: int, seed: int = 0) -> Iterator[Case]:
    """count cases of one category, cycling through no, small and large effects."""
    rng = np.random.default_rng([seed, list(CATEGORIES).index(category)])
    for i in range(count):
        effect_class = CLASSES[i % 3]
        draft = CATEGORIES[category](rng, i, effect_class)
        yield _finish(rng, draft, f"{category}-{i:03d}", effect_class, category)


def harness_cases(per_category: int, seed: int = 0) -> list[Case]:
    return [c for name in CATEGORIES for c in category_cases(name, per_category, seed)]


def synthetic_cases(count: int, seed: int = 0) -> Iterator[Case]:
    """Plain cases only: the first harness, kept for the quick test in make test."""
    return category_cases("plain", count, seed)


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
        effect_class = CLASSES[i % 3]
        post_days = int(rng.choice([28, 42, 56]))
        pre_days = int(rng.integers(365, len(dates) - post_days))
        level = np.convolve(y, np.ones(28) / 28, mode="same")
        extra = np.zeros(len(dates))
        window = slice(pre_days, pre_days + post_days)
        extra[window] = rng.poisson(level[window] * _size(rng, effect_class))
        pick = rng.choice(len(others), size=min(3, len(others)), replace=False)
        end = pre_days + post_days
        yield Case(
            name=f"demo-{name}-{i:03d}",
            effect_class=effect_class,
            dates=dates[:end],
            target=(y + extra)[:end],
            controls=np.column_stack([others[j][:end] for j in pick]),
            pre_end=dates[pre_days - 1],
            post_start=dates[pre_days],
            post_end=dates[end - 1],
            true_effect=float(extra.sum()),
            category="demo",
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
        prob_effect=e.prob_effect,
        category=case.category,
    )


def _summary(outcomes: Sequence[Outcome]) -> Summary:
    nulls = [o for o in outcomes if o.effect_class == "none"]
    large = [o for o in outcomes if o.effect_class == "large" and o.true_effect > 0]
    errors = [abs(o.effect - o.true_effect) / o.true_effect for o in large]
    return Summary(
        cases=len(outcomes),
        coverage_95=_rate([o.covered for o in outcomes]),
        false_positive_rate=_rate([o.called_by_any for o in nulls]),
        median_rel_error_large=float(np.median(errors)) if errors else 0.0,
        seconds_per_estimate=float(np.mean([o.seconds for o in outcomes])) if outcomes else 0.0,
        power_large=_rate([o.called_by_interval and o.effect > 0 for o in large]),
        outcomes=tuple(outcomes),
        fp_interval=_rate([o.called_by_interval for o in nulls]),
        fp_p_value=_rate([o.called_by_p for o in nulls]),
        fp_probability=_rate([o.called_by_probability for o in nulls]),
        fp_probability_one_sided_95=_rate([o.prob_effect >= 0.95 for o in nulls]),
    )


def summarise(outcomes: Sequence[Outcome]) -> Summary:
    """The validation figures of docs/methods.md, overall and per category."""
    overall = _summary(outcomes)
    names = sorted({o.category for o in outcomes})
    per = {n: _summary([o for o in outcomes if o.category == n]) for n in names}
    return Summary(**{**overall.__dict__, "per_category": per})


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
