"""The validation harness for the campaign effect model, in full (docs/methods.md).

Every category of campaigns.validation (plain series; a control that breaks during the
campaign; outages; billing peaks and Christmas; ramps and decays; two overlapping campaigns;
counts below ten a day; negative-binomial noise), each with no, small and large effects, plus
the same effects injected into the demo's own digital volumes. Each is estimated with 1,000
posterior draws and scored against the extra transactions actually realised. Then one estimate
over three years of daily data with five controls and every check (the placebo too), timed in
process, and the same through the `takeup estimate` console script, timed as a new process.

    .venv/bin/python bench/effects.py [--per-category 60] [--demo 60] [--draws 1000]

Writes bench/results/effects.json. Needs no database.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT / "src"))

from takeup.campaigns import effect, validation
from takeup.core.text import slugify
from takeup.demo.catalogue import SERVICES
from takeup.demo.volumes import ServicePlan, daily_volumes

END = date(2026, 10, 31)
RESULTS = ROOT / "bench" / "results" / "effects.json"


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


def three_years(controls: int = 5) -> tuple[list[date], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    n = 3 * 365
    days = [END - timedelta(days=n - 1 - i) for i in range(n)]
    t = np.arange(n)
    weekday = validation.WEEKDAY[[d.weekday() for d in days]]
    mean = 300 * (1 + 0.0003 * t) * (1 + 0.15 * np.sin(2 * np.pi * t / 365.25)) * weekday
    y = rng.poisson(mean).astype(float)
    scales = (0.6, 1.4, 2.0, 0.8, 1.1)[:controls]
    xs = np.column_stack([rng.poisson(mean * s) for s in scales]).astype(float)
    return days, y, xs


def three_year_estimate(draws: int) -> float:
    days, y, xs = three_years()
    started = time.perf_counter()
    effect.estimate(
        days,
        y,
        xs,
        control_names=[f"c{i}" for i in range(xs.shape[1])],
        pre_end=days[-57],
        post_start=days[-56],
        post_end=days[-1],
        draws=draws,
    )
    return time.perf_counter() - started


def cli_seconds(runs: int = 5) -> float:
    """Wall time of `takeup estimate` as a new process, start-up included: the median of runs."""
    days, y, xs = three_years()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "three-years.csv"
        names = [f"c{i}" for i in range(xs.shape[1])]
        lines = ["date,web," + ",".join(names)]
        lines += [
            f"{d},{int(y[i])}," + ",".join(str(int(v)) for v in xs[i]) for i, d in enumerate(days)
        ]
        path.write_text("\n".join(lines) + "\n")
        command = [
            str(ROOT / ".venv" / "bin" / "takeup"),
            "estimate",
            str(path),
            "--date-column=date",
            "--target=web",
            f"--controls={','.join(names)}",
            f"--pre-end={days[-57]}",
            f"--post-start={days[-56]}",
            f"--post-end={days[-1]}",
        ]
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def figures(s: validation.Summary) -> dict[str, Any]:
    return {
        "cases": s.cases,
        "coverage_95": round(s.coverage_95, 4),
        "false_positive_rate": round(s.false_positive_rate, 4),
        "false_positive_rate_interval": round(s.fp_interval, 4),
        "false_positive_rate_p_value": round(s.fp_p_value, 4),
        "false_positive_rate_prob_effect": round(s.fp_probability, 4),
        "false_positive_rate_prob_effect_one_sided_95": round(s.fp_probability_one_sided_95, 4),
        "median_rel_error_large": round(s.median_rel_error_large, 4),
        "power_large": round(s.power_large, 4),
        "seconds_per_estimate": round(s.seconds_per_estimate, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-category", type=int, default=60)
    parser.add_argument("--demo", type=int, default=60)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    cases = validation.harness_cases(args.per_category, seed=2026)
    cases += list(validation.injected_cases(demo_series(), args.demo, seed=2026))
    summary = run_cases(cases, args.draws, args.workers)
    results: dict[str, Any] = {
        **figures(summary),
        "per_category": {name: figures(s) for name, s in summary.per_category.items()},
        "draws": args.draws,
        "three_year_estimate": {
            "seconds": round(sorted(three_year_estimate(args.draws) for _ in range(3))[1], 3),
            "days": 3 * 365,
            "controls": 5,
            "placebo": True,
        },
        "cli_seconds": round(cli_seconds(), 3),
        "wall_seconds": round(time.perf_counter() - started, 1),
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(RESULTS.read_text())


if __name__ == "__main__":
    main()
