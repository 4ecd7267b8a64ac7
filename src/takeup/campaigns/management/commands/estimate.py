"""`takeup estimate FILE.csv …`: the effect engine on any daily series, for analysts.

The console script answers the JSON form itself without setting Django up (takeup.cli); this
command answers the rest (--summary in words, --help) and `manage.py estimate`. Both read the CSV
and write the JSON with campaigns.effect's functions, so they print the same.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeup.campaigns import effect
from takeup.campaigns.reports import summary_text
from takeup.core.text import date_argument


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
        parser.add_argument("--pre-end", required=True, type=date_argument)
        parser.add_argument("--post-start", required=True, type=date_argument)
        parser.add_argument("--post-end", required=True, type=date_argument)
        parser.add_argument("--draws", type=int, default=effect.DEFAULT_DRAWS)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--summary", action="store_true", help="Print plain English instead")

    def handle(self, *args: Any, **o: Any) -> None:
        controls = [c.strip() for c in o["controls"].split(",") if c.strip()]
        try:
            dates, target, xs = effect.read_series_csv(
                o["file"], o["date_column"], o["target"], controls
            )
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
                    relative=result.relative if result.relative_shown else None,
                    judgeable=result.checks.fit_ok,
                )
            )
            return
        self.stdout.write(effect.estimate_json(result))
