"""Validation of the saving from contacts avoided (ledger/saving.py), on series with a known truth.

Each case is three years of monthly phone contacts and web transactions for one service: a
level, a yearly season, a trend in demand, and noise (Poisson, or negative binomial with monthly
variation of about 7% or 15% beyond Poisson). A known share of the phone contacts moves online
in the last year (none, small, large), and some cases have a March billing peak. The saving
compares the last quarter with the same quarter a year earlier, as the dashboard does. We count
how often the 95% interval holds the true number of contacts avoided, how often a case with no
shift is called a saving (its interval above zero), and the median error where the shift is
large.

    .venv/bin/python bench/saving.py [--cases 600]

Writes bench/results/saving.json. Needs no database.
"""

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from common import record

from takeup.ledger.saving import ChannelInput, channel_shift_saving, demand_now, dispersion

NOISE = {"poisson": None, "overdispersed-7%": 200.0, "overdispersed-15%": 45.0}
SHIFT = {"none": 0.0, "small": 0.05, "large": 0.25, "new-online": 0.0}
PERIOD, BASELINE = slice(33, 36), slice(21, 24)


def draw(rng: np.random.Generator, mean: np.ndarray, shape: float | None) -> np.ndarray:
    rate = mean if shape is None else rng.gamma(shape, mean / shape)
    return rng.poisson(rate)


def case(rng: np.random.Generator, noise: str, shift: str) -> tuple[bool, bool, float | None]:
    """(interval holds the truth, called a saving, relative error) for one series."""
    level = rng.uniform(80, 6000)
    month = np.arange(36)
    season = 1 + 0.25 * np.sin(month / 12 * 2 * np.pi + rng.uniform(0, 2 * np.pi))
    if rng.random() < 0.3:
        season[month % 12 == 2] *= 2.5  # a March billing peak
    demand = level * season * np.exp(rng.uniform(-0.15, 0.15) * month / 12)
    moved = np.where(month >= 24, SHIFT[shift], 0.0)
    phone_mean = demand * 0.6 * (1 - moved)
    web_mean = demand * 0.4 + demand * 0.6 * moved
    if shift == "new-online":  # the web draws 30% more demand of its own; the phones are as before
        web_mean = web_mean * np.where(month >= 24, 1.3, 1.0)
    phone = draw(rng, phone_mean, NOISE[noise])
    web = draw(rng, web_mean, NOISE[noise])
    # The 25 months to the period's end, as the dashboard reads them.
    history = {date(2024 + m // 12, m % 12 + 1, 1): int(phone[m]) for m in range(11, 36)}
    result = channel_shift_saving(
        channels=[
            ChannelInput(
                channel_id=1,
                measure="contacts",
                baseline=int(phone[BASELINE].sum()),
                actual=int(phone[PERIOD].sum()),
                dispersion=dispersion(history),
                pence_each=283,
            )
        ],
        demand_baseline=int(phone[BASELINE].sum() + web[BASELINE].sum()),
        demand_now=demand_now(
            offline_before=float(phone[BASELINE].sum()),
            offline_now=float(phone[PERIOD].sum()),
            online_before=float(web[BASELINE].sum()),
            online_now=float(web[PERIOD].sum()),
        ),
    )
    assert result is not None
    avoided = result.channels[0]
    # The truth, as the method defines it: what the phones would have had without the shift
    # (demand that rose is not expected of them), less what they had.
    change = demand[PERIOD].sum() / demand[BASELINE].sum()
    truth = phone_mean[BASELINE].sum() * min(1.0, change) - phone_mean[PERIOD].sum()
    holds = avoided.lower <= truth <= avoided.upper
    called = avoided.lower > 0
    error = abs(avoided.avoided - truth) / abs(truth) if shift == "large" and truth else None
    return holds, called, error


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=600, help="per noise and shift")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    results: dict[str, float | int] = {"cases_per_category": args.cases}
    holds_all: list[bool] = []
    for noise in NOISE:
        for shift in SHIFT:
            found = [case(rng, noise, shift) for _ in range(args.cases)]
            holds = [h for h, _, _ in found]
            holds_all += holds
            key = f"{noise}.{shift}"
            results[f"{key}.coverage_95"] = round(float(np.mean(holds)), 4)
            if shift in ("none", "new-online"):
                results[f"{key}.false_saving_rate"] = round(
                    float(np.mean([c for _, c, _ in found])), 4
                )
            errors = [e for _, _, e in found if e is not None]
            if errors:
                results[f"{key}.median_rel_error"] = round(float(np.median(errors)), 4)
    results["coverage_95"] = round(float(np.mean(holds_all)), 4)
    path = record("saving.json", results)
    print(path.read_text())


if __name__ == "__main__":
    main()
