"""Campaign effect estimation: a Bayesian structural time-series counterfactual. Pure: no Django.

The model, fitted on the pre-period (standardised), in the spirit of R's CausalImpact / bsts:

    y_t  = mu_t + x_t'beta + e_t      e_t ~ N(0, sigma2)
    mu_t = mu_{t-1} + n_t              n_t ~ N(0, tau2)     (local level)

x_t holds day-of-week effects and a UK bank-holiday indicator (always in the model) and the control
series, each of which is in or out (spike-and-slab, with beta integrated out when choosing). A Gibbs
sampler draws the level path, the inclusion indicators, sigma2, beta and tau2 in turn, so the
counterfactual's interval carries the uncertainty in every parameter, not just the noise around
point estimates. The level path is drawn in one step from its banded precision matrix
(Chan & Jeliazkov 2009), which keeps a three-year daily fit well under a second.
See docs/methods.md for the checks and the validation figures.
"""

from __future__ import annotations

import csv
import importlib.machinery
import importlib.util
import itertools
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import holidays
import numpy as np
import numpy.typing as npt

from takeup.catalogue.csvimport import decode
from takeup.core.text import parse_date


def _flapack_alone() -> ModuleType | None:
    """SciPy's LAPACK extension module loaded by itself, without scipy.linalg's package."""
    spec = importlib.util.find_spec("scipy")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "linalg"
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = folder / f"_flapack{suffix}"
        if path.exists():
            loader = importlib.machinery.ExtensionFileLoader("scipy.linalg._flapack", str(path))
            found = importlib.util.spec_from_loader(loader.name, loader)
            if found is None:
                return None
            module = importlib.util.module_from_spec(found)
            loader.exec_module(module)
            return module
    return None


def _lapack() -> Any:
    """SciPy's LAPACK routines (the sampler's banded and dense Cholesky solves). Importing
    scipy.linalg costs a quarter of a second, most of `takeup estimate`'s start-up, for routines
    that live in one extension module: that module is loaded on its own unless scipy.linalg is
    already imported, and scipy.linalg is imported as usual if the module cannot be found."""
    module = None if "scipy.linalg" in sys.modules else _flapack_alone()
    if module is not None and hasattr(module, "dpbtrf"):
        return module
    from scipy.linalg import lapack as public

    return public


lapack = _lapack()
Array = npt.NDArray[np.float64]
Values = Sequence[float] | npt.NDArray[np.floating[Any]]
Table = Sequence[Sequence[float]] | npt.NDArray[np.floating[Any]]

# Below this median daily count a day's figure is mostly noise: estimate by week instead.
WEEKLY_BELOW = 10.0
SHORT_PRE_DAYS = 56
# A pre-period of at least a year lets the model learn the yearly pattern itself.
YEARLY_FROM_DAYS = 364
HARMONICS = (1, 2)
DEFAULT_DRAWS = 1000
# Prior on the level's step sd, as a share of the pre-period sd, held with the weight of four
# observations. CausalImpact uses 0.01; the validation harness (docs/methods.md) chose 0.03.
LEVEL_SD_PRIOR = 0.03
LEVEL_PRIOR_WEIGHT = 4.0
# Prior inclusion probability of each control (bsts's expected model size of one, at least 1/2
# when there are only one or two controls).
INCLUSION_SIZE = 1.0
# An outage: a run of zero days where the level around it makes even one zero day unlikely. The
# run must be this improbable under Poisson counts at that level: exp(-OUTAGE_SCORE).
OUTAGE_SCORE = 12.0
OUTAGE_MIN_LEVEL = 3.0
# A control whose own level moves this far (in robust sds of its usual moves over a window as
# long as the post-period) during the post-period is left out: its relationship has changed.
CONTROL_BREAK_Z = 3.5
# The fit can judge an effect only when the expected total is well away from zero: its 95%
# interval above zero, no wider than the total itself, and the total not tiny.
MIN_EXPECTED_TOTAL = 20.0
MAX_RELATIVE_WIDTH = 1.0
MIN_FIT_COVERAGE = 0.8
# Last year's departures from its local level count as a recurring peak beyond this many sds.
SEASON_NOISE_Z = 3.0


class EffectError(ValueError):
    """The inputs cannot be estimated; the message says what to fix."""


@dataclass(frozen=True)
class Checks:
    """What a reader needs to judge an estimate."""

    grain: str  # "day" or "week"
    grain_reason: str  # "" when daily, else why weekly
    pre_points: int
    pre_days: int
    short_pre_period: bool
    fit_mape: float  # one-step-ahead mean absolute percentage error over the pre-period
    fit_coverage: float  # share of pre-period points inside their one-step 95% band
    placebo_p_value: float | None  # None when the pre-period is too short for a placebo
    placebo_start: date | None
    controls_used: tuple[str, ...]  # controls with posterior inclusion probability >= 0.5
    inclusion: tuple[tuple[str, float], ...]
    expected_width: float = 0.0  # the expected total's 95% interval width ÷ the expected total
    fit_ok: bool = True  # the fit can judge the effect (see fit_judgeable)
    outage_days: int = 0  # days of zeros treated as an outage and left out
    controls_dropped: tuple[str, ...] = ()  # controls that broke during the post-period

    @property
    def placebo_failed(self) -> bool:
        return self.placebo_p_value is not None and self.placebo_p_value < 0.05


@dataclass(frozen=True)
class Point:
    """One period of the post-period: what was seen, what was expected, and the effect."""

    start: date
    observed: float
    expected: float
    expected_lower: float
    expected_upper: float
    effect: float
    effect_lower: float
    effect_upper: float
    cumulative: float
    cumulative_lower: float
    cumulative_upper: float


@dataclass(frozen=True)
class Estimate:
    """The effect over the post-period, with 95% intervals from the posterior draws."""

    post_start: date
    post_end: date
    observed_total: float
    expected_total: float
    effect: float
    effect_lower: float
    effect_upper: float
    relative: float
    relative_lower: float
    relative_upper: float
    p_value: float  # 2 × min(Pr(effect > 0), Pr(effect < 0)): < 0.05 iff the interval excludes 0
    prob_effect: float  # Pr(effect > 0): the posterior probability of an increase
    draws: int
    seconds: float
    checks: Checks
    points: tuple[Point, ...]
    pre_fit: tuple[tuple[date, float, float], ...] = field(default=())  # (start, observed, fitted)
    effect_draws: Array = field(default_factory=lambda: np.zeros(0), repr=False, compare=False)
    expected_lower: float = 0.0  # the expected total's 95% interval
    expected_upper: float = 0.0

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05

    @property
    def relative_shown(self) -> bool:
        """A relative effect means something only against an expected total well away from zero:
        the same test as the fit's (fit_judgeable)."""
        return self.checks.fit_ok

    @property
    def verdict(self) -> str:
        """ "cannot tell" when the fit cannot judge the effect; else what the interval says."""
        if not self.checks.fit_ok:
            return "cannot tell"
        if self.effect_lower > 0:
            return "increase"
        if self.effect_upper < 0:
            return "decrease"
        return "could be none"


@dataclass(frozen=True)
class Detectable:
    """How small a cumulative effect a campaign of this length could be expected to show."""

    length_days: int
    expected_total: float
    sd_total: float
    smallest_effect: float  # 80% power, 5% two-sided
    smallest_relative: float
    grain: str


@dataclass(frozen=True)
class _Fit:
    mu_last: Array  # (draws,)
    beta: Array  # (draws, k)
    sigma2: Array
    tau2: Array
    inclusion: Array  # (k_controls,)
    mu_mean: Array  # (n,)
    beta_mean: Array
    sigma2_mean: float
    tau2_mean: float


def _bank_holidays(years: range) -> set[date]:
    return set(holidays.country_holidays("GB", subdiv="ENG", years=list(years)).keys())


def _design(dates: Sequence[date], weekly: bool, yearly: bool) -> Array:
    """Calendar regressors: day-of-week dummies (Monday is the base), a bank-holiday column and,
    when the pre-period covers a year, two yearly harmonics."""
    bank = _bank_holidays(range(dates[0].year, dates[-1].year + 2))
    if weekly:
        x = np.array(
            [[sum((d + timedelta(i)) in bank for i in range(7))] for d in dates], dtype=float
        )
    else:
        x = np.zeros((len(dates), 7))
        for i, d in enumerate(dates):
            if d.weekday():
                x[i, d.weekday() - 1] = 1.0
            x[i, 6] = 1.0 if d in bank else 0.0
    days = np.array([d.toordinal() for d in dates], dtype=float)
    trend = ((days - days[0]) / 365.25).reshape(-1, 1)
    if not yearly:
        return np.hstack([x, trend])
    angle = 2 * np.pi * days / 365.25
    harmonics = [f(h * angle) for h in HARMONICS for f in (np.sin, np.cos)]
    return np.hstack([x, trend, np.column_stack(harmonics)])


def _to_weeks(
    dates: Sequence[date], target: Array, controls: Array, post_start: date
) -> tuple[list[date], Array, Array]:
    """Sum into weeks aligned on the post-period's first day; partial weeks are dropped."""
    offset = np.array([(d - post_start).days for d in dates])
    block = np.floor_divide(offset, 7)
    first, last = int(block.min()), int(block.max())
    starts, ys, xs = [], [], []
    for b in range(first, last + 1):
        rows = block == b
        if rows.sum() < 7:
            continue
        starts.append(post_start + timedelta(days=7 * b))
        ys.append(target[rows].sum() if not np.isnan(target[rows]).all() else np.nan)
        xs.append(controls[rows].sum(axis=0))
    return starts, np.array(ys, dtype=float), np.array(xs, dtype=float).reshape(len(starts), -1)


def _sample_level(
    rng: np.random.Generator, resid: Array, observed: Array, sigma2: float, tau2: float
) -> Array:
    """Draw the whole level path from its tridiagonal posterior precision. resid is zero
    wherever the point is missing (observed 0)."""
    n = resid.size
    obs_prec = observed / sigma2
    diag = obs_prec + 2.0 / tau2
    diag[0] = obs_prec[0] + 1.0 / tau2 + 1e-4
    diag[-1] = obs_prec[-1] + 1.0 / tau2
    band = np.zeros((2, n))
    band[0, 1:] = -1.0 / tau2
    band[1] = diag
    # LAPACK directly: this runs once per draw, and the checking wrappers cost more than the maths.
    upper, info = lapack.dpbtrf(band, lower=0)
    if info:
        raise EffectError("The model could not be fitted to this series.")
    mean, _ = lapack.dpbtrs(upper, obs_prec * resid, lower=0)
    noise, _ = lapack.dtbtrs(upper, rng.standard_normal((n, 1)), uplo="U")
    return np.asarray(mean + noise[:, 0], dtype=float)


@dataclass(frozen=True)
class _Fold:
    """The always-in calendar block folded out of the controls' precision. It never changes
    during sampling, so it is worked out once, and so is each set of controls' part of the
    marginal likelihood the first time the sampler visits that set."""

    k_fixed: int
    chol_a: Array
    a_inv_b: Array
    schur: Array
    sets: dict[int, tuple[npt.NDArray[np.intp], Array, float]] = field(default_factory=dict)

    @classmethod
    def of(cls, xtx_prior: Array, k_fixed: int) -> _Fold:
        chol_a = np.asarray(np.linalg.cholesky(xtx_prior[:k_fixed, :k_fixed]), dtype=float)
        a_inv_b, _ = lapack.dpotrs(chol_a, xtx_prior[:k_fixed, k_fixed:], lower=1)
        schur = xtx_prior[k_fixed:, k_fixed:] - xtx_prior[:k_fixed, k_fixed:].T @ a_inv_b
        return cls(k_fixed, chol_a, a_inv_b, schur)

    def controls(self, chosen: int) -> tuple[npt.NDArray[np.intp], Array, float]:
        """The controls in the set (a bit mask), the inverse of their block of schur, and
        half its log determinant."""
        if chosen not in self.sets:
            idx = np.array([j for j in range(self.schur.shape[0]) if chosen >> j & 1], dtype=int)
            block = self.schur[np.ix_(idx, idx)]
            chol = np.linalg.cholesky(block)
            self.sets[chosen] = (idx, np.linalg.inv(block), float(np.log(np.diag(chol)).sum()))
        return self.sets[chosen]


def _log_marginal(fold: _Fold, r: Array, rest: float, chosen: int, n: float) -> float:
    """log p(y | which controls are in), up to a constant, with beta and sigma2 integrated out
    (conjugate normal-inverse-gamma). The calendar effects, always in, are folded into schur
    (the controls' posterior precision given them), r and rest; see _Fold."""
    if not chosen:
        return -0.5 * n * math.log(max(rest, 1e-12))
    idx, inverse, half_logdet = fold.controls(chosen)
    r_in = r[idx]
    return -half_logdet - 0.5 * n * math.log(max(rest - float(r_in @ inverse @ r_in), 1e-12))


def _choose_controls(
    rng: np.random.Generator,
    fold: _Fold,
    xty: Array,
    yty: float,
    include: npt.NDArray[np.bool_],
    log_odds_prior: float,
    n_obs: float,
) -> None:
    """Each control in or out in turn (include is changed in place), with beta and sigma2
    integrated out, as bsts does."""
    k = fold.k_fixed
    fixed_part, _ = lapack.dpotrs(fold.chol_a, xty[:k], lower=1)
    rest = yty - float(xty[:k] @ fixed_part)
    r = xty[k:] - fold.a_inv_b.T @ xty[:k]
    chosen = sum(1 << j for j, on in enumerate(include[k:]) if on)
    current = _log_marginal(fold, r, rest, chosen, n_obs)
    for j in range(include.size - k):
        flipped = _log_marginal(fold, r, rest, chosen ^ (1 << j), n_obs)
        is_in = bool(chosen >> j & 1)
        log_in = (current - flipped) if is_in else (flipped - current)
        log_odds = min(max(log_in + log_odds_prior, -700.0), 700.0)
        now_in = bool(rng.random() < 1.0 / (1.0 + math.exp(-log_odds)))
        if now_in != is_in:
            chosen ^= 1 << j
            current = flipped
    include[k:] = [bool(chosen >> j & 1) for j in range(include.size - k)]


def _draw_beta(
    rng: np.random.Generator,
    xtx_prior: Array,
    xty: Array,
    yty: float,
    include: npt.NDArray[np.bool_],
    sigma_shape: float,
    sigma_rate: float,
) -> tuple[Array, float]:
    """sigma2 with beta integrated out, then beta given sigma2 (normal-inverse-gamma), for the
    regressors in the model; the others' coefficients are zero."""
    idx = np.flatnonzero(include)
    post = xtx_prior if idx.size == include.size else xtx_prior[np.ix_(idx, idx)]
    # LAPACK directly, as in _sample_level: the wrappers' checks cost more than the maths.
    chol, info = lapack.dpotrf(post, lower=1)
    if info:
        raise EffectError("The model could not be fitted to this series.")
    b_hat, _ = lapack.dpotrs(chol, xty[idx], lower=1)
    ss = max(yty - float(xty[idx] @ b_hat), 1e-12)
    sigma2 = 1.0 / rng.gamma(sigma_shape, 1.0 / (sigma_rate + ss / 2))
    shake, _ = lapack.dtrtrs(chol, rng.standard_normal(idx.size), lower=1, trans=1)
    beta = np.zeros(include.size)
    beta[idx] = b_hat + shake * math.sqrt(sigma2)
    return beta, sigma2


@dataclass
class _Draws:
    """What the sampler keeps after burn-in."""

    mu_last: Array
    beta: Array
    sigma2: Array
    tau2: Array
    inclusion: Array
    mu_sum: Array

    @classmethod
    def empty(cls, draws: int, n: int, k: int, k_ctrl: int) -> _Draws:
        return cls(
            np.empty(draws), np.empty((draws, k)), np.empty(draws), np.empty(draws),
            np.zeros(k_ctrl), np.zeros(n),
        )  # fmt: skip

    def fit(self) -> _Fit:
        draws = self.sigma2.size
        return _Fit(
            mu_last=self.mu_last,
            beta=self.beta,
            sigma2=self.sigma2,
            tau2=self.tau2,
            inclusion=self.inclusion / draws,
            mu_mean=self.mu_sum / draws,
            beta_mean=self.beta.mean(axis=0),
            sigma2_mean=float(self.sigma2.mean()),
            tau2_mean=float(self.tau2.mean()),
        )


def _fit(
    rng: np.random.Generator,
    y: Array,
    fixed: Array,
    controls: Array,
    draws: int,
    burn: int,
) -> _Fit:
    """The Gibbs sampler: the level path, which controls are in, sigma2 and beta, then tau2."""
    n = y.size
    observed = (~np.isnan(y)).astype(float)
    y0 = np.nan_to_num(y)
    x = np.hstack([fixed, controls])
    x_obs = x * observed[:, None]
    k_fixed, k_ctrl = fixed.shape[1], controls.shape[1]
    n_obs = float(observed.sum())
    # Prior precisions (in units of sigma2): weak on the calendar effects, one observation's
    # worth on each control's coefficient, as bsts does.
    prior_prec = np.concatenate([np.full(k_fixed, 0.01), np.full(k_ctrl, 1.0)])
    xtx_prior = x_obs.T @ x_obs + np.diag(prior_prec)
    fold = _Fold.of(xtx_prior, k_fixed) if k_ctrl else None
    prior_incl = min(0.5, INCLUSION_SIZE / k_ctrl) if k_ctrl else 0.5
    log_odds_prior = math.log(prior_incl / (1 - prior_incl))
    level_a = LEVEL_PRIOR_WEIGHT / 2
    level_b = LEVEL_PRIOR_WEIGHT * LEVEL_SD_PRIOR**2 / 2
    sigma_a, sigma_b = 0.005, 0.005

    include = np.ones(k_fixed + k_ctrl, dtype=bool)
    sigma2, tau2 = 0.5, LEVEL_SD_PRIOR**2
    beta = np.zeros(k_fixed + k_ctrl)
    kept = _Draws.empty(draws, n, k_fixed + k_ctrl, k_ctrl)
    for it in range(draws + burn):
        mu = _sample_level(rng, y0 - x @ beta, observed, sigma2, tau2)
        ystar = (y0 - mu) * observed
        xty = x_obs.T @ ystar
        yty = float(ystar @ ystar)
        if fold is not None:
            _choose_controls(rng, fold, xty, yty, include, log_odds_prior, n_obs)
        beta, sigma2 = _draw_beta(rng, xtx_prior, xty, yty, include, sigma_a + n_obs / 2, sigma_b)
        steps = np.diff(mu)
        tau2 = 1.0 / rng.gamma(level_a + steps.size / 2, 1.0 / (level_b + float(steps @ steps) / 2))
        if it >= burn:
            i = it - burn
            kept.mu_last[i], kept.beta[i] = mu[-1], beta
            kept.sigma2[i], kept.tau2[i] = sigma2, tau2
            kept.inclusion += include[k_fixed:]
            kept.mu_sum += mu
    return kept.fit()


def _one_step_fit(y: Array, xb: Array, sigma2: float, tau2: float) -> tuple[Array, Array]:
    """One-step-ahead predictions and their variances from a Kalman filter at posterior means."""
    n = y.size
    pred = np.empty(n)
    var = np.empty(n)
    m, p = (np.nanmean(y[:7]) if n else 0.0) - float(xb[0]), 1.0
    for t in range(n):
        pred[t] = m + xb[t]
        var[t] = p + sigma2
        if not np.isnan(y[t]):
            gain = p / (p + sigma2)
            m = m + gain * (y[t] - pred[t])
            p = p * (1 - gain)
        p += tau2
    return pred, var


@dataclass(frozen=True)
class _Prepared:
    dates: list[date]
    y: Array  # what the model learns from: outages are missing
    seen: Array  # what was seen, outages included as their zeros
    controls: Array
    weekly: bool
    reason: str
    pre: int  # points in the pre-period
    post_from: int  # index of the first post-period point
    post_to: int  # index one past the last
    outage_days: int = 0


def _zero_runs(y: Array) -> list[tuple[int, int]]:
    zero = np.concatenate([[0], (y == 0).astype(int), [0]])
    edges = np.flatnonzero(np.diff(zero))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _outages(y: Array) -> npt.NDArray[np.bool_]:
    """Runs of zeros that the level around them makes all but impossible: the service was down
    or the figures were not sent, so they say nothing about demand and are left out."""
    mask = np.zeros(y.size, dtype=bool)
    for a, b in _zero_runs(y):
        around = np.concatenate([y[max(0, a - 28) : a], y[b : b + 28]])
        around = around[~np.isnan(around)]
        level = float(np.median(around)) if around.size else 0.0
        if level >= OUTAGE_MIN_LEVEL and (b - a) * level >= OUTAGE_SCORE:
            mask[a:b] = True
    return mask


def _checked_inputs(
    dates: Sequence[date],
    target: Values,
    controls: Table | None,
    pre_end: date,
    post_start: date,
    post_end: date,
) -> tuple[list[date], Array, Array]:
    if not dates:
        raise EffectError("The series is empty.")
    ds = list(dates)
    if any((b - a).days != 1 for a, b in itertools.pairwise(ds)):
        raise EffectError("Dates must be consecutive days, one row a day, with no gaps.")
    if not ds[0] <= pre_end < post_start <= post_end:
        raise EffectError(
            "Dates must run: series start ≤ pre-period end < post-period start ≤ post-period end."
        )
    if post_end > ds[-1]:
        raise EffectError(f"The series ends on {ds[-1]}, before the post-period ends.")
    y = np.asarray(target, dtype=float)
    if y.shape != (len(ds),):
        raise EffectError("The target must have one value for each date.")
    x = (
        np.asarray(controls, dtype=float).reshape(len(ds), -1)
        if controls is not None and len(controls)
        else np.zeros((len(ds), 0))
    )
    if np.isnan(x).any() or np.isinf(x).any():
        raise EffectError("Control series must have a number on every date.")
    cut = ds.index(post_end) + 1
    ds, y, x = ds[:cut], y[:cut], x[:cut]
    if np.isnan(y[ds.index(post_start) :]).any():
        raise EffectError("The target must have a number on every date of the post-period.")
    pre_mask = np.array([d <= pre_end for d in ds])
    if (~np.isnan(y[pre_mask])).sum() < 14:
        raise EffectError("The pre-period needs at least 14 days with figures.")
    if np.nansum(y[pre_mask]) == 0:
        raise EffectError(
            "The target has no transactions before the post-period: nothing to learn."
        )
    return ds, y, x


def _prepare(
    dates: Sequence[date],
    target: Values,
    controls: Table | None,
    pre_end: date,
    post_start: date,
    post_end: date,
    grain: str | None,
) -> _Prepared:
    ds, seen, x = _checked_inputs(dates, target, controls, pre_end, post_start, post_end)
    outage = _outages(seen)
    y = np.where(outage, np.nan, seen)
    pre_mask = np.array([d <= pre_end for d in ds])
    median = float(np.nanmedian(y[pre_mask]))
    weekly = grain == "week" or (grain is None and median < WEEKLY_BELOW)
    reason = ""
    if weekly:
        reason = (
            "asked for"
            if grain == "week"
            else f"median daily count {median:g} is below {WEEKLY_BELOW:g}"
        )
        _, seen, _ = _to_weeks(ds, seen, x, post_start)
        ds, y, x = _to_weeks(ds, y, x, post_start)
        if not ds or ds[-1] < post_start:
            raise EffectError("The post-period is shorter than one whole week.")
        if sum(d + timedelta(6) <= pre_end for d in ds) < 4:
            raise EffectError("Weekly estimation needs at least four whole weeks of pre-period.")
    last_pre = max(i for i, d in enumerate(ds) if d + timedelta(6 if weekly else 0) <= pre_end) + 1
    post_from = next(i for i, d in enumerate(ds) if d >= post_start)
    return _Prepared(
        ds, y, seen, x, weekly, reason, last_pre, post_from, len(ds), int(outage.sum())
    )


def _scale(p: _Prepared) -> str:
    """Counts are modelled on square roots, where Poisson noise has the same spread at every
    level, so a quiet winter and a busy spring get bands of the right width (the harness chose
    this over logs: 95.4% coverage against 94.4%, docs/methods.md). Anything negative: the
    figures as they are."""
    return "identity" if np.nanmin(p.y) < 0 or (p.controls < 0).any() else "sqrt"


def _forward(a: Array, scale: str) -> Array:
    return np.sqrt(a) if scale == "sqrt" else a


def _back(a: Array, scale: str) -> Array:
    """Counts from the model's scale: a draw below zero is a count of zero, never less."""
    return np.square(np.maximum(a, 0.0)) if scale == "sqrt" else a


def _moving_median(a: Array, half: int) -> Array:
    """Centred moving median that skips missing points: a local level a peak cannot lift."""
    padded = np.concatenate([np.full(half, np.nan), a, np.full(half, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    out = np.full(a.size, np.nan)
    some = ~np.isnan(windows).all(axis=1)
    out[some] = np.nanmedian(windows[some], axis=1)
    return out


def _year_back(dates: Sequence[date], weekly: bool) -> npt.NDArray[np.intp]:
    """How many points back the same time last year is: 52 weeks by week; by day the same
    date (bills and Christmas keep their dates; the weekday pattern is taken out separately)."""
    if weekly:
        return np.full(len(dates), 52)
    back = []
    for d in dates:
        try:
            before = d.replace(year=d.year - 1)
        except ValueError:  # 29 February
            before = d.replace(year=d.year - 1, day=28)
        back.append((d - before).days)
    return np.array(back)


def _last_year(z: Array, p: _Prepared) -> Array | None:
    """Each point's departure from its own local level a year earlier: billing peaks and
    Christmas that the smooth yearly harmonics miss. Built from the pre-period only, so the
    campaign never feeds its own forecast."""
    back = _year_back(p.dates, p.weekly)
    if p.pre < int(back.max()) + (8 if p.weekly else 56):
        return None
    base = z.copy()
    base[p.pre :] = np.nan
    dev = base - _moving_median(base, 2 if p.weekly else 14)
    if not p.weekly:
        weekday = np.array([d.weekday() for d in p.dates])
        for w in range(7):
            rows = weekday == w
            dev[rows] -= np.nanmean(dev[rows]) if np.any(~np.isnan(dev[rows])) else 0.0
    # Only departures well beyond the day-to-day noise: noise does not recur, peaks do.
    ok = ~np.isnan(dev)
    noise = 1.4826 * float(np.median(np.abs(dev[ok]))) if ok.any() else 0.0
    dev = np.nan_to_num(np.where(np.abs(dev) > SEASON_NOISE_Z * noise, dev, 0.0))
    source = np.arange(z.size) - back
    return np.where(source >= 0, dev[np.maximum(source, 0)], 0.0)


def _unbroken(ctrl: Array, p: _Prepared) -> npt.NDArray[np.bool_]:
    """Controls whose own level stayed within its usual moves during the post-period. A control
    that jumps then (its own outage, a redesign) would carry the jump into the forecast."""
    length = p.post_to - p.post_from
    keep = np.ones(ctrl.shape[1], dtype=bool)
    if p.pre < 3 * length:
        return keep
    for j in range(ctrl.shape[1]):
        c = np.concatenate([[0.0], np.cumsum(ctrl[:, j])])
        ends = np.arange(2 * length, p.pre + 1)
        usual = (c[ends] - 2 * c[ends - length] + c[ends - 2 * length]) / length
        now = (c[p.post_to] - c[p.post_from]) / length - (c[p.pre] - c[p.pre - length]) / length
        spread = 1.4826 * float(np.median(np.abs(usual - np.median(usual)))) or 1e-9
        keep[j] = abs(now - float(np.median(usual))) <= CONTROL_BREAK_Z * spread
    return keep


@dataclass(frozen=True)
class _Core:
    pred: Array  # (draws, post points), counts
    fit: _Fit
    x: Array
    fitted: Array  # pre-period, counts
    mean: float
    sd: float
    scale: str  # "sqrt" or "identity": see _scale
    kept_controls: npt.NDArray[np.bool_]  # which of p.controls' columns the model used
    offset: Array  # last year's departures, standardised (see _design_for)


def _design_for(p: _Prepared, z: Array, sd: float) -> tuple[Array, Array]:
    """The calendar regressors, and last year's departures as an offset (standardised).

    The offset carries last year's peaks into the forecast with a coefficient of one even when
    the pre-period holds no earlier year to learn it from; the same series is also a regressor,
    so that a longer history can turn the coefficient up or down (to zero if peaks don't recur).
    """
    fixed = _design(p.dates, p.weekly, (p.dates[p.pre - 1] - p.dates[0]).days >= YEARLY_FROM_DAYS)
    season = _last_year(z, p)
    offset = np.zeros(z.size) if season is None else season / sd
    fixed = np.hstack([fixed, offset.reshape(-1, 1)])
    return fixed[:, fixed[: p.pre].std(axis=0) > 0], offset  # drop columns with no variation


def _core(p: _Prepared, draws: int, rng: np.random.Generator) -> _Core:
    """Fit on the pre-period and draw the counterfactual for every point after it, on the
    scale _scale chooses; the draws come back as counts, none below zero."""
    scale = _scale(p)
    z = _forward(p.y, scale)
    mean = float(np.nanmean(z[: p.pre]))
    sd = float(np.nanstd(z[: p.pre])) or 1.0
    zs = (z - mean) / sd
    fixed, offset = _design_for(p, z, sd)
    ctrl = _forward(p.controls, scale)
    kept = np.zeros(ctrl.shape[1], dtype=bool)
    if ctrl.shape[1]:
        c_sd = ctrl[: p.pre].std(axis=0)
        kept = (c_sd > 0) & _unbroken(ctrl, p)
        ctrl = (ctrl[:, kept] - ctrl[: p.pre, kept].mean(axis=0)) / c_sd[kept]
    burn = max(100, draws // 5)
    fit = _fit(rng, zs[: p.pre] - offset[: p.pre], fixed[: p.pre], ctrl[: p.pre], draws, burn)
    x = np.hstack([fixed, ctrl])
    horizon = p.y.size - p.pre
    steps = rng.standard_normal((draws, horizon)) * np.sqrt(fit.tau2)[:, None]
    level = fit.mu_last[:, None] + np.cumsum(steps, axis=1)
    noise = rng.standard_normal((draws, horizon)) * np.sqrt(fit.sigma2)[:, None]
    drawn = level + fit.beta @ x[p.pre :].T + offset[p.pre :] + noise
    pred = _back(drawn * sd + mean, scale)
    fitted = _back((fit.mu_mean + x[: p.pre] @ fit.beta_mean + offset[: p.pre]) * sd + mean, scale)
    return _Core(pred, fit, x, fitted, mean, sd, scale, kept, offset)


def _one_step_checks(p: _Prepared, c: _Core) -> tuple[float, float]:
    ys = (_forward(p.y[: p.pre], c.scale) - c.mean) / c.sd
    xb = c.x[: p.pre] @ c.fit.beta_mean + c.offset[: p.pre]
    pred, var = _one_step_fit(ys, xb, c.fit.sigma2_mean, c.fit.tau2_mean)
    ok = ~np.isnan(ys)
    ok[: min(7, ok.size)] = False  # the filter's first week is still finding the level
    if not ok.any():
        return 0.0, 1.0
    actual = p.y[: p.pre][ok]
    predicted = _back(pred[ok] * c.sd + c.mean, c.scale)
    denom = np.maximum(np.abs(actual), 1.0)
    mape = float(np.mean(np.abs(actual - predicted) / denom))
    inside = np.abs(ys[ok] - pred[ok]) <= 1.96 * np.sqrt(var[ok])
    return mape, float(inside.mean())


def _interval(draws: Array) -> tuple[float, float]:
    """The 95% interval as order statistics: it excludes zero exactly when fewer than 2.5% of
    the draws are on the other side of zero, that is exactly when p < 0.05."""
    ordered = np.sort(draws)
    k = math.ceil(0.025 * ordered.size) - 1
    return float(ordered[k]), float(ordered[ordered.size - 1 - k])


def _probabilities(total_draws: Array) -> tuple[float, float]:
    """Pr(effect > 0) and the two-sided p = 2 × min(Pr(effect > 0), Pr(effect < 0))."""
    n = total_draws.size
    above = float((total_draws > 0).sum()) / n
    below = float((total_draws <= 0).sum()) / n
    return above, min(1.0, 2 * min(above, below))


def fit_judgeable(coverage: float, expected_total: float, lower: float, upper: float) -> bool:
    """Whether the counterfactual is sharp enough to judge an effect against: the one-step
    forecasts held the pre-period (coverage), and the expected total is well away from zero
    (its interval above zero, no wider than the total, the total not tiny)."""
    return (
        coverage >= MIN_FIT_COVERAGE
        and expected_total >= MIN_EXPECTED_TOTAL
        and lower > 0
        and (upper - lower) <= MAX_RELATIVE_WIDTH * expected_total
    )


def _points(p: _Prepared, observed: Array, pred_post: Array) -> tuple[Point, ...]:
    effect_draws = observed[None, :] - pred_post
    cum_draws = np.cumsum(effect_draws, axis=1)

    def q(a: Array) -> tuple[Array, Array, Array]:
        lo, hi = np.quantile(a, [0.025, 0.975], axis=0)
        return np.mean(a, axis=0), lo, hi

    e_mid, e_lo, e_hi = q(effect_draws)
    c_mid, c_lo, c_hi = q(cum_draws)
    p_mid, p_lo, p_hi = q(pred_post)
    return tuple(
        Point(
            start=p.dates[p.post_from + i],
            observed=float(observed[i]),
            expected=float(p_mid[i]),
            expected_lower=float(p_lo[i]),
            expected_upper=float(p_hi[i]),
            effect=float(e_mid[i]),
            effect_lower=float(e_lo[i]),
            effect_upper=float(e_hi[i]),
            cumulative=float(c_mid[i]),
            cumulative_lower=float(c_lo[i]),
            cumulative_upper=float(c_hi[i]),
        )
        for i in range(observed.size)
    )


def _post_draws(p: _Prepared, c: _Core) -> tuple[Array, Array]:
    """What was seen and the counterfactual draws over the post-period. Outage points expect
    what was seen: nothing could have been added while the service was down."""
    observed = p.seen[p.post_from : p.post_to]
    pred_post = c.pred[:, p.post_from - p.pre : p.post_to - p.pre].copy()
    down = np.isnan(p.y[p.post_from : p.post_to])
    pred_post[:, down] = observed[down]
    return observed, pred_post


def _checks(
    p: _Prepared,
    c: _Core,
    names: Sequence[str],
    pre_end: date,
    pred_total: Array,
    placebo: tuple[float | None, date | None],
) -> Checks:
    mape, coverage = _one_step_checks(p, c)
    varying = p.controls[: p.pre].std(axis=0) > 0
    named = list(zip(names, c.kept_controls, varying, strict=False))
    kept_names = [name for name, kept, _ in named if kept]
    dropped = tuple(name for name, kept, moves in named if moves and not kept)
    inclusion = tuple(zip(kept_names, (float(v) for v in c.fit.inclusion), strict=False))
    expected = float(pred_total.mean())
    lo, hi = _interval(pred_total)
    pre_days = (pre_end - p.dates[0]).days + 1
    return Checks(
        grain="week" if p.weekly else "day",
        grain_reason=p.reason,
        pre_points=p.pre,
        pre_days=pre_days,
        short_pre_period=pre_days < SHORT_PRE_DAYS,
        fit_mape=mape,
        fit_coverage=coverage,
        placebo_p_value=placebo[0],
        placebo_start=placebo[1],
        controls_used=tuple(name for name, v in inclusion if v >= 0.5),
        inclusion=inclusion,
        expected_width=(hi - lo) / expected if expected > 0 else math.inf,
        fit_ok=fit_judgeable(coverage, expected, lo, hi),
        outage_days=p.outage_days,
        controls_dropped=dropped,
    )


def estimate(
    dates: Sequence[date],
    target: Values,
    controls: Table | None = None,
    *,
    control_names: Sequence[str] = (),
    pre_end: date,
    post_start: date,
    post_end: date,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    grain: str | None = None,
    placebo: bool = True,
) -> Estimate:
    """Estimate the effect of an intervention from post_start to post_end on a daily series.

    controls is one row per date (a value for each control); they must be series the
    intervention could not move.
    """
    started = time.perf_counter()
    if draws < 100:
        raise EffectError("Use at least 100 posterior draws.")
    p = _prepare(dates, target, controls, pre_end, post_start, post_end, grain)
    c = _core(p, draws, np.random.default_rng(seed))
    observed, pred_post = _post_draws(p, c)
    total_draws = observed.sum() - pred_post.sum(axis=1)
    pred_total = pred_post.sum(axis=1)
    prob, p_value = _probabilities(total_draws)
    points = _points(p, observed, pred_post)
    rel = total_draws / np.maximum(pred_total, 1e-9)
    lower, upper = _interval(total_draws)
    rel_lower, rel_upper = _interval(rel)
    expected_lower, expected_upper = _interval(pred_total)
    names = list(control_names)
    checks = _checks(
        p, c, names, pre_end, pred_total, _placebo(p, draws, seed) if placebo else (None, None)
    )
    return Estimate(
        post_start=post_start,
        post_end=points[-1].start + timedelta(6) if p.weekly else post_end,
        observed_total=float(observed.sum()),
        expected_total=float(pred_total.mean()),
        effect=float(total_draws.mean()),
        effect_lower=lower,
        effect_upper=upper,
        relative=float(np.median(rel)),
        relative_lower=rel_lower,
        relative_upper=rel_upper,
        p_value=p_value,
        prob_effect=prob,
        draws=draws,
        seconds=time.perf_counter() - started,
        checks=checks,
        points=points,
        pre_fit=tuple((p.dates[i], float(p.seen[i]), float(c.fitted[i])) for i in range(p.pre)),
        effect_draws=total_draws,
        expected_lower=expected_lower,
        expected_upper=expected_upper,
    )


def _placebo(p: _Prepared, draws: int, seed: int) -> tuple[float | None, date | None]:
    """Pretend the intervention started inside the pre-period; a real effect there is a warning."""
    length = p.post_to - p.post_from
    length = min(length, p.pre // 3)
    if p.pre - length < (4 if p.weekly else 28) or length < 1:
        return None, None
    fake = _Prepared(
        dates=p.dates[: p.pre],
        y=p.y[: p.pre],
        seen=p.seen[: p.pre],
        controls=p.controls[: p.pre],
        weekly=p.weekly,
        reason=p.reason,
        pre=p.pre - length,
        post_from=p.pre - length,
        post_to=p.pre,
    )
    if np.isnan(fake.seen[fake.post_from :]).any():
        return None, None
    # A quarter of the draws: the placebo only has to tell p below 0.05 from above it.
    c = _core(fake, max(100, draws // 4), np.random.default_rng(seed + 1))
    observed, pred_post = _post_draws(fake, c)
    _, p_value = _probabilities(observed.sum() - pred_post.sum(axis=1))
    return p_value, fake.dates[fake.post_from]


def detectable(
    dates: Sequence[date],
    target: Values,
    controls: Table | None = None,
    *,
    length_days: int,
    draws: int = 400,
    seed: int = 0,
) -> Detectable:
    """The smallest cumulative effect a campaign of length_days would show with 80% power.

    The last length_days of history stand in for the campaign: the model is fitted on what came
    before and the spread of its forecast total is what any real effect must stand out from.
    """
    if length_days < 7:
        raise EffectError("A campaign to plan must last at least 7 days.")
    ds = list(dates)
    if len(ds) < length_days + 28:
        raise EffectError(
            "Planning needs at least four weeks of history before the campaign length."
        )
    post_start = ds[-length_days]
    p = _prepare(ds, target, controls, post_start - timedelta(1), post_start, ds[-1], None)
    _, pred_post = _post_draws(p, _core(p, draws, np.random.default_rng(seed)))
    totals = pred_post.sum(axis=1)
    sd_total = float(totals.std())
    expected = float(totals.mean())
    smallest = (1.959964 + 0.841621) * sd_total
    return Detectable(
        length_days=length_days,
        expected_total=expected,
        sd_total=sd_total,
        smallest_effect=smallest,
        smallest_relative=smallest / expected if expected > 0 else math.inf,
        grain="week" if p.weekly else "day",
    )


# `takeup estimate`: a daily series from a CSV file in, the estimate as JSON out. Here, not in
# the console script, so that the management command and the script's fast path (which skips
# Django's start-up) share them without an app importing the shell.


def _csv_number(text: str, line: int, column: str) -> float:
    cleaned = text.strip().replace(",", "")
    if cleaned == "":
        return math.nan
    problem = f"Line {line}, column {column}: '{text}' is not a number."
    try:
        value = float(cleaned)
    except ValueError as exc:
        raise EffectError(problem) from exc
    if not math.isfinite(value):
        raise EffectError(problem)
    return value


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        raise EffectError(f"Cannot read {path}: {exc.strerror}.") from exc
    rows = list(csv.reader(text.splitlines()))
    if len(rows) < 2:
        raise EffectError(f"{path} has no rows under its header.")
    return rows


def read_series_csv(
    path: Path, date_column: str, target: str, controls: Sequence[str]
) -> tuple[list[date], list[float], list[list[float]]]:
    """Dates, the target and the controls from a CSV, or an EffectError that says what to fix.
    Empty cells are missing figures."""
    rows = _csv_rows(path)
    header = [h.strip() for h in rows[0]]
    for column in [date_column, target, *controls]:
        if column not in header:
            raise EffectError(f"{path} has no column '{column}'. It has: {', '.join(header)}.")
    at = {name: header.index(name) for name in header}
    dates, ys, xs = [], [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise EffectError(f"Line {line} has {len(row)} cells; the header has {len(header)}.")
        try:
            dates.append(parse_date(row[at[date_column]]))
        except ValueError as exc:
            raise EffectError(f"Line {line}: {exc}.") from exc
        ys.append(_csv_number(row[at[target]], line, target))
        xs.append([_csv_number(row[at[c]], line, c) for c in controls])
    return dates, ys, xs


def estimate_json(result: Estimate) -> str:
    """The JSON `takeup estimate` prints (docs/methods.md): prob_effect is Pr(effect > 0), and
    p_value = 2 × min(Pr(effect > 0), Pr(effect < 0)), both from the interval's draws."""
    checks = asdict(result.checks)
    out = {
        "post_start": result.post_start.isoformat(),
        "post_end": result.post_end.isoformat(),
        "observed": result.observed_total,
        "expected": result.expected_total,
        "expected_interval": [result.expected_lower, result.expected_upper],
        "effect": {
            "point": result.effect,
            "lower": result.effect_lower,
            "upper": result.effect_upper,
        },
        "relative": {
            "point": result.relative,
            "lower": result.relative_lower,
            "upper": result.relative_upper,
            "shown": result.relative_shown,
        },
        "verdict": result.verdict,
        "p_value": result.p_value,
        "prob_effect": result.prob_effect,
        "draws": result.draws,
        "checks": {
            **checks,
            "placebo_start": checks["placebo_start"].isoformat()
            if checks["placebo_start"]
            else None,
            "placebo_failed": result.checks.placebo_failed,
        },
        "seconds": round(result.seconds, 3),
    }
    return json.dumps(out, indent=2)
