"""`takeup estimate FILE.csv …`: the effect engine on any daily series, for analysts."""

import csv
import dataclasses
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.campaigns import effect
from takeup.campaigns.reports import summary_text
from takeup.catalogue.csvimport import decode, parse_date


def _day(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def _number(text: str, line: int, column: str) -> float:
    cleaned = text.strip().replace(",", "")
    if cleaned == "":
        return math.nan
    try:
        value = float(cleaned)
    except ValueError as exc:
        raise CommandError(f"Line {line}, column {column}: '{text}' is not a number.") from exc
    if not math.isfinite(value):
        raise CommandError(f"Line {line}, column {column}: '{text}' is not a number.")
    return value


class Command(BaseCommand):
    help = (
        "Estimate the effect of an intervention on a daily series in a CSV file, with 95% "
        "intervals from a Bayesian structural time-series model. Prints JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--date-column", required=True)
        parser.add_argument("--target", required=True, help="The column the campaign could move")
        parser.add_argument(
            "--controls", default="", help="Comma-separated columns the campaign could not move"
        )
        parser.add_argument("--pre-end", required=True, type=_day)
        parser.add_argument("--post-start", required=True, type=_day)
        parser.add_argument("--post-end", required=True, type=_day)
        parser.add_argument("--draws", type=int, default=effect.DEFAULT_DRAWS)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--summary", action="store_true", help="Print plain English instead")

    def handle(self, *args: Any, **o: Any) -> None:
        path: Path = o["file"]
        try:
            text = decode(path.read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        rows = list(csv.reader(text.splitlines()))
        if len(rows) < 2:
            raise CommandError(f"{path} has no rows under its header.")
        header = [h.strip() for h in rows[0]]
        controls = [c.strip() for c in o["controls"].split(",") if c.strip()]
        for column in [o["date_column"], o["target"], *controls]:
            if column not in header:
                raise CommandError(f"{path} has no column '{column}'. It has: {', '.join(header)}.")
        at = {name: header.index(name) for name in header}
        dates, target, xs = [], [], []
        for line, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                raise CommandError(
                    f"Line {line} has {len(row)} cells; the header has {len(header)}."
                )
            try:
                dates.append(parse_date(row[at[o["date_column"]]]))
            except ValueError as exc:
                raise CommandError(f"Line {line}: {exc}.") from exc
            target.append(_number(row[at[o["target"]]], line, o["target"]))
            xs.append([_number(row[at[c]], line, c) for c in controls])
        try:
            result = effect.estimate(
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
            raise CommandError(str(exc)) from exc
        if o["summary"]:
            self.stdout.write(
                summary_text(
                    start=result.post_start,
                    end=result.post_end,
                    subject=o["target"],
                    effect=result.effect,
                    lower=result.effect_lower,
                    upper=result.effect_upper,
                    p_value=result.p_value,
                    relative=result.relative,
                )
            )
            return
        checks = dataclasses.asdict(result.checks)
        out = {
            "post_start": result.post_start.isoformat(),
            "post_end": result.post_end.isoformat(),
            "observed": result.observed_total,
            "expected": result.expected_total,
            "effect": {
                "point": result.effect,
                "lower": result.effect_lower,
                "upper": result.effect_upper,
            },
            "relative": {
                "point": result.relative,
                "lower": result.relative_lower,
                "upper": result.relative_upper,
            },
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
        self.stdout.write(json.dumps(out, indent=2))
