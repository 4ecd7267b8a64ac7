"""The `takeup` console script: Django's management commands under one name.

`takeup estimate FILE.csv …` printing JSON is answered here without setting Django up: it needs
only the CSV reader and the effect engine, and Django's start-up alone (about 0.9 s) took longer
than the estimate. With --summary (words in the chosen language), --help or any
option this light path does not know, the management command answers instead; both read the CSV
and build the JSON with the functions below, so the two paths print the same.
"""

import argparse
import csv
import dataclasses
import json
import math
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

DEFAULT_DRAWS = 1000  # effect.DEFAULT_DRAWS, without importing numpy to build the parser


class EstimateInputError(ValueError):
    """The CSV or the arguments cannot be estimated; the message says what to fix."""


def parse_day(text: str) -> date:
    from takeup.catalogue.csvimport import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def estimate_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `takeup estimate`, shared by both paths."""
    parser.add_argument("file", type=Path)
    parser.add_argument("--date-column", required=True)
    parser.add_argument("--target", required=True, help="The column the campaign could move")
    parser.add_argument(
        "--controls", default="", help="Comma-separated columns the campaign could not move"
    )
    parser.add_argument("--pre-end", required=True, type=parse_day)
    parser.add_argument("--post-start", required=True, type=parse_day)
    parser.add_argument("--post-end", required=True, type=parse_day)
    parser.add_argument("--draws", type=int, default=DEFAULT_DRAWS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--summary", action="store_true", help="Print plain English instead")


def _number(text: str, line: int, column: str) -> float:
    cleaned = text.strip().replace(",", "")
    if cleaned == "":
        return math.nan
    problem = f"Line {line}, column {column}: '{text}' is not a number."
    try:
        value = float(cleaned)
    except ValueError as exc:
        raise EstimateInputError(problem) from exc
    if not math.isfinite(value):
        raise EstimateInputError(problem)
    return value


def _rows(path: Path) -> list[list[str]]:
    from takeup.catalogue.csvimport import decode

    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        raise EstimateInputError(f"Cannot read {path}: {exc.strerror}.") from exc
    rows = list(csv.reader(text.splitlines()))
    if len(rows) < 2:
        raise EstimateInputError(f"{path} has no rows under its header.")
    return rows


def read_series(
    path: Path, date_column: str, target: str, controls: list[str]
) -> tuple[list[date], list[float], list[list[float]]]:
    """Dates, the target and the controls from a CSV, or one line that says what to fix."""
    from takeup.catalogue.csvimport import parse_date

    rows = _rows(path)
    header = [h.strip() for h in rows[0]]
    for column in [date_column, target, *controls]:
        if column not in header:
            raise EstimateInputError(
                f"{path} has no column '{column}'. It has: {', '.join(header)}."
            )
    at = {name: header.index(name) for name in header}
    dates, ys, xs = [], [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise EstimateInputError(
                f"Line {line} has {len(row)} cells; the header has {len(header)}."
            )
        try:
            dates.append(parse_date(row[at[date_column]]))
        except ValueError as exc:
            raise EstimateInputError(f"Line {line}: {exc}.") from exc
        ys.append(_number(row[at[target]], line, target))
        xs.append([_number(row[at[c]], line, c) for c in controls])
    return dates, ys, xs


def run_estimate(o: dict[str, Any]) -> Any:
    """The estimate the options ask for (an effect.Estimate)."""
    from takeup.campaigns import effect

    controls = [c.strip() for c in o["controls"].split(",") if c.strip()]
    dates, target, xs = read_series(o["file"], o["date_column"], o["target"], controls)
    try:
        return effect.estimate(
            dates,
            target,
            xs if controls else None,
            control_names=controls,
            pre_end=o["pre_end"],
            post_start=o["post_start"],
            post_end=o["post_end"],
            draws=o["draws"],
            seed=o["seed"],
        )
    except effect.EffectError as exc:
        raise EstimateInputError(str(exc)) from exc


def estimate_json(result: Any) -> str:
    """The JSON `takeup estimate` prints (docs/methods.md): prob_effect is Pr(effect > 0), and
    p_value = 2 × min(Pr(effect > 0), Pr(effect < 0)), both from the interval's draws."""
    checks = dataclasses.asdict(result.checks)
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


class _Fallback(Exception):
    """The light path cannot answer: the management command will, with its own messages."""


class _QuietParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise _Fallback(message)


def _light_estimate(argv: list[str]) -> int | None:
    """`takeup estimate` as JSON without Django; None when the management command should answer
    (words, help, a bad argument, or options only Django's commands know)."""
    parser = _QuietParser(prog="takeup estimate", add_help=False)
    estimate_arguments(parser)
    try:
        o, unknown = parser.parse_known_args(argv)
    except _Fallback:
        return None
    if unknown or o.summary:
        return None
    try:
        print(estimate_json(run_estimate(vars(o))))
    except EstimateInputError as exc:
        print(f"CommandError: {exc}", file=sys.stderr)
        return 1
    return 0


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["estimate"] and not {"-h", "--help"} & set(args):
        code = _light_estimate(args[1:])
        if code is not None:
            raise SystemExit(code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "takeup.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["takeup", *args])


if __name__ == "__main__":
    main()
