"""The validation harness for the campaign effect model, in full (docs/methods.md).

300 synthetic series with known injected effects (none, small, large; trend, weekly and yearly
seasons, Poisson noise; low and high counts; with and without controls), and the same effects
injected into the demo's own digital volumes, each estimated with 1,000 posterior draws. Then
one estimate over three years of daily data, with every check (the placebo too), timed.

    .venv/bin/python bench/effects.py [--synthetic 300] [--demo 90] [--draws 1000]

Writes bench/results/effects.json. Needs no database.
"""

import argparse
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from common import record

from takeup.campaigns import effect, validation
from takeup.catalogue.csvimport import slugify
from takeup.demo.catalogue import SERVICES
from takeup.demo.volumes import ServicePlan, daily_volumes

END = date(2026, 10, 31)


def demo_series() -> dict[str, tuple[list[date], np.ndarray]]:
    """Each demo service's daily web transactions over three years, with no campaigns in them."""
    plans = [
        ServicePlan(
            slugify(name),
            kind,
            area,
            date(online[0], online[1], 1) if online else None,
        )
        for area, name, kind, _path, online, _target in SERVICES
    ]
    by_service: dict[str, dict[date, float]] = defaultdict(dict)
    for v in daily_volumes(plans, end=END, years=3):
        if v.channel == "web" and v.measure == "transactions":
            by_service[v.slug][v.day] = v.count
    start = END - timedelta(days=3 * 365 - 1)
    days = [start + timedelta(days=i) for i in range((END - start).days + 1)]
    out = {}
    for slug, counts in by_service.items():
        y = np.array([counts.get(d, 0.0) for d in days])
        if np.median(y[:365]) >= 3:  # services online for the whole period
            out[slug] = (days, y)
    return out


def _chunk(args: tuple[list[validation.Case], int, int]) -> list[validation.Outcome]:
    cases, draws, seed = args
    return [validation.outcome_of(c, draws=draws, seed=seed + i) for i, c in enumerate(cases)]


def run_cases(cases: list[validation.Case], draws: int, workers: int) -> validation.Summary:
    chunks = [(cases[i::workers], draws, 1000 * i) for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        outcomes = [o for part in pool.map(_chunk, chunks) for o in part]
    return validation.summarise(outcomes)


def three_year_estimate(draws: int) -> float:
    rng = np.random.default_rng(1)
    n = 3 * 365
    days = [END - timedelta(days=n - 1 - i) for i in range(n)]
    t = np.arange(n)
    weekday = np.array([1.0, 0.97, 0.95, 0.93, 0.9, 0.7, 0.65])[[d.weekday() for d in days]]
    mean = 300 * (1 + 0.0003 * t) * (1 + 0.15 * np.sin(2 * np.pi * t / 365.25)) * weekday
    y = rng.poisson(mean).astype(float)
    controls = np.column_stack([rng.poisson(mean * s) for s in (0.6, 1.4, 2.0)]).astype(float)
    started = time.perf_counter()
    effect.estimate(
        days,
        y,
        controls,
        control_names=["a", "b", "c"],
        pre_end=days[-57],
        post_start=days[-56],
        post_end=days[-1],
        draws=draws,
    )
    return time.perf_counter() - started


def figures(prefix: str, s: validation.Summary) -> dict[str, float]:
    return {
        f"{prefix}cases": s.cases,
        f"{prefix}coverage_95": round(s.coverage_95, 4),
        f"{prefix}false_positive_rate": round(s.false_positive_rate, 4),
        f"{prefix}median_rel_error_large": round(s.median_rel_error_large, 4),
        f"{prefix}power_large": round(s.power_large, 4),
        f"{prefix}seconds_per_estimate": round(s.seconds_per_estimate, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic", type=int, default=300)
    parser.add_argument("--demo", type=int, default=90)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    synthetic = list(validation.synthetic_cases(args.synthetic, seed=2026))
    demo = list(validation.injected_cases(demo_series(), args.demo, seed=2026))
    started = time.perf_counter()
    s_syn = run_cases(synthetic, args.draws, args.workers)
    print("synthetic", figures("", s_syn), flush=True)
    s_demo = run_cases(demo, args.draws, args.workers)
    print("demo", figures("", s_demo), flush=True)
    everything = validation.summarise(s_syn.outcomes + s_demo.outcomes)
    seconds = [three_year_estimate(args.draws) for _ in range(3)]
    results = {
        **figures("", everything),
        **figures("synthetic.", s_syn),
        **figures("demo.", s_demo),
        "draws": args.draws,
        "three_year_estimate.seconds": round(sorted(seconds)[1], 3),
        "three_year_estimate.days": 3 * 365,
        "three_year_estimate.controls": 3,
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    path = record("effects.json", results)
    print(path.read_text())


if __name__ == "__main__":
    main()
