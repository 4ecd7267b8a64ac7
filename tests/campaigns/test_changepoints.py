from datetime import date, timedelta

import numpy as np

from takeup.campaigns.changepoints import breaks

WEEKS = [date(2025, 1, 6) + timedelta(weeks=i) for i in range(80)]
RNG = np.random.default_rng(1)
# Demand with a strong season (a March peak) that moves every channel together.
TOTALS = RNG.poisson(1000 * (1 + 0.8 * (np.arange(80) % 52 < 4)))


def test_a_step_in_take_up_is_found_at_its_week() -> None:
    share = np.where(np.arange(80) < 50, 0.55, 0.70)
    digital = RNG.binomial(TOTALS, share)
    found = breaks(WEEKS, digital.tolist(), TOTALS.tolist())
    assert len(found) == 1 and abs((found[0] - WEEKS[50]).days) <= 7


def test_seasons_in_demand_are_not_breaks() -> None:
    digital = RNG.binomial(TOTALS, 0.6)
    assert breaks(WEEKS, digital.tolist(), TOTALS.tolist()) == []


def test_a_slow_rise_is_not_a_break() -> None:
    digital = RNG.binomial(TOTALS, np.linspace(0.5, 0.6, 80))
    assert breaks(WEEKS, digital.tolist(), TOTALS.tolist()) == []


def test_too_short_a_history_has_no_breaks() -> None:
    assert breaks(WEEKS[:10], [1] * 5 + [9] * 5, [10] * 10) == []
