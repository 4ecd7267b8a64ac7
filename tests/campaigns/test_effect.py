"""The effect engine on its own: recovery of known effects, intervals, checks and bad input."""

from datetime import date, timedelta

import numpy as np
import pytest

from takeup.campaigns import effect, validation
from takeup.campaigns.effect import EffectError, detectable, estimate

WEEKDAY = np.array([1.0, 0.97, 0.95, 0.93, 0.9, 0.7, 0.65])


def series(n: int, level: float, seed: int, lift: float = 0.0, lift_from: int | None = None):
    rng = np.random.default_rng(seed)
    dates = [date(2024, 1, 1) + timedelta(days=i) for i in range(n)]
    mean = level * WEEKDAY[[d.weekday() for d in dates]]
    y0 = rng.poisson(mean).astype(float)
    extra = np.zeros(n)
    if lift_from is not None:
        extra[lift_from:] = rng.poisson(mean[lift_from:] * lift)
    return dates, y0 + extra, mean, float(extra.sum())


def test_a_known_effect_is_found_inside_its_interval() -> None:
    dates, y, _, true = series(400, 200, seed=1, lift=0.25, lift_from=372)
    e = estimate(dates, y, pre_end=dates[371], post_start=dates[372], post_end=dates[-1], draws=400)
    assert e.effect_lower <= true <= e.effect_upper
    assert e.significant and e.prob_effect > 0.99
    assert abs(e.effect - true) / true < 0.2
    assert 0.15 < e.relative < 0.35
    assert len(e.points) == 28 and e.points[-1].cumulative == pytest.approx(e.effect, rel=0.05)


def test_no_effect_is_not_called_significant() -> None:
    dates, y, _, _ = series(400, 200, seed=2)
    e = estimate(dates, y, pre_end=dates[371], post_start=dates[372], post_end=dates[-1], draws=400)
    assert not e.significant
    assert e.effect_lower < 0 < e.effect_upper


def test_interval_carries_parameter_uncertainty() -> None:
    """The interval is wider than Poisson noise alone around a known mean would make it, because
    the level, the calendar effects and the variances are all drawn, not plugged in."""
    dates, y, mean, _ = series(400, 200, seed=3)
    e = estimate(dates, y, pre_end=dates[371], post_start=dates[372], post_end=dates[-1], draws=400)
    noise_only = 2 * 1.96 * np.sqrt(mean[372:].sum())
    assert e.effect_upper - e.effect_lower > 1.2 * noise_only


def test_controls_that_share_the_movement_are_used() -> None:
    rng = np.random.default_rng(4)
    n = 420
    dates = [date(2024, 1, 1) + timedelta(days=i) for i in range(n)]
    common = 150 * (1 + 0.4 * np.sin(np.arange(n) / 20)) * WEEKDAY[[d.weekday() for d in dates]]
    y = rng.poisson(common).astype(float)
    related = rng.poisson(common * 2).astype(float)
    noise = rng.poisson(np.full(n, 90)).astype(float)
    e = estimate(
        dates,
        y,
        np.column_stack([related, noise]),
        control_names=["related", "noise"],
        pre_end=dates[391],
        post_start=dates[392],
        post_end=dates[-1],
        draws=400,
    )
    inclusion = dict(e.checks.inclusion)
    assert inclusion["related"] > 0.9 > inclusion["noise"]
    assert e.checks.controls_used == ("related",)
    assert e.effect_lower < 0 < e.effect_upper


def test_low_counts_switch_to_weeks() -> None:
    dates, y, _, _ = series(400, 3, seed=5)
    e = estimate(dates, y, pre_end=dates[343], post_start=dates[344], post_end=dates[-1], draws=200)
    assert e.checks.grain == "week" and "median daily count" in e.checks.grain_reason
    assert len(e.points) == 8  # 56 days, whole weeks from the post-period's first day
    assert all((p.start - dates[344]).days % 7 == 0 for p in e.points)


def test_a_short_pre_period_is_flagged_and_the_placebo_runs_when_it_can() -> None:
    dates, y, _, _ = series(80, 200, seed=6)
    e = estimate(dates, y, pre_end=dates[49], post_start=dates[50], post_end=dates[-1], draws=200)
    assert e.checks.short_pre_period and e.checks.pre_days == 50
    dates, y, pre_end, post_start, post_end = _window(400, 372)
    long = estimate(dates, y, pre_end=pre_end, post_start=post_start, post_end=post_end, draws=200)
    assert not long.checks.short_pre_period
    assert long.checks.placebo_p_value is not None and long.checks.placebo_start < date(2025, 1, 7)


def _window(n: int, cut: int):
    dates, y, _, _ = series(n, 200, seed=7)
    return dates, y, dates[cut - 1], dates[cut], dates[-1]


def test_a_placebo_inside_a_real_break_fails() -> None:
    """A level shift inside the pre-period makes a pretend start find an 'effect'."""
    dates, y, _, _ = series(300, 200, seed=8, lift=0.5, lift_from=265)
    e = estimate(dates, y, pre_end=dates[279], post_start=dates[280], post_end=dates[-1], draws=300)
    assert e.checks.placebo_failed


def test_same_seed_same_answer() -> None:
    dates, y, pre_end, post_start, post_end = _window(200, 172)
    kw = dict(pre_end=pre_end, post_start=post_start, post_end=post_end, draws=150)
    a = estimate(dates, y, seed=3, **kw)
    b = estimate(dates, y, seed=3, **kw)
    assert (a.effect, a.effect_lower, a.p_value) == (b.effect, b.effect_lower, b.p_value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(dates="gap"), "consecutive days"),
        (dict(order=True), "Dates must run"),
        (dict(post_end_after=True), "before the post-period ends"),
        (dict(nan_post=True), "every date of the post-period"),
        (dict(nan_control=True), "Control series must have a number"),
        (dict(draws=10), "at least 100"),
        (dict(zeros=True), "no transactions before"),
        (dict(short=True), "at least 14 days"),
    ],
)
def test_bad_input_says_what_to_fix(change: dict, message: str) -> None:
    dates, y, _, _ = series(120, 50, seed=9)
    controls = np.column_stack([y.copy()])
    pre_end, post_start, post_end = dates[89], dates[90], dates[-1]
    draws = change.get("draws", 100)
    if change.get("dates"):
        dates = dates[:50] + dates[51:] + [dates[-1] + timedelta(1)]
    if change.get("order"):
        pre_end, post_start = post_start, pre_end
    if change.get("post_end_after"):
        post_end = dates[-1] + timedelta(days=3)
    if change.get("nan_post"):
        y[100] = np.nan
    if change.get("nan_control"):
        controls[5, 0] = np.nan
    if change.get("zeros"):
        y[:90] = 0
    if change.get("short"):
        y[:80] = np.nan
    with pytest.raises(EffectError, match=message):
        estimate(
            dates,
            y,
            controls,
            pre_end=pre_end,
            post_start=post_start,
            post_end=post_end,
            draws=draws,
        )


def test_missing_days_in_the_pre_period_are_skipped_not_zero() -> None:
    dates, y, _, _ = series(300, 200, seed=10)
    y[100:110] = np.nan
    e = estimate(dates, y, pre_end=dates[271], post_start=dates[272], post_end=dates[-1], draws=200)
    assert e.effect_lower < 0 < e.effect_upper


def test_detectable_effect_grows_shorter_campaigns_smaller() -> None:
    dates, y, _, _ = series(400, 200, seed=11)
    four_weeks = detectable(dates, y, length_days=28, draws=200)
    one_week = detectable(dates, y, length_days=7, draws=200)
    assert 0 < one_week.smallest_effect < four_weeks.smallest_effect
    assert four_weeks.smallest_relative < one_week.smallest_relative
    assert four_weeks.smallest_effect == pytest.approx(2.801585 * four_weeks.sd_total)
    with pytest.raises(EffectError):
        detectable(dates[:40], y[:40], length_days=28)


def test_small_validation_harness_meets_the_targets() -> None:
    """The harness of docs/methods.md in small: 24 synthetic series with known effects. The full
    run (bench/effects.py) has 300+ series; here the bounds allow for the smaller sample."""
    summary = validation.run(list(validation.synthetic_cases(24, seed=11)), draws=250)
    assert summary.cases == 24
    assert summary.coverage_95 >= 0.8
    assert summary.false_positive_rate <= 0.25
    assert summary.median_rel_error_large <= 0.15
    assert summary.power_large >= 0.75


def test_the_harness_counts_what_it_says() -> None:
    o = validation.Outcome("x", "large", 100.0, 90.0, 50.0, 150.0, 0.01, 0.1)
    assert o.covered
    assert not validation.Outcome("y", "none", 0.0, 30.0, 10.0, 50.0, 0.01, 0.1).covered
    assert effect.DEFAULT_DRAWS == 1000
