"""The effect engine on its own: recovery of known effects, intervals, checks and bad input."""

from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from takeup.campaigns import effect, validation
from takeup.campaigns.effect import EffectError, detectable, estimate

WEEKDAY = np.array([1.0, 0.97, 0.95, 0.93, 0.9, 0.7, 0.65])


def series(
    n: int, level: float, seed: int, lift: float = 0.0, lift_from: int | None = None
) -> tuple[list[date], npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
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
    assert long.checks.placebo_p_value is not None
    assert long.checks.placebo_start is not None
    assert long.checks.placebo_start < date(2025, 1, 7)


def _window(n: int, cut: int) -> tuple[list[date], npt.NDArray[np.float64], date, date, date]:
    dates, y, _, _ = series(n, 200, seed=7)
    return dates, y, dates[cut - 1], dates[cut], dates[-1]


def test_a_placebo_inside_a_real_break_fails() -> None:
    """A level shift inside the pre-period makes a pretend start find an 'effect'."""
    dates, y, _, _ = series(300, 200, seed=8, lift=0.5, lift_from=265)
    e = estimate(dates, y, pre_end=dates[279], post_start=dates[280], post_end=dates[-1], draws=300)
    assert e.checks.placebo_failed


def test_same_seed_same_answer() -> None:
    dates, y, pre_end, post_start, post_end = _window(200, 172)
    kw: dict[str, Any] = dict(pre_end=pre_end, post_start=post_start, post_end=post_end, draws=150)
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
def test_bad_input_says_what_to_fix(change: dict[str, Any], message: str) -> None:
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


def test_prob_effect_is_the_probability_of_an_increase_and_p_agrees_with_the_interval() -> None:
    """Pr(effect > 0), not the probability of whichever sign the point took; p is twice the
    smaller tail, so p < 0.05 exactly when the 95% interval leaves out zero."""
    for seed, lift in [(21, -0.2), (22, 0.0), (23, 0.03), (24, 0.2)]:
        dates, y, _, _ = series(400, 150, seed=seed, lift=0.0)
        y[372:] = np.round(y[372:] * (1 + lift))
        e = estimate(
            dates, y, pre_end=dates[371], post_start=dates[372], post_end=dates[-1], draws=300
        )
        assert e.prob_effect == pytest.approx(float(np.mean(e.effect_draws > 0)))
        assert e.p_value == pytest.approx(2 * min(e.prob_effect, 1 - e.prob_effect))
        assert (e.p_value < 0.05) == (e.effect_lower > 0 or e.effect_upper < 0)
        if lift < 0:
            assert e.prob_effect < 0.025 and e.verdict == "decrease"


def garden_waste(
    n: int, seed: int, start: date = date(2024, 1, 1)
) -> tuple[list[date], npt.NDArray[np.float64]]:
    """Daily subscriptions: a renewals peak in February and March, near nothing in autumn."""
    rng = np.random.default_rng(seed)
    dates = [start + timedelta(days=i) for i in range(n)]
    doy = np.array([d.timetuple().tm_yday for d in dates])
    mean = 0.1 + 30 * np.exp(-(((doy - 70) / 18) ** 2)) + 2 * np.exp(-(((doy - 170) / 40) ** 2))
    return dates, rng.poisson(mean).astype(float)


def test_near_zero_counts_have_no_band_below_zero_and_cannot_be_judged() -> None:
    """Garden waste in October: the expected band stays at or above zero, the fit check fails
    (the expected total is too small and too uncertain), the verdict is "cannot tell" and no
    relative effect is offered."""
    dates, y = garden_waste(700, seed=31)
    start = dates.index(date(2025, 10, 5))
    e = estimate(
        dates,
        y,
        pre_end=dates[start - 1],
        post_start=dates[start],
        post_end=dates[start + 20],
        draws=400,
    )
    assert all(p.expected_lower >= 0 and p.expected >= 0 for p in e.points)
    assert e.expected_lower >= 0
    assert not e.checks.fit_ok and e.verdict == "cannot tell" and not e.relative_shown


def test_an_ordinary_series_can_be_judged_and_shows_its_relative_effect() -> None:
    dates, y, _, _ = series(400, 200, seed=32, lift=0.3, lift_from=372)
    e = estimate(dates, y, pre_end=dates[371], post_start=dates[372], post_end=dates[-1], draws=300)
    assert e.checks.fit_ok and e.relative_shown and e.verdict == "increase"
    assert e.expected_lower > 0 and 0.15 < e.relative < 0.45


def test_a_run_of_zeros_where_there_are_usually_hundreds_is_an_outage() -> None:
    """Zeros from an outage say nothing about demand: left out of the fit (so they neither
    widen the interval nor drag the level down) and, during the campaign, expected as seen."""
    dates, y, _, _ = series(400, 200, seed=33)
    clean = estimate(
        dates, y, pre_end=dates[371], post_start=dates[372], post_end=dates[-1], draws=300
    )
    broken = y.copy()
    broken[200:206] = 0  # six days with nothing in the pre-period
    broken[380:383] = 0  # three in the post-period
    e = estimate(
        dates, broken, pre_end=dates[371], post_start=dates[372], post_end=dates[-1], draws=300
    )
    assert e.checks.outage_days == 9
    down = e.points[8:11]
    assert all(p.observed == 0 and p.expected == 0 and p.effect == 0 for p in down)
    assert e.effect_lower < 0 < e.effect_upper
    width = e.effect_upper - e.effect_lower
    assert width < 1.3 * (clean.effect_upper - clean.effect_lower)


def test_low_counts_keep_their_zeros() -> None:
    dates, y, _, _ = series(400, 2, seed=34)
    e = estimate(dates, y, pre_end=dates[343], post_start=dates[344], post_end=dates[-1], draws=200)
    assert e.checks.outage_days == 0


def test_a_control_that_breaks_during_the_campaign_is_left_out() -> None:
    rng = np.random.default_rng(35)
    n = 420
    dates = [date(2024, 1, 1) + timedelta(days=i) for i in range(n)]
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(n) / 365.25)
    common = 150 * season * WEEKDAY[[d.weekday() for d in dates]]
    y = rng.poisson(common).astype(float)
    steady = rng.poisson(common * 2).astype(float)
    jumps = rng.poisson(common * 1.5 * np.where(np.arange(n) >= 396, 1.6, 1.0)).astype(float)
    e = estimate(
        dates,
        y,
        np.column_stack([steady, jumps]),
        control_names=["steady", "jumps"],
        pre_end=dates[391],
        post_start=dates[392],
        post_end=dates[-1],
        draws=300,
    )
    assert e.checks.controls_dropped == ("jumps",)
    assert "jumps" not in dict(e.checks.inclusion)
    assert e.effect_lower < 0 < e.effect_upper


def test_last_years_peak_is_expected_again() -> None:
    """A billing peak every March: the forecast for this March carries it, so the peak itself
    is not taken for a campaign's effect."""
    rng = np.random.default_rng(36)
    n = 830
    dates = [date(2023, 1, 2) + timedelta(days=i) for i in range(n)]
    mean = 150 * WEEKDAY[[d.weekday() for d in dates]]
    for i, d in enumerate(dates):
        since = (d - date(d.year, 3, 1)).days
        if 0 <= since < 30:
            mean[i] *= 1 + 1.5 * np.exp(-since / 6)
    y = rng.poisson(mean).astype(float)
    start = dates.index(date(2025, 2, 22))
    e = estimate(
        dates,
        y,
        pre_end=dates[start - 1],
        post_start=dates[start],
        post_end=dates[start + 27],
        draws=300,
    )
    assert e.effect_lower < 0 < e.effect_upper
    assert abs(e.effect) < 0.15 * e.observed_total  # the peak is expected, not a miss


def test_the_widened_harness_has_every_category_and_counts_each_statistic() -> None:
    cases = validation.harness_cases(3, seed=5)
    assert {c.category for c in cases} == set(validation.CATEGORIES)
    assert [c.effect_class for c in cases[:3]] == ["none", "small", "large"]
    assert all(c.true_effect == 0 for c in cases if c.effect_class == "none")
    called = validation.Outcome("a", "none", 0.0, 5.0, -1.0, 9.0, 0.04, 0.1, 0.98, "plain")
    assert not called.called_by_interval and called.called_by_p and called.called_by_probability
    quiet = validation.Outcome("b", "none", 0.0, 5.0, -1.0, 9.0, 0.5, 0.1, 0.75, "overlap")
    summary = validation.summarise([called, quiet])
    assert summary.fp_interval == 0 and summary.fp_p_value == 0.5
    assert summary.false_positive_rate == 0.5
    assert summary.per_category["overlap"].false_positive_rate == 0


def test_an_outage_in_the_campaign_takes_its_extra_with_it() -> None:
    """The harness's truth is what was realised: nothing extra on days the service was down."""
    cases = list(validation.category_cases("outage", 6, seed=7))
    for case in cases:
        zeros = case.target[case.dates.index(case.post_start) :] == 0
        assert case.true_effect >= 0
        assert not np.isnan(case.target[case.dates.index(case.post_start) :]).any()
        if case.effect_class == "none":
            assert case.true_effect == 0
        assert zeros.sum() >= 0
